import type { BookingStatus } from "../db/schema.ts";
import type { BookingRefundView } from "./ticket-resale.ts";

/** The JSON of a booking, as each answer shows it (snake_case field names). */

/**
 * A booking's status as answers show it: D1's four, and `failed`, which only the show
 * object has: a booking made with its payment, whose payment then failed in the provider's
 * page (3-D Secure refused). It never reached D1, which records bookings once paid.
 */
export type BookingViewStatus = BookingStatus | "failed";

/** A payment that went through after its booking expired, given back (late money). */
export interface LateRefundView {
  refund_id: string | null;
  amount: number;
  status: "pending" | "succeeded";
}

export interface BookedSeat {
  seat_id: string;
  row: string;
  number: number;
  price: number;
}

/** A ticket's status: `used` once checked in, `void` once it admits no one. */
export type TicketStatus = "valid" | "used" | "void";

/**
 * One of a booking's tickets, as the booking lists it: one per seat (`seat_id`), or, for a
 * booking confirmed before tickets were per seat, its one ticket for all its seats
 * (`seat_id` null).
 */
export interface BookingTicket {
  ticket_id: string;
  seat_id: string | null;
  /** A standing area's place: its zone (no seat). */
  zone?: string;
  status: TicketStatus;
  user_id: string;
}

/** Places of a standing area in a booking, each at `price`. */
export interface BookedPlaces {
  zone: string;
  quantity: number;
  price: number;
}

export interface BookingSnapshot {
  bookingId: string;
  showId: string;
  userId: string;
  seats: BookedSeat[];
  /** Places of standing areas (empty for a booking of seats only). */
  areas: BookedPlaces[];
  totalAmount: number;
  status: BookingViewStatus;
  paymentId: string | null;
  /** The booking's first ticket (its only one, if confirmed before tickets were per seat). */
  ticketId: string | null;
  /** Every ticket of the booking, void ones included; none until it is confirmed. */
  tickets: BookingTicket[];
  /** ISO-8601. */
  createdAt: string;
  confirmedAt: string | null;
  cancelledAt: string | null;
  /** Only on a booking whose payment came after it expired and was refunded. */
  refund?: LateRefundView;
  /** Parts of its payment given back apart from a cancellation (resold seats); absent: none. */
  refunds?: BookingRefundView[];
}

export interface BookingShow {
  eventName: string;
  showTime: string;
  venueName: string;
}

/** POST /v1/bookings → 201 `{"booking": ...}` */
export function createdBookingView(booking: BookingSnapshot) {
  return {
    booking_id: booking.bookingId,
    show_id: booking.showId,
    user_id: booking.userId,
    seats: booking.seats,
    ...areasField(booking),
    total_amount: booking.totalAmount,
    status: booking.status,
    payment_id: booking.paymentId,
    ticket_id: booking.ticketId,
    tickets: booking.tickets,
    created_at: booking.createdAt,
    ...(booking.refund ? { refund: booking.refund } : {}),
    ...(booking.refunds?.length ? { refunds: booking.refunds } : {}),
  };
}

/** `areas`, only on a booking with places of standing areas (other bookings keep their shape). */
function areasField(booking: BookingSnapshot): { areas?: BookedPlaces[] } {
  return booking.areas.length > 0 ? { areas: booking.areas } : {};
}

/** GET /v1/bookings/{id} and the booking list: the show spelled out, and the ticket's URL. */
export function bookingDetailView(
  booking: BookingSnapshot,
  show: BookingShow,
  ticketBaseUrl: string,
) {
  return {
    booking_id: booking.bookingId,
    show: {
      show_id: booking.showId,
      event_name: show.eventName,
      show_time: show.showTime,
      venue: show.venueName,
    },
    user_id: booking.userId,
    seats: booking.seats,
    ...areasField(booking),
    total_amount: booking.totalAmount,
    status: booking.status,
    payment_id: booking.paymentId,
    ticket_id: booking.ticketId,
    ticket_url:
      booking.status === "confirmed" && booking.ticketId
        ? `${ticketBaseUrl.replace(/\/$/, "")}/tickets/${booking.ticketId}`
        : null,
    tickets: booking.tickets,
    created_at: booking.createdAt,
    confirmed_at: booking.confirmedAt,
    cancelled_at: booking.cancelledAt,
    ...(booking.refund ? { refund: booking.refund } : {}),
    ...(booking.refunds?.length ? { refunds: booking.refunds } : {}),
  };
}

/** GET /v1/bookings and GET /v1/shows/{id}/bookings: a page of bookings in detail. */
export function bookingListView(
  page: { items: { booking: BookingSnapshot; show: BookingShow }[]; nextCursor: string | null },
  ticketBaseUrl: string,
) {
  return {
    bookings: page.items.map((read) => bookingDetailView(read.booking, read.show, ticketBaseUrl)),
    next_cursor: page.nextCursor,
  };
}
