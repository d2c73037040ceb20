import { describe, expect, it } from "vitest";
import { LiveLocks } from "../../src/show/seats/live-locks.ts";
import type { SeatLock } from "../../src/show/seats/seat-lock.ts";

function seatLock(
  lockId: string,
  seatIds: string[],
  expiresAt: number,
  extra: Partial<SeatLock> = {},
): SeatLock {
  return { lockId, userId: "u1", seatIds, lockedAt: 0, expiresAt, status: "locked", ...extra };
}

describe("LiveLocks", () => {
  it("stops answering a lock as holding once its expiry has come, until it is ended", () => {
    const locks = new LiveLocks();
    const lock = seatLock("l1", ["s1", "s2"], 100);
    locks.add(lock);
    expect(locks.onSeat("s1", 99)).toBe(lock);
    expect(locks.holding("l1", 99)).toBe(lock);
    expect(locks.onSeat("s1", 100)).toBeUndefined();
    expect(locks.holding("l1", 100)).toBeUndefined();
    // Still live (and pointing at its seats) until expireDue() reports and ends it.
    expect(locks.get("l1")).toBe(lock);
    expect(locks.pointsAt("s1")).toBe(true);
    expect(locks.due(100)).toEqual([lock]);
    expect(locks.due(99)).toEqual([]);
  });

  it("leaves a seat another lock took over after an expiry with that lock when the old one ends", () => {
    const locks = new LiveLocks();
    const old = seatLock("l1", ["s1", "s2"], 100);
    const next = seatLock("l2", ["s2"], 500);
    locks.add(old);
    locks.add(next);
    expect(locks.remove(old)).toBe(true);
    expect(locks.remove(old)).toBe(false);
    expect(locks.pointsAt("s1")).toBe(false);
    expect(locks.onSeat("s2", 200)).toBe(next);
  });

  it("counts a buyer's places, a code's uses and the next expiry from the locks that hold", () => {
    const locks = new LiveLocks();
    locks.add(seatLock("l1", ["s1", "s2"], 100, { accessCodeId: "code_1" }));
    locks.add(
      seatLock("l2", ["s3"], 300, {
        areas: [{ zone: "floor", quantity: 3, price: 10 }],
        accessCodeId: "code_1",
      }),
    );
    locks.add(seatLock("l3", ["s4"], 50, { userId: "u2", paying: true }));
    expect(locks.placesOf("u1", 0)).toBe(6);
    expect(locks.placesOf("u1", 100)).toBe(4);
    expect(locks.ofCode("code_1", 0)).toBe(2);
    expect(locks.ofCode("code_1", 100)).toBe(1);
    // A lock being paid for holds past its expiry and sets no alarm.
    expect(locks.placesOf("u2", 1_000)).toBe(1);
    expect(locks.nextExpiry()).toBe(100);
  });
});
