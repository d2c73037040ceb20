/**
 * The access code field (#access-code) and the show's sale rules near the selection: the
 * per-buyer limit (#limit-note, when the show has one) and, while the sale is still ahead,
 * when it opens (#sale-note). The field is always there: a presale's code opens the sale
 * early, an allocation's code its kept seats at any time. lock.js sends the code with every
 * lock; it is cleared when another show opens (codes belong to one show).
 */
import { $, setText } from "./dom.js";
import { formatShowTime, seatCount } from "./format.js";
import { subscribe } from "./state.js";

/** The code typed (trimmed), or undefined when the field is empty. */
export const accessCode = () => $("access-code").value.trim() || undefined;

let shownFor = null;

export function mountAccessCode() {
  subscribe(render);
}

function render({ show }) {
  if (show?.show_id !== shownFor) {
    shownFor = show?.show_id;
    $("access-code").value = "";
  }
  const limit = show?.max_tickets_per_user;
  $("limit-note").hidden = !limit;
  setText($("limit-note"), limit ? `Up to ${seatCount(limit)} per buyer.` : "");
  const ahead = Date.parse(show?.sales_start ?? "") > Date.now();
  $("sale-note").hidden = !ahead;
  setText(
    $("sale-note"),
    ahead
      ? `The sale opens on ${formatShowTime(show.sales_start)}. A presale code lets you in earlier.`
      : "",
  );
}
