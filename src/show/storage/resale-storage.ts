import type { ResaleListing } from "../seats/resale-listings.ts";

/**
 * The show object's SQLite record of face-value resale: holders' listings (the open ones
 * are the seat ledger's ResaleListings, rebuilt from here), and what each resold ticket's
 * seller is owed: a refund of the resale price through the seller's own charge, recorded
 * in the sale's step and tried until the provider confirms it (key `refund:resale:<ticket>`,
 * so one refund per resold ticket however often it is tried).
 */

export interface ResaleRefund {
  /** The seller's ticket that was resold. */
  ticketId: string;
  /** The seller's booking: its charge is refunded. */
  bookingId: string;
  buyerBookingId: string;
  amountMinor: number;
  status: "pending" | "succeeded";
  refundId: string | null;
  /** Tries that failed so far. */
  attempts: number;
  nextTryAt: number;
  createdAt: number;
  refundedAt: number | null;
}

interface ListingRow extends Record<string, SqlStorageValue> {
  ticket_id: string;
  seat_id: string;
  booking_id: string;
  user_id: string;
  price: number;
  listed_at: number;
}

interface RefundRow extends Record<string, SqlStorageValue> {
  ticket_id: string;
  booking_id: string;
  buyer_booking_id: string;
  amount_minor: number;
  status: "pending" | "succeeded";
  refund_id: string | null;
  attempts: number;
  next_try_at: number;
  created_at: number;
  refunded_at: number | null;
}

function toRefund(row: RefundRow): ResaleRefund {
  return {
    ticketId: row.ticket_id,
    bookingId: row.booking_id,
    buyerBookingId: row.buyer_booking_id,
    amountMinor: row.amount_minor,
    status: row.status,
    refundId: row.refund_id,
    attempts: row.attempts,
    nextTryAt: row.next_try_at,
    createdAt: row.created_at,
    refundedAt: row.refunded_at,
  };
}

export class ResaleStorage {
  constructor(private readonly sql: SqlStorage) {}

  /** The open listings, for the seat ledger. */
  openListings(): ResaleListing[] {
    return this.sql
      .exec<ListingRow>(
        "SELECT ticket_id, seat_id, booking_id, user_id, price, listed_at FROM resale_listings WHERE status = 'open'",
      )
      .toArray()
      .map((row) => ({
        ticketId: row.ticket_id,
        seatId: row.seat_id,
        bookingId: row.booking_id,
        userId: row.user_id,
        price: row.price,
        listedAt: row.listed_at,
      }));
  }

  list(listing: ResaleListing): void {
    this.sql.exec(
      `INSERT INTO resale_listings (ticket_id, seat_id, booking_id, user_id, price, status, listed_at)
       VALUES (?, ?, ?, ?, ?, 'open', ?)`,
      listing.ticketId,
      listing.seatId,
      listing.bookingId,
      listing.userId,
      listing.price,
      listing.listedAt,
    );
  }

  withdraw(ticketId: string, at: number): void {
    this.sql.exec(
      "UPDATE resale_listings SET status = 'withdrawn', ended_at = ? WHERE ticket_id = ? AND status = 'open'",
      at,
      ticketId,
    );
  }

  /**
   * The listing is sold to `buyerBookingId`, and its seller is owed the refund (once: a
   * second record for the ticket is ignored).
   */
  sold(listing: ResaleListing, buyerBookingId: string, amountMinor: number, at: number): void {
    this.sql.exec(
      "UPDATE resale_listings SET status = 'sold', ended_at = ?, buyer_booking_id = ? WHERE ticket_id = ? AND status = 'open'",
      at,
      buyerBookingId,
      listing.ticketId,
    );
    this.sql.exec(
      `INSERT OR IGNORE INTO resale_refunds (ticket_id, booking_id, buyer_booking_id, amount_minor, status, next_try_at, created_at)
       VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
      listing.ticketId,
      listing.bookingId,
      buyerBookingId,
      amountMinor,
      at,
      at,
    );
  }

  refunded(ticketId: string, refundId: string, at: number): void {
    this.sql.exec(
      "UPDATE resale_refunds SET status = 'succeeded', refund_id = ?, refunded_at = ? WHERE ticket_id = ?",
      refundId,
      at,
      ticketId,
    );
  }

  /** A try failed: the next is due at `nextTryAt`. */
  retried(ticketId: string, nextTryAt: number): void {
    this.sql.exec(
      "UPDATE resale_refunds SET attempts = attempts + 1, next_try_at = ? WHERE ticket_id = ?",
      nextTryAt,
      ticketId,
    );
  }

  /** A seller's booking's refunds, oldest first. */
  refundsOf(bookingId: string): ResaleRefund[] {
    return this.sql
      .exec<RefundRow>(
        "SELECT * FROM resale_refunds WHERE booking_id = ? ORDER BY created_at, ticket_id",
        bookingId,
      )
      .toArray()
      .map(toRefund);
  }

  /** Every seller's refund of the show, oldest first (the sales report counts them). */
  allRefunds(): ResaleRefund[] {
    return this.sql
      .exec<RefundRow>("SELECT * FROM resale_refunds ORDER BY created_at, ticket_id")
      .toArray()
      .map(toRefund);
  }

  /** Refunds the provider has not confirmed yet, oldest first. */
  pendingRefunds(): ResaleRefund[] {
    return this.sql
      .exec<RefundRow>(
        "SELECT * FROM resale_refunds WHERE status = 'pending' ORDER BY created_at, ticket_id",
      )
      .toArray()
      .map(toRefund);
  }
}
