import { describe, expect, it } from "vitest";
import type { Accessibility } from "../../src/contract/seat-accessibility.ts";
import { SeatLedger } from "../../src/show/seats/seat-ledger.ts";
import type { SeatInfo } from "../../src/show/seats/seat-lock.ts";

/** One zone: row A `kinds` (null for a plain seat), row B four plain seats. */
function hall(kinds: (Accessibility | null)[]): SeatInfo[] {
  const seat = (row: string, number: number, accessibility: Accessibility | null) => ({
    seatId: `${row}${number}`,
    row,
    number,
    zone: "stalls",
    price: 10,
    position: 0,
    accessibility,
  });
  return [
    ...kinds.map((kind, i) => seat("A", i + 1, kind)),
    ...[1, 2, 3, 4].map((n) => seat("B", n, null)),
  ];
}

const NOW = 1_000;
const lockOf = (ledger: SeatLedger, seatIds: string[], id = "lock_1") =>
  ledger.lock({ lockId: id, userId: "u", seatIds, now: NOW, durationMs: 60_000 });

describe("the seat ledger's wheelchair and companion seats", () => {
  it("are left out of best available until every other seat of their zone is sold", () => {
    const ledger = new SeatLedger(hall(["companion", "wheelchair", "wheelchair", "companion"]));

    expect(ledger.bestAvailable(2, ["stalls"])?.map((s) => s.row)).toEqual(["B", "B"]);
    for (const n of [1, 2, 3, 4]) {
      const locked = lockOf(ledger, [`B${n}`], `lock_b${n}`);
      if (!locked.ok) throw new Error("lock failed");
      ledger.confirm(locked.lock.lockId, `booking_b${n}`);
    }

    expect(ledger.withheld("A1")).toBe(false);
    expect(ledger.bestAvailable(2, ["stalls"])?.map((s) => s.row)).toEqual(["A", "A"]);
  });

  it("are kept again when a seat of their zone comes free", () => {
    const ledger = new SeatLedger(hall(["wheelchair", null]));
    const locked = lockOf(ledger, ["A2", "B1", "B2", "B3", "B4"]);
    if (!locked.ok) throw new Error("lock failed");
    ledger.confirm(locked.lock.lockId, "booking_all");
    expect(ledger.withheld("A1")).toBe(false);

    ledger.unbook("booking_all", ["B1"]);

    expect(ledger.withheld("A1")).toBe(true);
  });

  it("refuse a companion seat alone, and take it with a wheelchair space", () => {
    const ledger = new SeatLedger(hall(["companion", "wheelchair"]));

    expect(lockOf(ledger, ["A1"])).toEqual({
      ok: false,
      reason: "companion_requires_wheelchair",
      seatIds: ["A1"],
    });
    expect(lockOf(ledger, ["A1", "A2"]).ok).toBe(true);
  });

  it("pick wheelchair spaces with companion seats next to them, consecutive in a row", () => {
    const ledger = new SeatLedger(
      hall(["wheelchair", null, "companion", "wheelchair", "companion", "wheelchair"]),
    );

    const picked = ledger.accessibleSeats(1, 2, ["stalls"], NOW)?.map((s) => s.seatId);
    const none = ledger.accessibleSeats(3, 0, ["stalls"], NOW);

    expect(picked).toEqual(["A3", "A4", "A5"]);
    expect(none).toBeUndefined();
  });

  it("are on plain sale when the show does not reserve them", () => {
    const ledger = new SeatLedger(
      hall(["companion", "wheelchair"]),
      [],
      new Map(),
      new Map(),
      false,
    );

    expect(ledger.withheld("A1")).toBe(false);
    expect(lockOf(ledger, ["A1"]).ok).toBe(true);
  });
});
