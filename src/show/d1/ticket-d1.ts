import { and, eq } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { tickets } from "../../db/schema.ts";
import { iso } from "../../lib/iso-time.ts";
import type { StoredTicket } from "../storage/ticket-storage.ts";
import type { D1Statement } from "./d1-outbox.ts";
import { sqlOnce } from "./record-sql.ts";

/** The D1 writes that copy a booking's tickets (GET /v1/tickets reads them there). */

/** A confirmed booking's tickets, in one statement (it goes with every sale). */
export function ticketsIssued(
  db: Database,
  showId: string,
  issued: readonly StoredTicket[],
): D1Statement {
  const rows = issued.map((ticket) => ({
    ticketId: ticket.ticketId,
    bookingId: ticket.bookingId,
    showId,
    seatId: ticket.seatId,
    zone: ticket.zone,
    userId: ticket.userId,
    status: ticket.status,
    voidReason: ticket.voidReason,
    issuedAt: iso(ticket.issuedAt),
  }));
  return {
    sql: sqlOnce(`ticketsIssued:${rows.length}`, () =>
      // A retried write is a no-op.
      db.insert(tickets).values(rows).onConflictDoNothing({ target: tickets.ticketId }),
    ),
    // In the table's column order, as drizzle binds them (test/record-sql.test.ts).
    params: rows.flatMap((r) => [
      r.ticketId,
      r.bookingId,
      r.showId,
      r.seatId,
      r.zone,
      r.userId,
      r.status,
      r.voidReason,
      r.issuedAt,
    ]),
  };
}

/**
 * The booking's tickets voided: its per-seat ones, or its one ticket from before (which
 * migration 0010 copied to D1 too).
 */
export function ticketsVoided(db: Database, bookingId: string, reason: string): D1Statement {
  const { sql, params } = db
    .update(tickets)
    .set({ status: "void", voidReason: reason })
    .where(and(eq(tickets.bookingId, bookingId), eq(tickets.status, "valid")))
    .toSQL();
  return { sql, params };
}

/**
 * One ticket void in D1 too: transferred (its successor goes in with ticketsIssued) or
 * resold (the buyer's goes in with their booking's).
 */
export function ticketVoidedAs(
  db: Database,
  ticketId: string,
  reason: "transferred" | "resold",
): D1Statement {
  const { sql, params } = db
    .update(tickets)
    .set({ status: "void", voidReason: reason })
    .where(eq(tickets.ticketId, ticketId))
    .toSQL();
  return { sql, params };
}
