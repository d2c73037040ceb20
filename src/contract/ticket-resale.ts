/**
 * Face-value resale between the Worker and the show object: listing a ticket, withdrawing
 * it, and the answers. A buyer buys a listed seat by locking and booking it like any seat;
 * the seller's refund shows on their booking (booking-views.ts, `refunds`).
 */

/** POST /v1/tickets/{ticket_id}/resale, as the Worker hands it to the ticket's show. */
export interface ResaleCommand {
  ticketId: string;
  /** The caller: only the ticket's holder may list it. */
  userId: string;
  /** What a buyer pays (major units); absent: what was paid for the seat (its face price). */
  price?: number | undefined;
}

/** DELETE /v1/tickets/{ticket_id}/resale. */
export interface WithdrawCommand {
  ticketId: string;
  userId: string;
}

/** A ticket on offer, as its holder sees it. */
export interface ResaleListingView {
  ticket_id: string;
  seat_id: string;
  /** What a buyer pays, and what the seller is refunded once it sells. */
  price: number;
  /** What was paid for the seat: the most a listing may ask. */
  face_price: number;
  /** ISO-8601. */
  listed_at: string;
}

export interface ListedTicket {
  listing: ResaleListingView;
}

/** A seller's refund of a resold ticket, on their booking. */
export interface BookingRefundView {
  ticket_id: string;
  amount: number;
  reason: "resold";
  status: "pending" | "succeeded";
}
