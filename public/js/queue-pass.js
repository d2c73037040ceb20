/**
 * The waiting room's tokens this tab holds per show, in sessionStorage: the queue ticket
 * (a place in line; joining again gives the same place anyway) and, once admitted, the
 * pass that locks need while the show's queue is on. api.js sends the pass; queue-panel.js
 * gets both. A lock the API refuses for want of a valid pass drops the pass and tells the
 * panel, which puts the user back in line.
 */

const passKey = (showId) => `seatmap.queuePass.${showId}`;
const ticketKey = (showId) => `seatmap.queueTicket.${showId}`;

function read(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) ?? "null");
  } catch {
    return null;
  }
}

/** The pass for this show if it has not expired, else null. */
export function loadPass(showId) {
  const saved = read(passKey(showId));
  if (saved && typeof saved.pass === "string" && Date.parse(saved.expiresAt) > Date.now()) {
    return saved.pass;
  }
  sessionStorage.removeItem(passKey(showId));
  return null;
}

export function savePass(showId, pass, expiresAt) {
  sessionStorage.setItem(passKey(showId), JSON.stringify({ pass, expiresAt }));
}

export function loadTicket(showId) {
  const saved = read(ticketKey(showId));
  return typeof saved === "string" ? saved : null;
}

export function saveTicket(showId, ticket) {
  sessionStorage.setItem(ticketKey(showId), JSON.stringify(ticket));
}

export function forgetTicket(showId) {
  sessionStorage.removeItem(ticketKey(showId));
}

/** Headers for a lock on this show: the pass, when this tab has one. */
export function passHeaders(showId) {
  const pass = loadPass(showId);
  return pass ? { "X-Queue-Pass": pass } : {};
}

const QUEUE_REFUSALS = new Set(["QUEUE_REQUIRED", "QUEUE_PASS_INVALID"]);

/** After a lock was refused: a refusal for want of a pass sends the user back to the line. */
export function noteLockRefusal(showId, error) {
  if (!QUEUE_REFUSALS.has(error?.code)) return;
  sessionStorage.removeItem(passKey(showId));
  window.dispatchEvent(new CustomEvent("queue-required", { detail: { showId } }));
}
