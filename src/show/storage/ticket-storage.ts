import type { StoredTicketStatus } from "../../db/schema.ts";

/**
 * The show object's SQLite record of its tickets: one per seat of a confirmed booking (or,
 * later, per general-admission place: no seat, a zone), issued in the confirmation's
 * transaction. A booking confirmed before tickets were per seat has no rows here: its one
 * ticket is `bookings.ticket_id` (see services/booking-tickets.ts).
 */

/** A ticket as the object keeps it. Times are epoch milliseconds. */
export interface StoredTicket {
  ticketId: string;
  bookingId: string;
  seatId: string | null;
  zone: string | null;
  userId: string;
  status: StoredTicketStatus;
  /** Why it admits no one (`cancelled`), once void. */
  voidReason: string | null;
  issuedAt: number;
}

/** What the door's manifest needs of each ticket. */
export interface TicketState {
  ticketId: string;
  bookingId: string;
  status: StoredTicketStatus;
}

interface TicketRow extends Record<string, SqlStorageValue> {
  ticket_id: string;
  booking_id: string;
  seat_id: string | null;
  zone: string | null;
  user_id: string;
  status: StoredTicketStatus;
  void_reason: string | null;
  issued_at: number;
}

function toTicket(row: TicketRow): StoredTicket {
  return {
    ticketId: row.ticket_id,
    bookingId: row.booking_id,
    seatId: row.seat_id,
    zone: row.zone,
    userId: row.user_id,
    status: row.status,
    voidReason: row.void_reason,
    issuedAt: row.issued_at,
  };
}

const COLUMNS = 8;

export class TicketStorage {
  constructor(private readonly sql: SqlStorage) {}

  /** A booking's tickets, in one statement whatever their number (it runs on the sale's path). */
  insertAll(tickets: readonly StoredTicket[]): void {
    if (tickets.length === 0) return;
    const row = `(${new Array(COLUMNS).fill("?").join(", ")})`;
    this.sql.exec(
      `INSERT INTO tickets (ticket_id, booking_id, seat_id, zone, user_id, status, void_reason, issued_at)
       VALUES ${new Array(tickets.length).fill(row).join(", ")}`,
      ...tickets.flatMap((t) => [
        t.ticketId,
        t.bookingId,
        t.seatId,
        t.zone,
        t.userId,
        t.status,
        t.voidReason,
        t.issuedAt,
      ]),
    );
  }

  find(ticketId: string): StoredTicket | undefined {
    const row = this.sql
      .exec<TicketRow>("SELECT * FROM tickets WHERE ticket_id = ?", ticketId)
      .toArray()[0];
    return row ? toTicket(row) : undefined;
  }

  /** The booking's tickets in the order they were issued (its seats' order). */
  ofBooking(bookingId: string): StoredTicket[] {
    return this.sql
      .exec<TicketRow>("SELECT * FROM tickets WHERE booking_id = ? ORDER BY rowid", bookingId)
      .toArray()
      .map(toTicket);
  }

  /** Voids the booking's valid tickets (none for a booking from before per-seat tickets). */
  voidBooking(bookingId: string, reason: string): void {
    this.sql.exec(
      "UPDATE tickets SET status = 'void', void_reason = ? WHERE booking_id = ? AND status = 'valid'",
      reason,
      bookingId,
    );
  }

  /** Every ticket of the show, for the manifest: one read, however many. */
  all(): TicketState[] {
    return this.sql
      .exec<{ ticket_id: string; booking_id: string; status: StoredTicketStatus }>(
        "SELECT ticket_id, booking_id, status FROM tickets ORDER BY rowid",
      )
      .toArray()
      .map((row) => ({ ticketId: row.ticket_id, bookingId: row.booking_id, status: row.status }));
  }
}
