import type {
  BookedSeat,
  BookingShow,
  BookingSnapshot,
  BookingTicket,
} from "../../contract/booking-views.ts";
import { iso } from "../../lib/iso-time.ts";
import { fromMinorUnits } from "../../lib/money.ts";
import type { SeatLedger } from "../seats/seat-ledger.ts";
import type { StoredBooking } from "../storage/booking-storage.ts";
import type { LateRefund } from "../storage/late-refund-storage.ts";
import type { ResaleRefund } from "../storage/resale-storage.ts";
import type { ShowInfo } from "../storage/seat-storage.ts";

/** A stored booking as the Worker's booking views take it. */

export function bookingSeats(seats: SeatLedger, booking: StoredBooking): BookedSeat[] {
  return booking.seatIds.map((id, i) => {
    const seat = seats.seats.get(id);
    return {
      seat_id: id,
      row: seat?.row ?? "",
      number: seat?.number ?? 0,
      // The price its lock fixed; bookings stored before that was kept: today's price.
      price: booking.seatPrices?.[i] ?? seat?.price ?? 0,
    };
  });
}

/**
 * `tickets`: the booking's (booking-tickets.ts); `lateRefund`: the refund of a payment that
 * came after the booking expired, if any.
 */
export function bookingSnapshot(
  info: ShowInfo,
  seats: SeatLedger,
  booking: StoredBooking,
  tickets: BookingTicket[],
  lateRefund?: LateRefund,
  /** Its sellers' refunds of resold seats. */
  resaleRefunds: readonly ResaleRefund[] = [],
): BookingSnapshot {
  return {
    bookingId: booking.bookingId,
    showId: info.showId,
    userId: booking.userId,
    seats: bookingSeats(seats, booking),
    areas: booking.areas ?? [],
    totalAmount: fromMinorUnits(booking.totalMinor),
    status: booking.status,
    paymentId: booking.paymentId,
    ticketId: booking.ticketId,
    tickets,
    createdAt: iso(booking.createdAt),
    confirmedAt: booking.confirmedAt === null ? null : iso(booking.confirmedAt),
    cancelledAt: booking.cancelledAt === null ? null : iso(booking.cancelledAt),
    ...(lateRefund
      ? {
          refund: {
            refund_id: lateRefund.refundId,
            amount: fromMinorUnits(lateRefund.amountMinor),
            status: lateRefund.status,
          },
        }
      : {}),
    ...(resaleRefunds.length > 0 && {
      refunds: resaleRefunds.map((refund) => ({
        ticket_id: refund.ticketId,
        amount: fromMinorUnits(refund.amountMinor),
        reason: "resold" as const,
        status: refund.status,
      })),
    }),
  };
}

export function bookingShow(info: ShowInfo): BookingShow {
  return { eventName: info.eventName, showTime: iso(info.showTime), venueName: info.venueName };
}
