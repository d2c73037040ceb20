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
