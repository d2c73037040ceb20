import { describe, expect, it } from "vitest";
import { SeatLedger } from "../../src/show/seats/seat-ledger.ts";
import type { SeatInfo } from "../../src/show/seats/seat-lock.ts";

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
  ledger: SeatLedger,
  lockId: string,
  userId: string,
  ids: string[],
  now = 0,
  durationMs = MIN,
) {
  return ledger.lock({ lockId, userId, seatIds: ids, now, durationMs });
}

describe("SeatLedger", () => {
  it("locks all requested seats or none", () => {
    const ledger = new SeatLedger(seats);
    expect(lock(ledger, "l1", "u1", ["s2"]).ok).toBe(true);
    const outcome = lock(ledger, "l2", "u2", ["s1", "s2", "s3"]);
    expect(outcome).toEqual({ ok: false, reason: "locked", seatIds: ["s2"] });
    expect(ledger.statusOf("s1", 0)).toBe("available");
    expect(ledger.statusOf("s3", 0)).toBe("available");
  });

  it("reports booked seats as unavailable, naming locked ones alongside", () => {
    const ledger = new SeatLedger(seats, [], new Map([["s1", "booking_1"]]));
    lock(ledger, "l1", "u1", ["s2"]);
    expect(lock(ledger, "l2", "u2", ["s1", "s2", "s3"])).toEqual({
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
    const ledger = new SeatLedger(seats);
    lock(ledger, "l1", "u1", ["s1"], 0, MIN);
    expect(ledger.statusOf("s1", MIN - 1)).toBe("locked");
    expect(ledger.statusOf("s1", MIN)).toBe("available");
    expect(ledger.liveLock("l1", MIN)).toBeUndefined();
  });

  it("lets a seat of an expired lock be locked again and still reports the old lock as expired", () => {
    const ledger = new SeatLedger(seats);
    lock(ledger, "l1", "u1", ["s1", "s2"], 0, MIN);
    expect(lock(ledger, "l2", "u2", ["s2"], MIN + 5).ok).toBe(true);
    const expired = ledger.expireDue(MIN + 5);
    expect(expired.map((l) => [l.lockId, l.status])).toEqual([["l1", "expired"]]);
    expect(ledger.statusOf("s2", MIN + 5)).toBe("locked");
    expect(ledger.statusOf("s1", MIN + 5)).toBe("available");
  });

  it("expires each lock once", () => {
    const ledger = new SeatLedger(seats);
    lock(ledger, "l1", "u1", ["s1"], 0, MIN);
    lock(ledger, "l2", "u1", ["s2"], 0, 2 * MIN);
    expect(ledger.nextExpiry()).toBe(MIN);
    expect(ledger.expireDue(MIN).map((l) => l.lockId)).toEqual(["l1"]);
    expect(ledger.expireDue(MIN)).toEqual([]);
    expect(ledger.nextExpiry()).toBe(2 * MIN);
  });

  it("releases a live lock once", () => {
    const ledger = new SeatLedger(seats);
    lock(ledger, "l1", "u1", ["s1"]);
    expect(ledger.release("l1")?.status).toBe("released");
    expect(ledger.release("l1")).toBeUndefined();
    expect(ledger.statusOf("s1", 0)).toBe("available");
    expect(ledger.nextExpiry()).toBeUndefined();
  });

  it("rebuilds live locks given to its constructor", () => {
    const ledger = new SeatLedger(seats, [
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
    expect(ledger.statusOf("s3", 1)).toBe("locked");
    expect(ledger.statusOf("s4", 1)).toBe("available");
  });
});
