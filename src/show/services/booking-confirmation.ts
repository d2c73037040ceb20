import { newShowScopedId } from "../../contract/scoped-ids.ts";
import type { ChargeOutcome } from "../../payments/payment-gateway.ts";
import { bookingEventData } from "../../webhooks/booking-events.ts";
import { bookingConfirmed, bookingInserted, paymentRecorded } from "../d1/booking-d1.ts";
import { lockEnded } from "../d1/lock-d1.ts";
import type { ShowState } from "../show-state.ts";
import type { StoredBooking } from "../storage/booking-storage.ts";
import { bookingSeats } from "./booking-snapshot.ts";

type Succeeded = Extract<ChargeOutcome, { status: "succeeded" }>;

/**
 * Sells the seats, confirms the booking and records it all (D1 through the outbox);
 * `alsoWrite` runs in the same transaction, after the booking is confirmed in memory.
 */
export function confirmBooking(
  show: ShowState,
  currency: string,
  booking: StoredBooking,
  chargeKey: string,
  charge: Succeeded,
  alsoWrite: () => void,
): void {
  const at = Date.now();
  booking.status = "confirmed";
  booking.paymentId = charge.paymentId;
  booking.ticketId = newShowScopedId("ticket", show.showId);
  booking.cardBrand = charge.card.brand;
  booking.cardLast4 = charge.card.last4;
  booking.confirmedAt = at;
  show.seats.confirm(booking.lockId, booking.bookingId);
  show.change({
    at,
    seats: booking.seatIds,
    store: () => {
      show.attemptStorage.setAttemptStatus(chargeKey, "succeeded");
      show.bookingStorage.updateBooking(booking);
      show.seatStorage.setSeatsBooking(booking.seatIds, booking.bookingId);
      show.seatStorage.endLock(booking.lockId, "confirmed", at);
    },
    d1: [
      ...(booking.createdWithCard
        ? bookingInserted(show.db, show.info, booking, bookingSeats(show.seats, booking))
        : [bookingConfirmed(show.db, booking)]),
      paymentRecorded(show.db, {
        paymentId: charge.paymentId,
        bookingId: booking.bookingId,
        amountMinor: booking.totalMinor,
        currency: currency,
        brand: charge.card.brand,
        last4: charge.card.last4,
        processedAt: charge.processedAt,
      }),
      lockEnded(show.db, booking.lockId, "confirmed", at),
    ],
    events: [{ type: "booking.confirmed", data: bookingEventData(show.showId, booking, currency) }],
    reply: alsoWrite,
  });
}
