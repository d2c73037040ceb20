/**
 * The notice area (#notice-box): outcomes and errors in plain words, and the quieter
 * screen-reader notes (#announcer). Any module says what happened with showNotice or
 * showError; this module alone draws it.
 */
import { ApiError } from "./api.js";
import { $ } from "./dom.js";
import { explainError } from "./messages.js";
import { setState, state, subscribe } from "./state.js";

let serial = 0;

/** Shows a message in the page's live region (read out at once). */
export function showNotice(kind, text) {
  setState({ notice: { kind, text, serial: ++serial } });
}

export function clearNotice() {
  if (state.notice) setState({ notice: null });
}

/** An error in plain words, naming seats by row and number. */
export function showError(error) {
  if (!(error instanceof ApiError)) console.error(error);
  // Seats are named by row and number from the map (seats.js is not imported: it uses this).
  showNotice(
    "error",
    explainError(error, (id) => state.seats?.get(id)),
  );
}

/** A quiet note for screen readers about something that changed. */
export function announce(text) {
  $("announcer").textContent = "";
  // A fresh text node after a tick makes screen readers read repeated messages again.
  setTimeout(() => {
    $("announcer").textContent = text;
  }, 50);
}

/** The notice last drawn, so a redraw that changed nothing else leaves the region alone. */
let drawn = null;
let refill;

function render({ notice }) {
  if (notice === drawn) return;
  const sameWords = Boolean(drawn && notice && drawn.text === notice.text);
  drawn = notice;
  clearTimeout(refill);
  const box = $("notice-box");
  const text = $("notice");
  if (!notice) {
    delete box.dataset.kind;
    text.textContent = "";
    $("notice-close").hidden = true;
    return;
  }
  box.dataset.kind = notice.kind;
  $("notice-close").hidden = false;
  if (!sameWords) {
    text.textContent = notice.text;
    return;
  }
  // The same words again (a second declined card): a live region only speaks on a change.
  text.textContent = "";
  refill = setTimeout(() => {
    text.textContent = notice.text;
  }, 100);
}

export function mountNotice() {
  $("notice-close").addEventListener("click", () => clearNotice());
  subscribe(render);
}
