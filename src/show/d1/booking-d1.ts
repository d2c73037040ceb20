import { and, eq, inArray } from "drizzle-orm";
import type { BookedSeat } from "../../contract/booking-views.ts";
import type { Database } from "../../db/database.ts";
import { bookingAreas, bookingSeats, bookings, payments } from "../../db/schema.ts";
import { iso } from "../../lib/iso-time.ts";
import { fromMinorUnits } from "../../lib/money.ts";
import type { StoredBooking } from "../storage/booking-storage.ts";
import type { ShowInfo } from "../storage/seat-storage.ts";
import type { D1Statement } from "./d1-outbox.ts";
import { numericParam, sqlOnce } from "./record-sql.ts";

/** The D1 writes that record a booking's life (bookings, booking_seats and _areas, payments). */

function statement(query: { toSQL(): { sql: string; params: unknown[] } }): D1Statement {
  const { sql, params } = query.toSQL();
  return { sql, params };
}

/**
 * The booking and its seats, in the status it has now. `sellersSeats`: seats of a pending
 * booking that are still their sellers' (listed for resale): inserted inactive, so D1's
 * unique index over active booked seats holds; its confirmation activates them (the
 * trigger of migration 0001) after the sellers' rows are made inactive, in one batch.
 */
export function bookingInserted(
  db: Database,
  show: Pick<ShowInfo, "showId" | "eventId">,
  booking: StoredBooking,
  seats: readonly BookedSeat[],
  sellersSeats: ReadonlySet<string> = new Set(),
): D1Statement[] {
  const { showId, eventId } = show;
  const { status } = booking;
  // D1 records bookings once paid (or pending without a card): never one that failed.
  if (status === "failed") throw new Error(`booking ${booking.bookingId} failed: not for D1`);
  const row = {
    bookingId: booking.bookingId,
    userId: booking.userId,
    showId,
    eventId,
    lockId: booking.lockId,
    status,
    totalAmount: fromMinorUnits(booking.totalMinor),
    paymentId: booking.paymentId,
    ticketId: booking.ticketId,
    createdAt: iso(booking.createdAt),
    confirmedAt: booking.confirmedAt === null ? null : iso(booking.confirmedAt),
  };
  const seatRows = seats.map((seat) => ({
    bookingId: booking.bookingId,
    showId,
    seatId: seat.seat_id,
    row: seat.row,
    number: seat.number,
    price: seat.price,
  }));
  const statements: D1Statement[] = [
    {
      sql: sqlOnce("bookingInserted", () =>
        db
          .insert(bookings)
          .values(row)
          // Only a retried write is a no-op (same booking id); a second booking of the lock fails.
          .onConflictDoNothing({ target: bookings.bookingId }),
      ),
      params: [
        row.bookingId,
        row.userId,
        row.showId,
        row.eventId,
        row.lockId,
        row.status,
        numericParam(row.totalAmount),
        row.paymentId,
        row.ticketId,
        row.createdAt,
        row.confirmedAt,
      ],
    },
  ];
  // A booking of standing places only has no seat rows (an INSERT needs one).
  if (seatRows.length > 0) {
    statements.push({
      sql: sqlOnce(`bookingSeats:${seatRows.length}`, () =>
        db
          .insert(bookingSeats)
          .values(seatRows)
          // Same: a retry is a no-op, a seat sold twice (uq_booking_seats_show_seat_active) fails.
          .onConflictDoNothing({ target: [bookingSeats.bookingId, bookingSeats.seatId] }),
      ),
      // The last value of each row is `active`: 1 for a sold seat.
      params: seatRows.flatMap((r) => [
        r.bookingId,
        r.showId,
        r.seatId,
        r.row,
        r.number,
        numericParam(r.price),
        sellersSeats.has(r.seatId) ? 0 : 1,
      ]),
    });
  }
  const areas = booking.areas ?? [];
  if (areas.length > 0) {
    statements.push(
      statement(
        db
          .insert(bookingAreas)
          .values(
            areas.map((area) => ({
              bookingId: booking.bookingId,
              showId,
              zone: area.zone,
              quantity: area.quantity,
              price: area.price,
            })),
          )
          .onConflictDoNothing({ target: [bookingAreas.bookingId, bookingAreas.zone] }),
      ),
    );
  }
  return statements;
}

/**
 * A pending booking that has just been paid; or an expired one whose payment came late
 * and whose seats were still free (the show object decided: D1 follows).
 */
export function bookingConfirmed(db: Database, booking: StoredBooking): D1Statement {
  return statement(
    db
      .update(bookings)
      .set({
        status: "confirmed",
        paymentId: booking.paymentId,
        ticketId: booking.ticketId,
        confirmedAt: booking.confirmedAt === null ? null : iso(booking.confirmedAt),
      })
      .where(
        and(
          eq(bookings.bookingId, booking.bookingId),
          inArray(bookings.status, ["pending", "expired"]),
        ),
      ),
  );
}

export function bookingEnded(
  db: Database,
  bookingId: string,
  status: "cancelled" | "expired",
  at: number,
): D1Statement {
  return statement(
    db
      .update(bookings)
      .set({ status, cancelledAt: status === "cancelled" ? iso(at) : null })
      .where(eq(bookings.bookingId, bookingId)),
  );
}

export function paymentRecorded(
  db: Database,
  payment: {
    paymentId: string;
    bookingId: string;
    amountMinor: number;
    currency: string;
    brand: string;
    last4: string;
    processedAt: string;
  },
): D1Statement {
  const row = {
    paymentId: payment.paymentId,
    bookingId: payment.bookingId,
    amount: fromMinorUnits(payment.amountMinor),
    currency: payment.currency,
    status: "succeeded" as const,
    cardBrand: payment.brand,
    cardLast4: payment.last4,
    processedAt: payment.processedAt,
  };
  const sql = sqlOnce("paymentRecorded", () =>
    db.insert(payments).values(row).onConflictDoNothing({ target: payments.paymentId }),
  );
  return {
    sql,
    params: [
      row.paymentId,
      row.bookingId,
      numericParam(row.amount),
      row.currency,
      row.status,
      row.cardBrand,
      row.cardLast4,
      row.processedAt,
    ],
  };
}

export function paymentRefunded(db: Database, paymentId: string, at: number): D1Statement {
  return statement(
    db
      .update(payments)
      .set({ status: "refunded", refundedAt: iso(at) })
      .where(eq(payments.paymentId, paymentId)),
  );
}
