import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { BookedSeat } from "../src/contract/booking-views.ts";
import { database } from "../src/db/database.ts";
import { bookingSeats, bookings, payments, seatLocks, tickets } from "../src/db/schema.ts";
import { iso } from "../src/lib/iso-time.ts";
import { fromMinorUnits } from "../src/lib/money.ts";
import { bookingInserted, paymentRecorded } from "../src/show/d1/booking-d1.ts";
import { lockCreated, lockEnded } from "../src/show/d1/lock-d1.ts";
import { ticketsIssued } from "../src/show/d1/ticket-d1.ts";
import type { SeatLock } from "../src/show/seats/seat-lock.ts";
import type { StoredBooking } from "../src/show/storage/booking-storage.ts";
import type { StoredTicket } from "../src/show/storage/ticket-storage.ts";

/**
 * The outbox's hot statements reuse drizzle's SQL text and bind their values by hand
 * (src/show/record-sql.ts): each must be exactly what drizzle itself renders, for every
 * shape, after the text was first built from other values.
 */
const db = database(env.DB);
const toSql = (query: { toSQL(): { sql: string; params: unknown[] } }) => {
  const { sql, params } = query.toSQL();
  return { sql, params };
};

function lock(seatIds: string[], n: number): SeatLock {
  return {
    lockId: `lock_${n}`,
    userId: `user_${n}`,
    seatIds,
    lockedAt: 1_700_000_000_000 + n,
    expiresAt: 1_700_000_300_000 + n,
    status: "locked",
  };
}

function booking(n: number, confirmed: boolean): StoredBooking {
  return {
    bookingId: `booking_${n}`,
    lockId: `lock_${n}`,
    userId: `user_${n}`,
    seatIds: ["A-1", "A-2"],
    seatPrices: [1249.5, 0.3],
    totalMinor: 124_980 + n,
    status: confirmed ? "confirmed" : "pending",
    createdWithCard: confirmed,
    paymentId: confirmed ? `pay_${n}` : null,
    ticketId: confirmed ? `ticket_${n}` : null,
    cardBrand: null,
    cardLast4: null,
    createdAt: 1_700_000_000_000 + n,
    confirmedAt: confirmed ? 1_700_000_001_000 + n : null,
    cancelledAt: null,
  };
}

const seats = (n: number): BookedSeat[] =>
  Array.from({ length: n }, (_, i) => ({
    seat_id: `A-${i + 1}`,
    row: "A",
    number: i + 1,
    price: i % 2 ? 0.3 : 1249.5,
  })) as BookedSeat[];

describe("the outbox's statements", () => {
  it("lockCreated and lockEnded match drizzle for every seat count", () => {
    for (const round of [1, 2]) {
      for (let count = 1; count <= 10; count++) {
        const l = lock(
          Array.from({ length: count }, (_, i) => `B-${i + round}`),
          count * round,
        );
        const expected = toSql(
          db
            .insert(seatLocks)
            .values(
              l.seatIds.map((seatId) => ({
                lockId: l.lockId,
                showId: "show_x",
                seatId,
                userId: l.userId,
                status: "locked" as const,
                expiresAt: iso(l.expiresAt),
                createdAt: iso(l.lockedAt),
              })),
            )
            .onConflictDoNothing({ target: [seatLocks.lockId, seatLocks.seatId] }),
        );
        expect(lockCreated(db, "show_x", l)).toEqual([expected]);
      }
      for (const status of ["released", "expired", "confirmed"] as const) {
        const at = 1_700_000_000_000 + round;
        expect(lockEnded(db, `lock_${round}`, status, at)).toEqual(
          toSql(
            db
              .update(seatLocks)
              .set({ status, releasedAt: iso(at) })
              .where(and(eq(seatLocks.lockId, `lock_${round}`), eq(seatLocks.status, "locked"))),
          ),
        );
      }
    }
  });

  it("bookingInserted and paymentRecorded match drizzle, pending or confirmed", () => {
    for (const [n, confirmed] of [
      [1, true],
      [2, false],
      [3, true],
      [4, false],
    ] as const) {
      const b = booking(n, confirmed);
      for (let count = 1; count <= 4; count++) {
        const booked = seats(count);
        const expected = [
          toSql(
            db
              .insert(bookings)
              .values({
                bookingId: b.bookingId,
                userId: b.userId,
                showId: "show_x",
                eventId: "event_x",
                lockId: b.lockId,
                status: confirmed ? "confirmed" : "pending",
                totalAmount: fromMinorUnits(b.totalMinor),
                paymentId: b.paymentId,
                ticketId: b.ticketId,
                createdAt: iso(b.createdAt),
                confirmedAt: b.confirmedAt === null ? null : iso(b.confirmedAt),
              })
              .onConflictDoNothing({ target: bookings.bookingId }),
          ),
          toSql(
            db
              .insert(bookingSeats)
              .values(
                booked.map((seat) => ({
                  bookingId: b.bookingId,
                  showId: "show_x",
                  seatId: seat.seat_id,
                  row: seat.row,
                  number: seat.number,
                  price: seat.price,
                })),
              )
              .onConflictDoNothing({ target: [bookingSeats.bookingId, bookingSeats.seatId] }),
          ),
        ];
        expect(bookingInserted(db, { showId: "show_x", eventId: "event_x" }, b, booked)).toEqual(
          expected,
        );
      }
      const payment = {
        paymentId: `pay_${n}`,
        bookingId: b.bookingId,
        amountMinor: 30 + n,
        currency: "INR",
        brand: "visa",
        last4: "1111",
        processedAt: iso(1_700_000_000_000 + n),
      };
      expect(paymentRecorded(db, payment)).toEqual(
        toSql(
          db
            .insert(payments)
            .values({
              paymentId: payment.paymentId,
              bookingId: payment.bookingId,
              amount: fromMinorUnits(payment.amountMinor),
              currency: payment.currency,
              status: "succeeded",
              cardBrand: payment.brand,
              cardLast4: payment.last4,
              processedAt: payment.processedAt,
            })
            .onConflictDoNothing({ target: payments.paymentId }),
        ),
      );
    }
  });

  it("ticketsIssued matches drizzle for every seat count, with and without a seat", () => {
    for (const round of [1, 2]) {
      for (let count = 1; count <= 10; count++) {
        const issued: StoredTicket[] = Array.from({ length: count }, (_, i) => ({
          ticketId: `ticket_${round}_${count}_${i}`,
          bookingId: `booking_${round}_${count}`,
          // A general-admission place has no seat but a zone.
          seatId: i % 3 === 2 ? null : `A-${i + round}`,
          zone: i % 2 ? "premium" : null,
          userId: `user_${round}`,
          status: "valid",
          voidReason: null,
          issuedAt: 1_700_000_000_000 + round,
        }));
        const expected = toSql(
          db
            .insert(tickets)
            .values(
              issued.map((t) => ({
                ticketId: t.ticketId,
                bookingId: t.bookingId,
                showId: "show_x",
                seatId: t.seatId,
                zone: t.zone,
                userId: t.userId,
                status: t.status,
                voidReason: t.voidReason,
                issuedAt: iso(t.issuedAt),
              })),
            )
            .onConflictDoNothing({ target: tickets.ticketId }),
        );
        expect(ticketsIssued(db, "show_x", issued)).toEqual(expected);
      }
    }
  });
});
