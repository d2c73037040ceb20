/**
 * The "Held for you" panel (#lock-panel, except its pay form): which seats the user's lock
 * has and their total, the countdown, and the button that releases them. It shows while
 * there is a lock.
 */
import { $, setText } from "./dom.js";
import { capitalise, formatCountdown, formatPrice } from "./format.js";
import { releaseLock } from "./lock.js";
import { focusSeatMap } from "./seat-map.js";
import { lockTotal, nameLock } from "./seats.js";
import { subscribe } from "./state.js";

export function mountLockPanel() {
  $("release-button").addEventListener("click", async () => {
    // The release button goes with the lock panel: carry focus back to the map.
    if (await releaseLock()) focusSeatMap();
  });
  subscribe(render);
}

function render({ lock, secondsLeft, busy }) {
  $("lock-panel").hidden = !lock;
  $("release-button").disabled = Boolean(busy);
  if (!lock) return;
  setText($("lock-seats"), `${capitalise(nameLock(lock))} · total ${formatPrice(lockTotal(lock))}`);
  setText($("countdown"), formatCountdown(secondsLeft));
  $("countdown").parentElement.dataset.urgent = String(secondsLeft <= 60);
}
