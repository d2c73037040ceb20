import type { StoredTicketStatus } from "../../db/schema.ts";
import { TicketChangeLog } from "./ticket-change-log.ts";

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
  voidReason: string | null;
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
  /** Every change of a ticket's status here is logged for the door's manifest. */
  private readonly changes: TicketChangeLog;

  constructor(private readonly sql: SqlStorage) {
    this.changes = new TicketChangeLog(sql);
  }

  /** A booking's tickets, in one statement whatever their number (it runs on the sale's path). */
  insertAll(tickets: readonly StoredTicket[]): void {
    this.insertRows(tickets);
    for (const bookingId of new Set(tickets.map((t) => t.bookingId))) {
      this.changes.booking(bookingId);
    }
  }

  private insertRows(tickets: readonly StoredTicket[]): void {
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

  /**
   * Voids the booking's valid tickets (none for a booking from before per-seat tickets,
   * whose one ticket is void with its booking: the change is logged for it all the same).
   */
  voidBooking(bookingId: string, reason: string): void {
    this.sql.exec(
      "UPDATE tickets SET status = 'void', void_reason = ? WHERE booking_id = ? AND status = 'valid'",
      reason,
      bookingId,
    );
    this.changes.booking(bookingId);
  }

  /** `previous` is void as transferred and `next` (its successor, for the new holder) issued. */
  transfer(previous: StoredTicket, next: StoredTicket): void {
    this.voidOne(previous, "transferred");
    this.insertRows([next]);
    this.changes.ticket(next.bookingId, next.ticketId);
  }

  /** One ticket void on its own (transferred, resold), logged for the door's manifest. */
  voidOne(ticket: { ticketId: string; bookingId: string }, reason: string): void {
    this.sql.exec(
      "UPDATE tickets SET status = 'void', void_reason = ? WHERE ticket_id = ?",
      reason,
      ticket.ticketId,
    );
    this.changes.ticket(ticket.bookingId, ticket.ticketId);
  }

  /** Several bookings' tickets in one read (the manifest's changes), in issue order. */
  ofBookings(bookingIds: readonly string[]): TicketState[] {
    if (bookingIds.length === 0) return [];
    return this.sql
      .exec<TicketRow>(
        `SELECT * FROM tickets WHERE booking_id IN (${bookingIds.map(() => "?").join(", ")}) ORDER BY rowid`,
        ...bookingIds,
      )
      .toArray()
      .map(toTicket);
  }

  /** Every ticket of the show, for the manifest: one read, however many. */
  all(): TicketState[] {
    return this.sql
      .exec<{
        ticket_id: string;
        booking_id: string;
        status: StoredTicketStatus;
        void_reason: string | null;
      }>("SELECT ticket_id, booking_id, status, void_reason FROM tickets ORDER BY rowid")
      .toArray()
      .map((row) => ({
        ticketId: row.ticket_id,
        bookingId: row.booking_id,
        status: row.status,
        voidReason: row.void_reason,
      }));
  }
}
