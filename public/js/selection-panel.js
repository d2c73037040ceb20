/**
 * The "Your seats" panel (#choose-panel): the seats picked on the map with their total,
 * the buttons to lock or clear them, and "let us choose" (best available, by zone).
 * It shows while the user has neither a lock nor a ticket on screen.
 */
import { $, fillSelect, setText } from "./dom.js";
import { capitalise, formatPrice, seatCount } from "./format.js";
import { lockSeats } from "./lock.js";
import { focusPaymentForm } from "./payment-form.js";
import { clearSelection, MAX_SELECTION, nameSeats, totalOf } from "./seats.js";
import { state, subscribe } from "./state.js";

/** The lock button's words for a selection, shared with the mobile bar. */
export const lockLabel = (count) => (count > 1 ? `Hold ${count} seats` : "Hold seat");

/** The zones offered were filled for this layout (a new show has other zones). */
let zonesLayout = -1;

export function mountSelectionPanel() {
  $("clear-button").addEventListener("click", () => clearSelection());
  $("lock-button").addEventListener("click", async () => {
    if (await lockSeats({ seat_ids: [...state.selected] })) focusPaymentForm();
  });
  $("best-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    // The form's fields are the user's input, read as they send it.
    const selection = { quantity: Number($("best-quantity").value) };
    if ($("best-zone").value) selection.zone = $("best-zone").value;
    if (await lockSeats(selection)) focusPaymentForm();
  });
  subscribe(render);
}

function render(state) {
  $("choose-panel").hidden = Boolean(state.lock || state.booking);
  const selected = [...state.selected];
  setText(
    $("selection-text"),
    selected.length === 0
      ? `Pick up to ${MAX_SELECTION} seats on the map.`
      : `${capitalise(nameSeats(selected))} · ${seatCount(selected.length)} · ${formatPrice(
          totalOf(selected),
        )}`,
  );
  $("lock-button").disabled = selected.length === 0 || Boolean(state.busy || state.lock);
  setText($("lock-button"), lockLabel(selected.length));
  $("clear-button").disabled = selected.length === 0 || Boolean(state.busy);
  $("best-button").disabled = Boolean(state.busy);

  if (state.seats && state.layout !== zonesLayout) {
    zonesLayout = state.layout;
    fillSelect(
      $("best-zone"),
      [
        { value: "", label: "Best available" },
        ...Object.entries(state.zones).map(([zone, info]) => ({
          value: zone,
          label: `${capitalise(zone)} · ${formatPrice(info.price)}`,
        })),
      ],
      "",
    );
  }
}
