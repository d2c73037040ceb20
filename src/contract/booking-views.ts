import type { BookingStatus } from "../db/schema.ts";

/** The JSON of a booking, as each answer shows it (snake_case field names). */

export interface BookedSeat {
  seat_id: string;
  row: string;
  number: number;
  price: number;
}

export interface BookingSnapshot {
  bookingId: string;
  showId: string;
  userId: string;
  seats: BookedSeat[];
  totalAmount: number;
  status: BookingStatus;
  paymentId: string | null;
  ticketId: string | null;
  /** ISO-8601. */
  createdAt: string;
  confirmedAt: string | null;
  cancelledAt: string | null;
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
    total_amount: booking.totalAmount,
    status: booking.status,
    payment_id: booking.paymentId,
    ticket_id: booking.ticketId,
    created_at: booking.createdAt,
  };
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
    total_amount: booking.totalAmount,
    status: booking.status,
    payment_id: booking.paymentId,
    ticket_id: booking.ticketId,
    ticket_url:
      booking.status === "confirmed" && booking.ticketId
        ? `${ticketBaseUrl.replace(/\/$/, "")}/tickets/${booking.ticketId}`
        : null,
    created_at: booking.createdAt,
    confirmed_at: booking.confirmedAt,
    cancelled_at: booking.cancelledAt,
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
