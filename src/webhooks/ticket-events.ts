import type { EventData } from "./webhook-event-types.ts";

/** `data` of ticket.transferred: the new ticket, the one it replaced, and both holders. */
export function ticketTransferredData(transfer: {
  ticketId: string;
  previousTicketId: string;
  bookingId: string;
  showId: string;
  seatId: string | null;
  fromUserId: string;
  toUserId: string;
}): EventData {
  return {
    ticket_id: transfer.ticketId,
    previous_ticket_id: transfer.previousTicketId,
    booking_id: transfer.bookingId,
    show_id: transfer.showId,
    seat_id: transfer.seatId,
    from_user_id: transfer.fromUserId,
    to_user_id: transfer.toUserId,
  };
}

/**
 * `data` of ticket.resold: the seller's ticket (now void) and booking, the buyer's booking,
 * both holders, and the price (what the buyer paid and the seller is refunded).
 */
export function ticketResoldData(resale: {
  ticketId: string;
  bookingId: string;
  buyerBookingId: string;
  showId: string;
  seatId: string;
  fromUserId: string;
  toUserId: string;
  price: number;
}): EventData {
  return {
    ticket_id: resale.ticketId,
    booking_id: resale.bookingId,
    buyer_booking_id: resale.buyerBookingId,
    show_id: resale.showId,
    seat_id: resale.seatId,
    from_user_id: resale.fromUserId,
    to_user_id: resale.toUserId,
    price: resale.price,
  };
}
