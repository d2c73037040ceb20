import { describe, expect, it } from "vitest";
import { pickBestAvailable } from "../../src/show/seats/best-available.ts";
import { SeatLedger } from "../../src/show/seats/seat-ledger.ts";
import type { SeatInfo } from "../../src/show/seats/seat-lock.ts";

/** Zones of `rows` rows of `perRow` seats, in seat-map order; seat ids `<row>_<number>`. */
function venue(zones: { name: string; rows: number; perRow: number }[]): SeatInfo[] {
  const seats: SeatInfo[] = [];
  let rowCount = 0;
  for (const zone of zones) {
    for (let r = 0; r < zone.rows; r++) {
      const row = `R${rowCount++}`;
      for (let n = 1; n <= zone.perRow; n++) {
        seats.push({
          seatId: `${row}_${n}`,
          row,
          number: n,
          zone: zone.name,
          price: 40,
          position: seats.length,
        });
      }
    }
  }
  return seats;
}

/** mulberry32: seeded, so a failure is reproducible. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The rules of best available (docs/api.md, "Seats and locks"), written as plainly as possible: every window of
 * `quantity` free seats with consecutive numbers in one row of the first zone that has one,
 * scored (strands a lone seat?, distance from the zone's middle row plus from the row's
 * middle, position), the least score winning.
 */
function everyWindowSearch(
  seats: SeatInfo[],
  free: Set<string>,
  quantity: number,
  zones: string[],
) {
  for (const zone of zones) {
    const rows = new Map<string, SeatInfo[]>();
    for (const seat of seats.filter((s) => s.zone === zone)) {
      rows.set(seat.row, [...(rows.get(seat.row) ?? []), seat]);
    }
    const rowList = [...rows.values()];
    let best: { ids: string[]; score: [number, number, number] } | undefined;
    rowList.forEach((row, rowIndex) => {
      const isFree = (i: number) => row[i] !== undefined && free.has(row[i]?.seatId ?? "");
      const rowMiddle = ((row[0]?.number ?? 0) + (row.at(-1)?.number ?? 0)) / 2;
      for (let start = 0; start + quantity <= row.length; start++) {
        const window = row.slice(start, start + quantity);
        if (!window.every((_, i) => isFree(start + i))) continue;
        const lone =
          (isFree(start - 1) && !isFree(start - 2)) ||
          (isFree(start + quantity) && !isFree(start + quantity + 1));
        const middle = ((window[0]?.number ?? 0) + (window.at(-1)?.number ?? 0)) / 2;
        const distance =
          Math.abs(middle - rowMiddle) + Math.abs(rowIndex - (rowList.length - 1) / 2);
        const score: [number, number, number] = [lone ? 1 : 0, distance, window[0]?.position ?? 0];
        const beats =
          !best ||
          score[0] < best.score[0] ||
          (score[0] === best.score[0] &&
            (score[1] < best.score[1] || (score[1] === best.score[1] && score[2] < best.score[2])));
        if (beats) best = { ids: window.map((s) => s.seatId), score };
      }
    });
    if (best) return best.ids;
  }
  return undefined;
}

