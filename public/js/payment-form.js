/**
 * The pay form (#pay-form) inside the lock panel: the card fields, the pay button, and the
 * list of test cards. The card details are the user's input: they are read from the form
 * once, to pay, sent in that one request body, and cleared from the form after a payment.
 */
import { ApiError, api, getUser } from "./api.js";
import { $, setText } from "./dom.js";
import { formatPrice } from "./format.js";
import { dropLock } from "./lock.js";
import { clearNotice, showError, showNotice } from "./notice.js";
import { setSeatStatus, totalOf } from "./seats.js";
import { state, subscribe, whileBusy } from "./state.js";
import { DEFAULT_CARD, TEST_CARDS } from "./test-cards.js";
import { showBooking } from "./ticket-panel.js";

/** The form was emptied after a payment: the next lock offers the public test card again. */
let emptied = false;
/** The lock the form was last drawn for. */
let drawnLockId = null;

export function mountPaymentForm() {
  fillTestCards();
  fillCard(DEFAULT_CARD);
  $("pay-form").addEventListener("submit", (event) => {
    event.preventDefault();
    pay();
  });
  subscribe(render);
}

function render({ lock, busy }) {
  const lockId = lock?.lock_id ?? null;
  if (lockId !== drawnLockId) {
    drawnLockId = lockId;
    if (lock && emptied) {
      fillCard(DEFAULT_CARD);
      emptied = false;
    }
  }
  $("pay-button").disabled = Boolean(busy);
  if (busy === "pay") setText($("pay-button"), "Paying…");
  else if (lock) setText($("pay-button"), `Pay ${formatPrice(totalOf(lock.seat_ids))}`);
}

/** Takes the user to the card number: the next step once seats are held. */
export function focusPaymentForm({ scroll = false } = {}) {
  // On a phone the form is far below; a smooth scroll shows where focus went.
  if (scroll) $("pay-form").scrollIntoView({ behavior: "smooth", block: "center" });
  $("card-number").focus({ preventScroll: scroll });
}

function fillTestCards() {
  $("test-cards").replaceChildren(
    ...TEST_CARDS.map(({ number, behaviour }) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.innerHTML = "<code></code><span></span>";
      button.querySelector("code").textContent = number.replace(/(\d{4})(?=\d)/g, "$1 ");
      button.querySelector("span").textContent = behaviour;
      button.setAttribute("aria-label", `Use test card ${number}: ${behaviour}`);
      button.addEventListener("click", () => {
        $("card-number").value = number;
        $("card-number").focus();
      });
      item.append(button);
      return item;
    }),
  );
}

function fillCard({ number, expiry, cvv }) {
  $("card-number").value = number;
  $("card-expiry").value = expiry;
  $("card-cvv").value = cvv;
}

function clearCard() {
  fillCard({ number: "", expiry: "", cvv: "" });
  emptied = true;
}

/** "12/2031", "12 / 31" → {month: 12, year: 2031}; undefined if it is not a date. */
function parseExpiry(text) {
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(text);
  if (!match) return undefined;
  const month = Number(match[1]);
  const year = match[2].length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
  return month >= 1 && month <= 12 ? { month, year } : undefined;
}

function pay() {
  const lock = state.lock;
  if (!lock) return;
  const expiry = parseExpiry($("card-expiry").value);
  if (!expiry) {
    showNotice("error", "Enter the card's expiry as MM/YYYY, for example 12/2031.");
    $("card-expiry").focus();
    return;
  }
  // The card details live only in this request body; nothing else holds them.
  const paymentMethod = {
    type: "credit_card",
    card_number: $("card-number").value.replace(/[\s-]/g, ""),
    expiry_month: expiry.month,
    expiry_year: expiry.year,
    cvv: $("card-cvv").value.trim(),
  };
  const showId = state.show.show_id;
  whileBusy("pay", async () => {
    clearNotice();
    try {
      const { userId } = await getUser();
      const { booking } = await api.book({
        show_id: showId,
        lock_id: lock.lock_id,
        seat_ids: lock.seat_ids,
        user_id: userId,
        payment_method: paymentMethod,
      });
      clearCard();
      for (const seat of booking.seats) setSeatStatus(seat.seat_id, "booked");
      dropLock();
      await showBooking(booking);
    } catch (error) {
      await paymentFailed(error);
    }
  });
}

async function paymentFailed(error) {
  showError(error);
  if (!(error instanceof ApiError)) return;
  if (
    error.code === "LOCK_EXPIRED" ||
    (error.code === "INVALID_INPUT" && error.details?.field === "lock_id")
  ) {
    dropLock();
  } else if (error.code === "BOOKING_EXISTS" && typeof error.details?.booking_id === "string") {
    // Already paid (a retry after a lost answer): show the booking that exists.
    clearCard();
    dropLock();
    try {
      await showBooking((await api.getBooking(error.details.booking_id)).booking);
    } catch (readError) {
      showError(readError);
    }
  }
}
