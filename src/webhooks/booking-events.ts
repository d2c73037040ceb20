import { fromMinorUnits } from "../lib/money.ts";
import type { StoredBooking } from "../show/storage/booking-storage.ts";
import type { EventData } from "./webhook-event-types.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** `data` of booking.confirmed, booking.cancelled and booking.expired. */
export function bookingEventData(
  showId: string,
  booking: StoredBooking,
  currency: string,
): EventData {
  return {
    booking_id: booking.bookingId,
    show_id: showId,
    user_id: booking.userId,
    status: booking.status,
    seat_ids: [...booking.seatIds],
    total_amount: fromMinorUnits(booking.totalMinor),
    currency,
    payment_id: booking.paymentId,
    ticket_id: booking.ticketId,
    created_at: new Date(booking.createdAt).toISOString(),
    confirmed_at: iso(booking.confirmedAt),
    cancelled_at: iso(booking.cancelledAt),
  };
}

/** `data` of payment.refunded: the booking's payment, given back in full. */
export function refundEventData(
  showId: string,
  booking: StoredBooking,
  currency: string,
  refundedAt: number,
  /** What was refunded (a booking with seats resold: less than its total). */
  amountMinor: number = booking.totalMinor,
): EventData {
  return {
    payment_id: booking.paymentId,
    booking_id: booking.bookingId,
    show_id: showId,
    user_id: booking.userId,
    amount: fromMinorUnits(amountMinor),
    currency,
    refunded_at: new Date(refundedAt).toISOString(),
  };
}

/**
 * `data` of booking.payment_refunded_late: a payment that went through after its booking
 * expired, with its seats sold meanwhile, given back in full.
 */
export function lateRefundEventData(
  showId: string,
  booking: StoredBooking,
  refund: { paymentId: string; refundId: string; amountMinor: number },
  currency: string,
  refundedAt: number,
): EventData {
  return {
    booking_id: booking.bookingId,
    show_id: showId,
    user_id: booking.userId,
    status: booking.status,
    seat_ids: [...booking.seatIds],
    payment_id: refund.paymentId,
    refund_id: refund.refundId,
    amount: fromMinorUnits(refund.amountMinor),
    currency,
    refunded_at: new Date(refundedAt).toISOString(),
  };
}