describe("best available on large layouts", () => {
  it("agrees with a search of every window on 300 randomly half-taken layouts", () => {
    const next = random(13);
    for (let round = 0; round < 300; round++) {
      const seats = venue([
        { name: "front", rows: 1 + Math.floor(next() * 6), perRow: 1 + Math.floor(next() * 14) },
        { name: "back", rows: 1 + Math.floor(next() * 6), perRow: 1 + Math.floor(next() * 14) },
      ]);
      const free = new Set(seats.filter(() => next() < 0.55).map((s) => s.seatId));
      const quantity = 1 + Math.floor(next() * 6);
      const zones = next() < 0.5 ? ["front", "back"] : ["back"];
      const picked = pickBestAvailable({
        seats,
        isAvailable: (id) => free.has(id),
        quantity,
        zones,
      });
      expect(
        picked?.map((s) => s.seatId),
        `round ${round}`,
      ).toEqual(everyWindowSearch(seats, free, quantity, zones));
    }
  });

  it("sells a 50,000-seat show to the last seat in adjacent seats of one row, each seat once", () => {
    const seats = venue([
      { name: "lower", rows: 125, perRow: 200 },
      { name: "upper", rows: 125, perRow: 200 },
    ]);
    const book = new SeatLedger(seats);
    const next = random(5);
    const sold = new Set<string>();
    let buyer = 0;
    for (let quantity = 10; quantity >= 1; ) {
      const want = 1 + Math.floor(next() * quantity);
      const picked = book.bestAvailable(want, ["lower", "upper"]);
      if (!picked) {
        quantity--;
        continue;
      }
      expect(picked).toHaveLength(want);
      expect(new Set(picked.map((s) => s.row)).size).toBe(1);
      expect(picked.map((s) => s.number - (picked[0]?.number ?? 0))).toEqual([...picked.keys()]);
      const outcome = book.lock({
        lockId: `lock_${++buyer}`,
        userId: `user_${buyer}`,
        seatIds: picked.map((s) => s.seatId),
        now: 0,
        durationMs: 60_000,
      });
      if (!outcome.ok) throw new Error(`picked seats that could not be locked: ${outcome.reason}`);
      book.confirm(outcome.lock.lockId, `booking_${buyer}`);
      for (const seat of picked) {
        if (sold.has(seat.seatId)) throw new Error(`${seat.seatId} sold twice`);
        sold.add(seat.seatId);
      }
    }
    expect(sold.size).toBe(50_000);
  });

  it("starts in the middle row of a 125-row zone at the middle of its 200 seats", () => {
    const book = new SeatLedger(venue([{ name: "lower", rows: 125, perRow: 200 }]));
    expect(book.bestAvailable(4, ["lower"])?.map((s) => s.seatId)).toEqual([
      "R62_99",
      "R62_100",
      "R62_101",
      "R62_102",
    ]);
  });

  it("leaves no lone seat in a 200-seat row when another pair strands none", () => {
    const seats = venue([{ name: "lower", rows: 1, perRow: 200 }]);
    // 98 and 103 taken leave 99-102 free in the middle. The centred pair 100-101 would
    // strand 99 and 102; 99-100 and 101-102 are one seat off centre and strand nothing,
    // and the first of them in seat order wins.
    const taken = new Set(["R0_98", "R0_103"]);
    const picked = pickBestAvailable({
      seats,
      isAvailable: (id) => !taken.has(id),
      quantity: 2,
      zones: ["lower"],
    })?.map((s) => s.seatId);
    expect(picked).toEqual(["R0_99", "R0_100"]);
  });

  it("follows releases, expiries, bookings and cancellations of the seats it picks from", () => {
    const seats = venue([{ name: "box", rows: 1, perRow: 4 }]);
    const book = new SeatLedger(seats);
    const all = seats.map((s) => s.seatId);
    const first = book.lock({
      lockId: "l1",
      userId: "u1",
      seatIds: all,
      now: 0,
      durationMs: 1_000,
    });
    expect(first.ok).toBe(true);
    expect(book.bestAvailable(1, ["box"])).toBeUndefined();
    book.release("l1");
    expect(book.bestAvailable(4, ["box"])?.map((s) => s.seatId)).toEqual(all);

    book.lock({ lockId: "l2", userId: "u1", seatIds: all, now: 0, durationMs: 1_000 });
    book.expireDue(1_000);
    expect(book.bestAvailable(4, ["box"])?.map((s) => s.seatId)).toEqual(all);

    book.lock({ lockId: "l3", userId: "u1", seatIds: ["R0_1", "R0_2"], now: 0, durationMs: 1_000 });
    book.confirm("l3", "booking_1");
    expect(book.bestAvailable(3, ["box"])).toBeUndefined();
    book.unbook("booking_1", ["R0_1", "R0_2"]);
    expect(book.bestAvailable(4, ["box"])?.map((s) => s.seatId)).toEqual(all);
  });

  it("counts seats booked and held when the book is rebuilt from storage", () => {
    const seats = venue([{ name: "box", rows: 1, perRow: 6 }]);
    const book = new SeatLedger(
      seats,
      [
        {
          lockId: "l1",
          userId: "u1",
          seatIds: ["R0_5", "R0_6"],
          lockedAt: 0,
          expiresAt: 9e15,
          status: "locked",
        },
      ],
      new Map([["R0_1", "booking_1"]]),
    );
    expect(book.bestAvailable(3, ["box"])?.map((s) => s.seatId)).toEqual(["R0_2", "R0_3", "R0_4"]);
    expect(book.bestAvailable(4, ["box"])).toBeUndefined();
  });
});
