import { describe, expect, it } from "vitest";
import { pickBestAvailable } from "../../src/show/seats/best-available.ts";
import type { SeatInfo } from "../../src/show/seats/seat-lock.ts";

/** A zone of `rows` rows of `perRow` seats each. */
function zone(name: string, rows: string[], perRow: number, start = 0): SeatInfo[] {
  return rows.flatMap((row, r) =>
    Array.from({ length: perRow }, (_, i) => ({
      seatId: `${row}${i + 1}`,
      row,
      number: i + 1,
      zone: name,
      price: 1,
      position: start + r * perRow + i,
    })),
  );
}

function pick(seats: SeatInfo[], quantity: number, zones: string[], taken: string[] = []) {
  const takenSet = new Set(taken);
  return pickBestAvailable({
    seats,
    quantity,
    zones,
    isAvailable: (id) => !takenSet.has(id),
  })?.map((s) => s.seatId);
}

describe("pickBestAvailable", () => {
  it("picks adjacent seats in the middle row, centred", () => {
    const seats = zone("main", ["A", "B", "C"], 10);
    expect(pick(seats, 2, ["main"])).toEqual(["B5", "B6"]);
    expect(pick(seats, 4, ["main"])).toEqual(["B4", "B5", "B6", "B7"]);
  });

  it("moves off-centre or to another row when the middle is taken", () => {
    const seats = zone("main", ["A", "B", "C"], 10);
    const picked = pick(seats, 2, ["main"], ["B5", "B6"]);
    expect(picked).toHaveLength(2);
    expect(picked).not.toContain("B5");
    expect(picked).not.toContain("B6");
  });

  it("avoids leaving a lone seat between taken ones when it can", () => {
    // Row of 10, seat 3 taken. The centred pair 5-6 would strand seat 4 between taken 3
    // and 5; 4-5 is as close to the centre once the lone seat counts, and strands nothing.
    const row = zone("main", ["A"], 10);
    expect(pick(row, 2, ["main"], ["A3"])).toEqual(["A4", "A5"]);
    // With nothing taken the centred pair is right.
    expect(pick(row, 2, ["main"])).toEqual(["A5", "A6"]);
  });

  it("still picks seats when every choice leaves a lone seat", () => {
    expect(pick(zone("main", ["A"], 3), 2, ["main"])).toEqual(["A1", "A2"]);
  });

  it("tries zones in the order given and keeps to them", () => {
    const seats = [...zone("gold", ["A"], 4), ...zone("silver", ["B", "C"], 6, 4)];
    expect(pick(seats, 3, ["gold", "silver"])?.every((id) => id.startsWith("A"))).toBe(true);
    expect(pick(seats, 5, ["gold", "silver"])?.every((id) => /^[BC]/.test(id))).toBe(true);
    expect(pick(seats, 2, ["silver"])?.every((id) => /^[BC]/.test(id))).toBe(true);
  });

  it("returns undefined when no row has enough adjacent seats", () => {
    const seats = zone("main", ["A", "B"], 5);
    expect(pick(seats, 3, ["main"], ["A3", "B3"])).toBeUndefined();
    expect(pick(seats, 6, ["main"])).toBeUndefined();
  });
});
