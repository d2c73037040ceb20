/**
 * The page's entry: mounts each part of the page, then signs in and opens a show.
 *
 * state.js holds everything the page knows and tells the parts when it changes; each
 * part draws its own elements from it and turns the user's actions into changes:
 *   show-picker.js (the event and show selects), show-info.js (heading, live indicator),
 *   seat-map.js with seat-map-keys.js (the map, its keyboard use), selection-panel.js
 *   (picked seats, best available), access-code.js (the code field, the sale's limit and
 *   opening), lock-panel.js (the lock and its countdown),
 *   payment-form.js (card and test cards), ticket-panel.js (the booking), mobile-bar.js
 *   (the phone bar), notice.js (messages in plain words), session.js (the user and what
 *   survives a reload), queue-panel.js (the waiting room's place and wait, when a show's
 *   queue is on; queue-pass.js keeps its ticket and pass), waitlist-panel.js (a sold-out
 *   show's waitlist, and the seats it offers), standing-panel.js (places of standing
 *   areas, by quantity).
 * The actions behind them: seats.js (seats and selection rules), lock.js (locking and
 * releasing), current-show.js (opening a show and its live feed). api.js is the only door
 * to the API, live.js the WebSocket, messages.js the wording of errors.
 */
import { mountAccessCode } from "./access-code.js";
import { openShow } from "./current-show.js";
import { mountLockPanel } from "./lock-panel.js";
import { mountMobileBar } from "./mobile-bar.js";
import { mountNotice, showError } from "./notice.js";
import { mountPaymentForm } from "./payment-form.js";
import { mountQueuePanel } from "./queue-panel.js";
import { mountSeatMap } from "./seat-map.js";
import { mountSelectionPanel } from "./selection-panel.js";
import { mountSession, signIn } from "./session.js";
import { mountShowInfo } from "./show-info.js";
import { initialShow, loadPicker, mountShowPicker } from "./show-picker.js";
import { mountStandingPanel } from "./standing-panel.js";
import { setState, state, subscribe } from "./state.js";
import { mountTicketPanel } from "./ticket-panel.js";
import { mountWaitlistPanel } from "./waitlist-panel.js";

mountNotice();
mountSession();
mountShowPicker();
mountShowInfo();
mountQueuePanel();
mountSeatMap();
mountSelectionPanel();
mountAccessCode();
mountLockPanel();
mountStandingPanel();
mountWaitlistPanel();
mountPaymentForm();
mountTicketPanel();
mountMobileBar();
// Assistive technology waits for the page while an action is under way.
subscribe(({ busy }) => {
  if (busy) document.body.setAttribute("aria-busy", "true");
  else document.body.removeAttribute("aria-busy");
});

async function start() {
  try {
    // The token first: every later request can then carry it (see api.js, read()).
    await signIn();
    const show = await initialShow();
    if (!show) {
      setState({ phase: "empty", seats: new Map() });
      return;
    }
    await loadPicker(show);
    await openShow(show);
  } catch (error) {
    setState({ phase: "failed", seats: state.seats ?? new Map() });
    showError(error);
  }
}

start();
