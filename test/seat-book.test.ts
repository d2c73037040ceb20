import { describe, expect, it } from "vitest";
import { type SeatInfo, SeatLedger } from "../src/show/seats/seat-ledger.ts";

const seats: SeatInfo[] = ["s1", "s2", "s3", "s4"].map((seatId, i) => ({
  seatId,
  row: "A",
  number: i + 1,
  zone: "main",
  price: 100,
  position: i,
}));

const MIN = 60_000;

function lock(
  book: SeatLedger,
  lockId: string,
  userId: string,
  ids: string[],
  now = 0,
  durationMs = MIN,
) {
  return book.lock({ lockId, userId, seatIds: ids, now, durationMs });
}

describe("SeatLedger", () => {
  it("locks all requested seats or none", () => {
    const book = new SeatLedger(seats);
    expect(lock(book, "l1", "u1", ["s2"]).ok).toBe(true);
    const outcome = lock(book, "l2", "u2", ["s1", "s2", "s3"]);
    expect(outcome).toEqual({ ok: false, reason: "locked", seatIds: ["s2"] });
    expect(book.statusOf("s1", 0)).toBe("available");
    expect(book.statusOf("s3", 0)).toBe("available");
  });

  it("reports booked seats as unavailable, naming locked ones alongside", () => {
    const book = new SeatLedger(seats, [], new Map([["s1", "booking_1"]]));
    lock(book, "l1", "u1", ["s2"]);
    expect(lock(book, "l2", "u2", ["s1", "s2", "s3"])).toEqual({
      ok: false,
      reason: "unavailable",
      seatIds: ["s1", "s2"],
    });
  });

  it("names unknown seats", () => {
    expect(lock(new SeatLedger(seats), "l1", "u1", ["s1", "zz"])).toEqual({
      ok: false,
      reason: "unknown_seats",
      seatIds: ["zz"],
    });
  });

  it("stops holding seats at expires_at, before anything expires the lock", () => {
    const book = new SeatLedger(seats);
    lock(book, "l1", "u1", ["s1"], 0, MIN);
    expect(book.statusOf("s1", MIN - 1)).toBe("locked");
    expect(book.statusOf("s1", MIN)).toBe("available");
    expect(book.liveLock("l1", MIN)).toBeUndefined();
  });

  it("lets a seat of an expired lock be locked again and still reports the old lock as expired", () => {
    const book = new SeatLedger(seats);
    lock(book, "l1", "u1", ["s1", "s2"], 0, MIN);
    expect(lock(book, "l2", "u2", ["s2"], MIN + 5).ok).toBe(true);
    const expired = book.expireDue(MIN + 5);
    expect(expired.map((l) => [l.lockId, l.status])).toEqual([["l1", "expired"]]);
    expect(book.statusOf("s2", MIN + 5)).toBe("locked");
    expect(book.statusOf("s1", MIN + 5)).toBe("available");
  });

  it("expires each lock once", () => {
    const book = new SeatLedger(seats);
    lock(book, "l1", "u1", ["s1"], 0, MIN);
    lock(book, "l2", "u1", ["s2"], 0, 2 * MIN);
    expect(book.nextExpiry()).toBe(MIN);
    expect(book.expireDue(MIN).map((l) => l.lockId)).toEqual(["l1"]);
    expect(book.expireDue(MIN)).toEqual([]);
    expect(book.nextExpiry()).toBe(2 * MIN);
  });

  it("releases a live lock once", () => {
    const book = new SeatLedger(seats);
    lock(book, "l1", "u1", ["s1"]);
    expect(book.release("l1")?.status).toBe("released");
    expect(book.release("l1")).toBeUndefined();
    expect(book.statusOf("s1", 0)).toBe("available");
    expect(book.nextExpiry()).toBeUndefined();
  });

  it("rebuilds live locks given to its constructor", () => {
    const book = new SeatLedger(seats, [
      {
        lockId: "l1",
        userId: "u1",
        seatIds: ["s3"],
        lockedAt: 0,
        expiresAt: MIN,
        status: "locked",
      },
      {
        lockId: "l0",
        userId: "u1",
        seatIds: ["s4"],
        lockedAt: 0,
        expiresAt: MIN,
        status: "released",
      },
    ]);
    expect(book.statusOf("s3", 1)).toBe("locked");
    expect(book.statusOf("s4", 1)).toBe("available");
  });
});
