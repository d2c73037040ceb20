/**
 * The phone bar (#mobile-bar): on a narrow screen the panels are below a long map, so
 * what is chosen or locked, and the button for the next step, stay in reach here. CSS
 * shows it only at phone width; it is hidden when there is nothing chosen or locked.
 */
import { $, setText } from "./dom.js";
import { formatCountdown, formatPrice, seatCount } from "./format.js";
import { lockSeats } from "./lock.js";
import { focusPaymentForm } from "./payment-form.js";
import { totalOf } from "./seats.js";
import { lockLabel } from "./selection-panel.js";
import { state, subscribe } from "./state.js";

export function mountMobileBar() {
  $("mobile-bar-button").addEventListener("click", async () => {
    if (state.lock) focusPaymentForm({ scroll: true });
    else if (await lockSeats({ seat_ids: [...state.selected] })) focusPaymentForm();
  });
  subscribe(render);
}

function render({ lock, secondsLeft, selected, busy }) {
  $("mobile-bar").hidden = !lock && selected.size === 0;
  $("mobile-bar-button").disabled = Boolean(busy);
  if (lock) {
    setText($("mobile-bar-text"), `Held · ${formatCountdown(secondsLeft)} left`);
    setText($("mobile-bar-button"), "Pay now");
  } else if (selected.size > 0) {
    const ids = [...selected];
    setText($("mobile-bar-text"), `${seatCount(ids.length)} · ${formatPrice(totalOf(ids))}`);
    setText($("mobile-bar-button"), lockLabel(ids.length));
  }
}
