/**
 * The waiting room, for a show whose queue is on: the page joins the line, shows the place
 * and the estimated wait, asks again by itself (after about half the estimated wait, every
 * 2 to 10 seconds), and shows the seat map once the user's turn comes. The map and the
 * panels beside it stay hidden while the user waits: nothing there could be held yet.
 */
import { api } from "./api.js";
import { setText } from "./dom.js";
import { showError } from "./notice.js";
import { forgetTicket, loadPass, loadTicket, savePass, saveTicket } from "./queue-pass.js";
import { subscribe } from "./state.js";

const POLL_MIN_MS = 2_000;
const POLL_MAX_MS = 10_000;

let panel;
let place;
let wait;
let layout;
/** The show being followed and the timer of its next status request. */
let following = { showId: null, timer: 0 };

export function mountQueuePanel() {
  layout = document.querySelector(".layout");
  panel = document.createElement("section");
  panel.className = "panel queue-panel";
  panel.id = "queue-panel";
  panel.hidden = true;
  panel.setAttribute("aria-labelledby", "queue-heading");
  panel.innerHTML = `
    <h2 id="queue-heading">You're in line</h2>
    <p>This sale has a waiting room. Keep this page open: it moves on by itself when it's your turn.</p>
    <p class="queue-place" id="queue-place" role="status" aria-live="polite"></p>
    <p id="queue-wait"></p>`;
  layout?.before(panel);
  place = document.getElementById("queue-place");
  wait = document.getElementById("queue-wait");

  subscribe(({ show }) => {
    const showId = show?.show_id ?? null;
    if (showId !== following.showId) follow(showId);
  });
  window.addEventListener("queue-required", (event) => {
    if (event.detail?.showId === following.showId) {
      forgetTicket(following.showId);
      follow(following.showId, { rejoin: true });
    }
  });
}

function showWaiting(waiting) {
  panel.hidden = !waiting;
  // The layout is a grid in the stylesheet, which would outrank the hidden attribute.
  if (layout) layout.style.display = waiting ? "none" : "";
}

async function follow(showId, { rejoin = false } = {}) {
  clearTimeout(following.timer);
  following = { showId, timer: 0 };
  showWaiting(false);
  if (!showId) return;
  try {
    const settings = await api.queueSettings(showId);
    if (following.showId !== showId || !settings.enabled) return;
    if (!rejoin && loadPass(showId)) return;
    showWaiting(true);
    setText(place, "Joining the line…");
    setText(wait, "");
    const ticket = loadTicket(showId);
    const answer = ticket ? await api.queueStatus(showId, ticket) : await join(showId);
    update(showId, answer);
  } catch (error) {
    retryOrGiveUp(showId, error);
  }
}

async function join(showId) {
  const answer = await api.joinQueue(showId);
  saveTicket(showId, answer.queue_ticket);
  return answer;
}

function update(showId, answer) {
  if (following.showId !== showId) return;
  if (answer.admitted) {
    savePass(showId, answer.queue_pass, answer.pass_expires_at);
    showWaiting(false);
    setText(place, "");
    return;
  }
  // Just after joining the place is not known for a few seconds: ask again soon.
  const known = answer.position_known !== false;
  if (known) {
    const ahead =
      answer.ahead === 0 ? "you're next" : `${answer.ahead.toLocaleString()} ahead of you`;
    setText(place, `You're number ${(answer.ahead + 1).toLocaleString()} in line (${ahead})`);
  } else setText(place, "Finding your place in line…");
  setText(wait, `Estimated wait: ${describeWait(answer.estimated_wait_seconds)}`);
  const wanted = known ? answer.estimated_wait_seconds * 500 : 0;
  const delay = Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, wanted));
  following.timer = setTimeout(() => poll(showId), delay);
}

async function poll(showId) {
  const ticket = loadTicket(showId);
  try {
    update(showId, ticket ? await api.queueStatus(showId, ticket) : await join(showId));
  } catch (error) {
    retryOrGiveUp(showId, error);
  }
}

/** A ticket the API no longer takes (the turn passed, the queue restarted): join again. */
function retryOrGiveUp(showId, error) {
  if (following.showId !== showId) return;
  if (error?.code === "QUEUE_PASS_INVALID" || error?.details?.field === "X-Queue-Ticket") {
    forgetTicket(showId);
  } else if (error?.status > 0 && error.status < 500 && error.code !== "RATE_LIMITED") {
    showWaiting(false);
    showError(error);
    return;
  }
  following.timer = setTimeout(() => poll(showId), POLL_MIN_MS);
}

function describeWait(seconds) {
  if (seconds < 60) return "less than a minute";
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? "about a minute" : `about ${minutes} minutes`;
}
