/**
 * Standing areas (#standing-panel): for a show with general-admission areas, each area's
 * places left (live: the feed carries the counts of every area a change moves) and its
 * price, and a quantity to hold. Holding places is a lock like holding seats (lock.js);
 * the panel shows while the user has neither a lock nor a ticket on screen.
 */
import { $, setText } from "./dom.js";
import { formatPrice } from "./format.js";
import { lockSeats } from "./lock.js";
import { focusPaymentForm } from "./payment-form.js";
import { MAX_SELECTION } from "./seats.js";
import { state, subscribe } from "./state.js";

/** The areas drawn, by zone, so a redraw only updates what each shows. */
const drawn = new Map();

export function mountStandingPanel() {
  subscribe(render);
}

function render({ areas, lock, booking, busy }) {
  $("standing-panel").hidden = areas.length === 0 || Boolean(lock || booking);
  const list = $("standing-areas");
  for (const [zone, row] of drawn) {
    if (!areas.some((area) => area.zone === zone)) {
      row.element.remove();
      drawn.delete(zone);
    }
  }
  for (const area of areas) {
    const row = drawn.get(area.zone) ?? addArea(list, area.zone);
    const price = Number(state.zones?.[area.zone]?.price ?? 0);
    setText(
      row.label,
      area.available === 0
        ? `${area.zone}: sold out`
        : `${area.zone}: ${area.available} of ${area.capacity} places left · ${formatPrice(price)} each`,
    );
    row.button.disabled = Boolean(busy) || area.available === 0;
    const most = Math.min(MAX_SELECTION, area.available);
    if (row.select.options.length !== most) fillQuantities(row.select, most);
  }
}

function addArea(list, zone) {
  const element = document.createElement("form");
  element.className = "standing-area";
  const label = document.createElement("p");
  label.id = `standing-${zone}`;
  const select = document.createElement("select");
  select.setAttribute("aria-label", `Places on ${zone}`);
  select.dataset.zone = zone;
  const button = document.createElement("button");
  button.type = "submit";
  button.textContent = "Hold places";
  button.setAttribute("aria-describedby", label.id);
  element.append(label, select, button);
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    const quantity = Number(select.value);
    if (await lockSeats({ areas: [{ zone, quantity }] })) focusPaymentForm();
  });
  list.append(element);
  const row = { element, label, select, button };
  drawn.set(zone, row);
  return row;
}

function fillQuantities(select, most) {
  const chosen = Number(select.value) || 1;
  select.replaceChildren();
  for (let n = 1; n <= Math.max(1, most); n++) {
    const option = document.createElement("option");
    option.value = String(n);
    option.textContent = String(n);
    option.selected = n === Math.min(chosen, most);
    select.append(option);
  }
}
