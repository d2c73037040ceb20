/**
 * The "Your seats" panel (#choose-panel): the seats picked on the map with their total,
 * the buttons to lock or clear them, "let us choose" (best available, by zone), and, when
 * the show has wheelchair spaces, accessible best available (wheelchair spaces with
 * companion seats next to them). It shows while the user has neither a lock nor a ticket
 * on screen.
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
  $("access-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const accessible = {
      wheelchair: Number($("access-wheelchair").value),
      companions: Number($("access-companions").value),
    };
    if (await lockSeats({ accessible })) focusPaymentForm();
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
  $("access-button").disabled = Boolean(state.busy);
  if (!state.seats?.size) $("access-form").hidden = true;

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
    offerAccessibleSeats(state.seats);
  }
}

/**
 * The accessible seats form shows when the show has wheelchair spaces, offering as many
 * together as its fullest row has (the spaces and their companions are in one row).
 */
function offerAccessibleSeats(seats) {
  const perRow = new Map();
  for (const seat of seats.values()) {
    if (seat.accessibility !== "wheelchair") continue;
    const row = `${seat.zone}\u0000${seat.row}`;
    perRow.set(row, (perRow.get(row) ?? 0) + 1);
  }
  const most = Math.min(MAX_SELECTION, Math.max(0, ...perRow.values()));
  $("access-form").hidden = most === 0;
  if (most === 0) return;
  const options = Array.from({ length: most }, (_, i) => ({
    value: String(i + 1),
    label: String(i + 1),
  }));
  fillSelect($("access-wheelchair"), options, "1");
}
