import { describe, expect, it } from "vitest";
import { AreaInventory } from "../../src/show/seats/area-inventory.ts";
import { SeatLedger } from "../../src/show/seats/seat-ledger.ts";

/**
 * A general-admission area's places as counts: available + locked + held + booked is its
 * capacity through every lock, expiry, sale, cancellation and hold.
 */

function expectBalanced(inventory: AreaInventory) {
  for (const area of inventory.all()) {
    expect(area.available + area.locked + area.held + area.booked).toBe(area.capacity);
    expect(area.available).toBeGreaterThanOrEqual(0);
  }
}

describe("the area inventory", () => {
  it("refuses what is short, counting a zone asked for twice once, summed", () => {
    const areas = new AreaInventory([{ zone: "floor", capacity: 5, booked: 2, held: 1 }]);
    expect(areas.shortfall([{ zone: "floor", quantity: 2 }])).toEqual([]);
    expect(
      areas.shortfall([
        { zone: "floor", quantity: 2 },
        { zone: "floor", quantity: 1 },
      ]),
    ).toEqual([{ zone: "floor", available: 2 }]);
    expect(areas.shortfall([{ zone: "lawn", quantity: 1 }])).toEqual([
      { zone: "lawn", available: 0 },
    ]);
  });

  it("keeps its counts adding up through a ledger's locks, expiries, sales and cancellations", () => {
    const ledger = new SeatLedger([], [], new Map(), new Map(), true, [
      { zone: "floor", capacity: 10, booked: 0, held: 0 },
    ]);
    const lock = (lockId: string, quantity: number, now = 0) =>
      ledger.lock({
        lockId,
        userId: `user_${lockId}`,
        seatIds: [],
        now,
        durationMs: 1_000,
        areas: [{ zone: "floor", quantity }],
        areaPrice: () => 40,
      });

    const first = lock("a", 4);
    const second = lock("b", 4);
    const third = lock("c", 3);
    expect(first.ok && first.lock.areas).toEqual([{ zone: "floor", quantity: 4, price: 40 }]);
    expect(second.ok).toBe(true);
    expect(third).toEqual({
      ok: false,
      reason: "areas_short",
      areas: [{ zone: "floor", available: 2 }],
    });
    expectBalanced(ledger.areas);

    ledger.confirm("a", "booking_a");
    expect(ledger.areas.counts("floor")).toMatchObject({ booked: 4, locked: 4, available: 2 });
    expect(ledger.expireDue(2_000).map((l) => l.lockId)).toEqual(["b"]);
    expect(ledger.areas.counts("floor")).toMatchObject({ booked: 4, locked: 0, available: 6 });
    expect(ledger.reserveAreas([{ zone: "floor", quantity: 7 }])).toEqual([
      { zone: "floor", available: 6 },
    ]);
    expect(ledger.reserveAreas([{ zone: "floor", quantity: 6 }])).toEqual([]);
    expect(lock("d", 1, 2_000).ok).toBe(false);
    ledger.unbook("booking_a", [], [{ zone: "floor", quantity: 4 }]);
    expect(ledger.areas.counts("floor")).toMatchObject({ booked: 0, held: 6, available: 4 });
    ledger.release("d");
    expectBalanced(ledger.areas);
  });
});
