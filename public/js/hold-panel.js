/**
 * The "Held for you" panel (#hold-panel, except its pay form): which seats are held and
 * their total, the countdown, and the button that releases them. It shows while there
 * is a hold.
 */
import { $, setText } from "./dom.js";
import { capitalise, formatCountdown, formatPrice } from "./format.js";
import { releaseHold } from "./hold.js";
import { focusSeatMap } from "./seat-map.js";
import { nameSeats, totalOf } from "./seats.js";
import { subscribe } from "./state.js";

export function mountHoldPanel() {
  $("release-button").addEventListener("click", async () => {
    // The release button goes with the hold panel: carry focus back to the map.
    if (await releaseHold()) focusSeatMap();
  });
  subscribe(render);
}

function render({ lock, secondsLeft, busy }) {
  $("hold-panel").hidden = !lock;
  $("release-button").disabled = Boolean(busy);
  if (!lock) return;
  setText(
    $("hold-seats"),
    `${capitalise(nameSeats(lock.seat_ids))} · total ${formatPrice(totalOf(lock.seat_ids))}`,
  );
  setText($("countdown"), formatCountdown(secondsLeft));
  $("countdown").parentElement.dataset.urgent = String(secondsLeft <= 60);
}
