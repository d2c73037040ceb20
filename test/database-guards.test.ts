import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { newId } from "../src/lib/ids.ts";

// The database enforces invariant 1 by itself, whatever the code above it does.

const future = "2099-01-01T00:00:00.000Z";
let showId: string;

beforeEach(() => {
  showId = newId("show");
});

function lockRow(lockId: string, seatId: string, status = "locked") {
  return env.DB.prepare(
    "INSERT INTO seat_locks (lock_id, show_id, seat_id, user_id, status, expires_at) VALUES (?, ?, ?, 'user_1', ?, ?)",
  ).bind(lockId, showId, seatId, status, future);
}

function bookingRow(bookingId: string, status = "confirmed") {
  return env.DB.prepare(
    "INSERT INTO bookings (booking_id, user_id, show_id, event_id, lock_id, status, total_amount) VALUES (?, 'user_1', ?, 'event_1', ?, ?, 500)",
  ).bind(bookingId, showId, newId("lock"), status);
}

function bookingSeatRow(bookingId: string, seatId: string) {
  return env.DB.prepare(
    "INSERT INTO booking_seats (booking_id, show_id, seat_id, row, number, price) VALUES (?, ?, ?, 'A', 1, 500)",
  ).bind(bookingId, showId, seatId);
}

describe("seat_locks", () => {
  it("refuses a second live lock on the same seat of a show", async () => {
    await lockRow("lock_a", "seat_1").run();
    await expect(lockRow("lock_b", "seat_1").run()).rejects.toThrow(/UNIQUE constraint failed/);
  });

  it("allows a new lock once the old one is released or expired", async () => {
    await lockRow("lock_a", "seat_2", "released").run();
    await lockRow("lock_b", "seat_2", "expired").run();
    await lockRow("lock_c", "seat_2").run();
    const { results } = await env.DB.prepare(
      "SELECT lock_id FROM seat_locks WHERE show_id = ? AND seat_id = 'seat_2' AND status = 'locked'",
    )
      .bind(showId)
      .all<{ lock_id: string }>();
    expect(results.map((r) => r.lock_id)).toEqual(["lock_c"]);
  });

  it("refuses an unknown lock status", async () => {
    await expect(lockRow("lock_x", "seat_3", "stolen").run()).rejects.toThrow(
      /CHECK constraint failed/,
    );
  });
});

describe("booking_seats", () => {
  it("refuses the same seat of a show in two live bookings", async () => {
    await bookingRow("booking_1").run();
    await bookingRow("booking_2").run();
    await bookingSeatRow("booking_1", "seat_9").run();
    await expect(bookingSeatRow("booking_2", "seat_9").run()).rejects.toThrow(
      /UNIQUE constraint failed/,
    );
  });

  it("frees the seat when its booking is cancelled, so it can be sold again", async () => {
    await bookingRow("booking_3").run();
    await bookingSeatRow("booking_3", "seat_7").run();
    await env.DB.prepare(
      "UPDATE bookings SET status = 'cancelled' WHERE booking_id = 'booking_3'",
    ).run();
    const seat = await env.DB.prepare(
      "SELECT active FROM booking_seats WHERE booking_id = 'booking_3'",
    ).first<{ active: number }>();
    expect(seat?.active).toBe(0);
    await bookingRow("booking_4").run();
    await bookingSeatRow("booking_4", "seat_7").run();
  });

  it("refuses a booking with an unknown status or a negative amount", async () => {
    await expect(bookingRow("booking_5", "refunded").run()).rejects.toThrow(
      /CHECK constraint failed/,
    );
    await expect(
      env.DB.prepare(
        "INSERT INTO bookings (booking_id, user_id, show_id, event_id, lock_id, total_amount) VALUES ('booking_6', 'u', ?, 'e', 'lock_6', -1)",
      )
        .bind(showId)
        .run(),
    ).rejects.toThrow(/CHECK constraint failed/);
  });

  it("refuses a second booking for the same lock", async () => {
    const insert = (bookingId: string) =>
      env.DB.prepare(
        "INSERT INTO bookings (booking_id, user_id, show_id, event_id, lock_id, total_amount) VALUES (?, 'u', ?, 'e', 'lock_shared', 1)",
      )
        .bind(bookingId, showId)
        .run();
    await insert(newId("booking"));
    await expect(insert(newId("booking"))).rejects.toThrow(/UNIQUE constraint failed/);
  });
});

describe("the writes the show object sends to D1", () => {
  it("fail on a second live sale of a seat instead of being dropped, and a retry is a no-op", async () => {
    const { bookingInserted } = await import("../src/show/d1/booking-d1.ts");
    const { database } = await import("../src/db/database.ts");
    const db = database(env.DB);
    const booking = (bookingId: string, lockId: string) => ({
      bookingId,
      lockId,
      userId: "user_1",
      seatIds: ["seat_g_A_1"],
      totalMinor: 50_000,
      seatPrices: null,
      status: "confirmed" as const,
      createdWithCard: true,
      paymentId: "pay_1",
      ticketId: "ticket_1",
      cardBrand: "visa",
      cardLast4: "1111",
      createdAt: Date.now(),
      confirmedAt: Date.now(),
      cancelledAt: null,
    });
    const seats = [{ seat_id: "seat_g_A_1", row: "A", number: 1, price: 500 }];
    const run = (statements: { sql: string; params: unknown[] }[]) =>
      env.DB.batch(statements.map((s) => env.DB.prepare(s.sql).bind(...s.params)));
    const first = bookingInserted(
      db,
      { showId, eventId: "event_1" },
      booking(newId("booking"), newId("lock")),
      seats,
    );
    await run(first);
    await run(first); // the outbox retrying the same write
    const second = bookingInserted(
      db,
      { showId, eventId: "event_1" },
      booking(newId("booking"), newId("lock")),
      seats,
    );
    await expect(run(second)).rejects.toThrow(/UNIQUE constraint failed/);
    const sold = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM booking_seats WHERE show_id = ? AND seat_id = 'seat_g_A_1'",
    )
      .bind(showId)
      .first<{ n: number }>();
    expect(sold?.n).toBe(1);
  });
});
