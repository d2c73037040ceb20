/**
 * The waitlist panel (#waitlist-panel): when the open show has no seat left to hold, the
 * user may join its waitlist for a number of seats; while on it, their place is shown and
 * read again every few seconds; when seats come back the API locks them for the user (an
 * offer), and the page takes that lock on as if the user had held it: the lock panel and
 * the payment form show, with the offer's countdown. Leaving gives the place (and an offer)
 * up.
 */
import { ApiError, api } from "./api.js";
import { $, setText } from "./dom.js";
import { seatCount } from "./format.js";
import { adoptLock } from "./lock.js";
import { clearNotice, showError, showNotice } from "./notice.js";
import { forSale, nameSeats } from "./seats.js";
import { setState, state, subscribe, whileBusy } from "./state.js";

/** How often the place is read again while the user is on the list. */
const POLL_MS = 3_000;

let pollTimer;
/** The show whose waitlist place was last asked for (a new show asks again). */
let askedFor = null;

export function mountWaitlistPanel() {
  $("waitlist-form").addEventListener("submit", (event) => {
    event.preventDefault();
    join(Number($("waitlist-quantity").value));
  });
  $("waitlist-leave").addEventListener("click", () => leave());
  subscribe(render);
}

/** No seat of the show can be held now (booked, held by others, or kept back). */
function soldOut(seats) {
  if (!seats?.size) return false;
  for (const seat of seats.values()) if (forSale(seat.status)) return false;
  return true;
}

function render({ show, seats, lock, booking, busy, userId }) {
  let { waitlist } = state;
  if (show && userId && show.show_id !== askedFor) {
    // Another show: its own place (if any) is asked for once this redraw is over.
    askedFor = show.show_id;
    stopPolling();
    state.waitlist = waitlist = null;
    queueMicrotask(refresh);
  }
  const shown = Boolean(show) && !lock && !booking && (Boolean(waitlist) || soldOut(seats));
  $("waitlist-panel").hidden = !shown;
  if (!shown) return;
  $("waitlist-form").hidden = Boolean(waitlist);
  $("waitlist-place").hidden = !waitlist;
  $("waitlist-join").disabled = Boolean(busy);
  $("waitlist-leave").disabled = Boolean(busy);
  setText(
    $("waitlist-text"),
    waitlist
      ? `You are number ${waitlist.position} in line for ${seatCount(waitlist.quantity)}. When seats come back they are held for you here, and you get a few minutes to pay.`
      : "Every seat is taken. Join the waitlist: seats that come back go to the first in line.",
  );
}

async function join(quantity) {
  await whileBusy("waitlist", async () => {
    clearNotice();
    try {
      const { waitlist } = await api.joinWaitlist(state.show.show_id, { quantity });
      setState({ waitlist });
      showNotice("success", `You are on the waitlist, number ${waitlist.position} in line.`);
      startPolling();
    } catch (error) {
      showError(error);
    }
  });
}

async function leave() {
  await whileBusy("waitlist", async () => {
    try {
      await api.leaveWaitlist(state.show.show_id);
      showNotice("info", "You left the waitlist.");
    } catch (error) {
      if (!(error instanceof ApiError && error.code === "NOT_FOUND")) showError(error);
    }
    stopPolling();
    setState({ waitlist: null });
  });
}

/** Reads the place again; an offer becomes the user's lock. */
async function refresh() {
  const showId = state.show?.show_id;
  if (!showId) return;
  let waitlist = null;
  try {
    ({ waitlist } = await api.myWaitlist(showId));
  } catch (error) {
    // Not on the list (never, or no more); anything else is tried again at the next poll.
    if (!(error instanceof ApiError && error.code === "NOT_FOUND")) return;
  }
  if (showId !== state.show?.show_id) return;
  setState({ waitlist });
  if (!waitlist) {
    stopPolling();
    return;
  }
  startPolling();
  const offer = waitlist.offer;
  if (offer && state.lock?.lock_id !== offer.lock_id && (await adoptLock(offer.lock_id))) {
    showNotice(
      "success",
      `Seats came back for you: ${nameSeats(offer.seat_ids)} ${offer.seat_ids.length === 1 ? "is" : "are"} held for you. Pay before the timer runs out.`,
    );
  }
}

function startPolling() {
  if (pollTimer) return;
  pollTimer = setInterval(refresh, POLL_MS);
}

function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = undefined;
}
