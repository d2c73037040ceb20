import type { BookingTicket } from "../../contract/booking-views.ts";
import type { LogFields } from "../../observability/log.ts";
import type { ChargeOutcome } from "../../payments/payment-gateway.ts";
import { bookingEventData } from "../../webhooks/booking-events.ts";
import { bookingConfirmed, bookingInserted, paymentRecorded } from "../d1/booking-d1.ts";
import { lockEnded } from "../d1/lock-d1.ts";
import { ticketsIssued } from "../d1/ticket-d1.ts";
import type { ShowState } from "../show-state.ts";
import type { StoredBooking } from "../storage/booking-storage.ts";
import { bookingSeats } from "./booking-snapshot.ts";
import { issuedTicketViews, issueTickets } from "./booking-tickets.ts";
import { listingsBought, resaleWrites } from "./resold-seats.ts";

type Succeeded = Extract<ChargeOutcome, { status: "succeeded" }>;

/**
 * Sells the seats, confirms the booking, issues its tickets (one per seat; the booking's
 * `ticket_id` is the first's) and records it all (D1 through the outbox);
 * `alsoWrite` runs in the same transaction, after the booking is confirmed in memory, given
 * the tickets just issued as the booking's views show them (so its answer need not read
 * them back).
 * `afterLockExpired`: the payment came after the lock expired, and the caller has sold the seats
 * in the seat book already (SeatLedger.bookFree): the lock's rows stay as they ended.
 */
export function confirmBooking(
  show: ShowState,
  currency: string,
  booking: StoredBooking,
  chargeKey: string,
  charge: Succeeded,
  alsoWrite: (tickets: BookingTicket[]) => void,
  afterLockExpired = false,
): void {
  const at = Date.now();
  booking.status = "confirmed";
  booking.paymentId = charge.paymentId;
  const tickets = issueTickets(show, booking, at);
  booking.ticketId = tickets[0]?.ticketId ?? null;
  booking.cardBrand = charge.card.brand;
  booking.cardLast4 = charge.card.last4;
  booking.confirmedAt = at;
  // Listed seats it buys are resold in this same step (read before the ledger ends them).
  const bought = listingsBought(show, booking);
  const resale = resaleWrites(show, booking, bought, at);
  if (!afterLockExpired) show.seats.confirm(booking.lockId, booking.bookingId);
  const areas = booking.areas ?? [];
  show.change({
    at,
    seats: booking.seatIds,
    store: () => {
      resale.store();
      show.attemptStorage.setAttemptStatus(chargeKey, "succeeded");
      show.bookingStorage.updateBooking(booking);
      show.ticketStorage.insertAll(tickets);
      show.seatStorage.setSeatsBooking(booking.seatIds, booking.bookingId);
      show.seatStorage.moveAreaPlaces("booked", areas, 1);
      if (!afterLockExpired) show.seatStorage.endLock(booking.lockId, "confirmed", at);
    },
    d1: [
      // The sellers' seats are given up before this booking takes them (D1's unique index).
      ...resale.d1,
      ...(booking.createdWithCard
        ? bookingInserted(show.db, show.info, booking, bookingSeats(show.seats, booking))
        : [bookingConfirmed(show.db, booking)]),
      ticketsIssued(show.db, show.showId, tickets),
      paymentRecorded(show.db, {
        paymentId: charge.paymentId,
        bookingId: booking.bookingId,
        amountMinor: booking.totalMinor,
        currency: currency,
        brand: charge.card.brand,
        last4: charge.card.last4,
        processedAt: charge.processedAt,
      }),
      ...(afterLockExpired ? [] : [lockEnded(show.db, booking.lockId, "confirmed", at)]),
    ],
    events: [
      { type: "booking.confirmed", data: bookingEventData(show.showId, booking, currency) },
      ...resale.events,
    ],
    reply: () => alsoWrite(issuedTicketViews(tickets)),
  });
  // The sellers' refunds are the alarm's to make, now and until the provider confirms them:
  // the buyer's answer does not wait for another payment call.
  if (bought.length > 0) void show.armAlarm(at);
}

/** What a confirmation writes as its answer, in its own transaction. */
export interface PaidReplies {
  /** Given the tickets the confirmation issued. */
  confirmed?: (tickets: BookingTicket[]) => void;
  /** The show was cancelled while the charge was under way. */
  cancelled?: () => void;
}

/**
 * A charge went through: the booking is confirmed (or, when the show was cancelled while
 * the charge was under way, recorded with its payment and refunded at once, the money
 * trail kept). `replies` write the answer in the same transaction. `afterLockExpired`:
 * the payment came after the lock expired and the caller sold the seats already.
 */
export async function confirmPaid(
  show: ShowState,
  currency: string,
  refundNow: (bookingId: string) => Promise<void>,
  paid: {
    booking: StoredBooking;
    chargeKey: string;
    charge: Succeeded;
    context: LogFields;
    replies: PaidReplies;
    afterLockExpired: boolean;
  },
): Promise<void> {
  const { booking, charge, replies } = paid;
  // One line per paid booking: the charge's fields go on the line that says how it ended.
  const fields = {
    ...paid.context,
    booking_id: booking.bookingId,
    payment_id: charge.paymentId,
    card_brand: charge.card.brand,
  };
  const cancelled = show.info.status === "cancelled";
  try {
    confirmBooking(
      show,
      currency,
      booking,
      paid.chargeKey,
      charge,
      (tickets) => {
        if (!cancelled) {
          replies.confirmed?.(tickets);
          return;
        }
        show.bookingStorage.requestCancellation(booking.bookingId, Date.now());
        replies.cancelled?.();
      },
      paid.afterLockExpired,
    );
  } catch (error) {
    // The charge is logged whatever happens next (the alarm settles the open attempt).
    show.log.write("error", "payment charged, confirmation failed", fields);
    throw error;
  }
  if (cancelled) {
    show.log.write("warn", "payment after cancellation", fields);
    await refundNow(booking.bookingId);
  } else {
    show.log.write("info", "booking confirmed", {
      ...fields,
      user: booking.userId,
      seats: booking.seatIds.length,
    });
  }
  // D1 gets the booking with the batch window's other changes (ShowState.flushToD1Soon),
  // not on the buyer's path: the object answers the booking's reads meanwhile, and the
  // outbox rows were stored with the confirmation, so a stop loses nothing.
}
