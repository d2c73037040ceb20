/**
 * What follows a payment, whichever provider took it (payment-form.js for test cards,
 * stripe-payment.js for Stripe): a confirmed booking becomes the ticket; a refusal is
 * explained, and the lock is let go only when the API says it no longer holds the seats.
 */
import { ApiError, api } from "./api.js";
import { dropLock } from "./lock.js";
import { showError } from "./notice.js";
import { setSeatStatus } from "./seats.js";
import { showBooking } from "./ticket-panel.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The seats are sold to this user: the lock is over and the ticket takes its place. */
export async function booked(booking) {
  for (const seat of booking.seats) setSeatStatus(seat.seat_id, "booked");
  dropLock();
  await showBooking(booking);
}

/**
 * A refused POST /v1/bookings, explained. `clearForm` empties the card form when the error
 * turns out to mean the seats were already paid for.
 */
export async function paymentFailed(error, clearForm) {
  showError(error);
  if (!(error instanceof ApiError)) return;
  if (
    error.code === "LOCK_EXPIRED" ||
    (error.code === "INVALID_INPUT" && error.details?.field === "lock_id")
  ) {
    dropLock();
  } else if (error.code === "BOOKING_EXISTS" && typeof error.details?.booking_id === "string") {
    // Already paid (a retry after a lost answer): show the booking that exists.
    try {
      const { booking } = await api.getBooking(error.details.booking_id);
      if (booking.status !== "confirmed") return;
      clearForm();
      await booked(booking);
    } catch (readError) {
      showError(readError);
    }
  }
}

/**
 * How long a booking waiting for the buyer's bank is watched: past the longest the server
 * holds seats for such a payment (PAYMENT_ACTION_HOLD_SECONDS, 15 minutes by default), by
 * when the booking has been confirmed, failed or expired.
 */
const OUTCOME_WAIT_MS = 16 * 60_000;

/**
 * The booking once it is no longer pending (confirmed, failed, expired, cancelled), read
 * from GET /v1/bookings/{id}: the outcome of a 3-D Secure payment reaches the server by the
 * provider's webhook, not through this page, so the page asks until it is there. Often at
 * first, then every few seconds. Null if it is still pending after `waitMs`.
 */
export async function settledBooking(bookingId, waitMs = OUTCOME_WAIT_MS) {
  const giveUpAt = Date.now() + waitMs;
  for (let pause = 250; Date.now() < giveUpAt; pause = Math.min(pause * 2, 3_000)) {
    try {
      const { booking } = await api.getBooking(bookingId);
      if (booking.status !== "pending") return booking;
    } catch (error) {
      // A network blip, a busy server or too many asks: ask again. Anything else is final.
      const transient =
        error instanceof ApiError &&
        (error.status === 0 || error.status === 429 || error.status >= 500);
      if (!transient) throw error;
      if (error.retryAfter) await sleep(error.retryAfter * 1000);
    }
    await sleep(pause);
  }
  return null;
}
