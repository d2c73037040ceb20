import { and, eq } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { bookingRefunds, bookingSeats } from "../../db/schema.ts";
import { iso } from "../../lib/iso-time.ts";
import { fromMinorUnits } from "../../lib/money.ts";
import type { ResaleRefund } from "../storage/resale-storage.ts";
import type { D1Statement } from "./d1-outbox.ts";

/**
 * The D1 writes of a resale. A resold seat leaves its seller's booking before the buyer's
 * booking takes it, in the same batch: D1's unique index over a show's active booked seats
 * (uq_booking_seats_show_seat_active) holds at every statement.
 */

function statement(query: { toSQL(): { sql: string; params: unknown[] } }): D1Statement {
  const { sql, params } = query.toSQL();
  return { sql, params };
}

/** The seller's booking no longer holds the seat (its row stays, as what was bought). */
export function sellerSeatReleased(db: Database, bookingId: string, seatId: string): D1Statement {
  return statement(
    db
      .update(bookingSeats)
      .set({ active: 0 })
      .where(and(eq(bookingSeats.bookingId, bookingId), eq(bookingSeats.seatId, seatId))),
  );
}

/** The seller's refund of a resold ticket is owed (a retried write is a no-op). */
export function resaleRefundOwed(db: Database, showId: string, refund: ResaleRefund): D1Statement {
  return statement(
    db
      .insert(bookingRefunds)
      .values({
        ticketId: refund.ticketId,
        bookingId: refund.bookingId,
        showId,
        amount: fromMinorUnits(refund.amountMinor),
        reason: "resold",
        status: "pending",
        createdAt: iso(refund.createdAt),
      })
      .onConflictDoNothing({ target: bookingRefunds.ticketId }),
  );
}

/** The provider confirmed the seller's refund. */
export function resaleRefundDone(
  db: Database,
  ticketId: string,
  refundId: string,
  at: number,
): D1Statement {
  return statement(
    db
      .update(bookingRefunds)
      .set({ status: "succeeded", refundId, refundedAt: iso(at) })
      .where(eq(bookingRefunds.ticketId, ticketId)),
  );
}
