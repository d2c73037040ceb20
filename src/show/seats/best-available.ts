import type { SeatInfo } from "./seat-lock.ts";

/**
 * Best-available seat selection: `quantity` adjacent seats (consecutive numbers in one row)
 * nearest the middle of the zone, avoiding a lone single seat left between taken seats
 * (or a taken seat and the row's end) wherever some other choice avoids it.
 *
 * BestAvailableIndex keeps, per zone, its rows ordered by distance from the zone's middle
 * row, each with a taken flag per seat and its longest free run, updated seat by seat as
 * seats are taken and freed. A pick then reads rows nearest the middle first and stops as
 * soon as no farther row can beat what it has: on a half-sold 50,000-seat show that is a
 * few rows, not every seat (bench/best-available-50k.ts measures it).
 */

interface IndexedRow {
  /** The row's seats by number, ascending. */
  seats: SeatInfo[];
  /** 1 where the seat at the same index is booked or held. */
  taken: Uint8Array;
  /** How far the row is from the zone's middle row, in rows. */
  rowDistance: number;
  /** The middle of the row's seat numbers. */
  middle: number;
  /** Longest run of free consecutive seats; -1 until counted again after a change. */
  longestRun: number;
}

interface Candidate {
  row: IndexedRow;
  start: number;
  leavesLoneSeat: boolean;
  distance: number;
  position: number;
}

export class BestAvailableIndex {
  /** zone → its rows, nearest the middle first (rows equally near keep seat-map order). */
  private readonly zones = new Map<string, IndexedRow[]>();
  /** seat id → its row and index in that row. */
  private readonly slots = new Map<string, { row: IndexedRow; index: number }>();
  /** zone → how many of its seats are free (the waitlist asks whether a zone is sold out). */
  private readonly freeByZone = new Map<string, number>();

  /** `seats` in seat-map order; every seat starts free. */
  constructor(seats: readonly SeatInfo[]) {
    const rowsByZone = new Map<string, Map<string, SeatInfo[]>>();
    for (const seat of seats) {
      const rows = rowsByZone.get(seat.zone) ?? new Map<string, SeatInfo[]>();
      rowsByZone.set(seat.zone, rows);
      const row = rows.get(seat.row);
      if (row) row.push(seat);
      else rows.set(seat.row, [seat]);
    }
    for (const [zone, rows] of rowsByZone) {
      const middleRow = (rows.size - 1) / 2;
      const indexed = [...rows.values()].map((rowSeats, rowIndex): IndexedRow => {
        const sorted = [...rowSeats].sort((a, b) => a.number - b.number);
        const first = sorted[0]?.number ?? 0;
        const last = sorted.at(-1)?.number ?? 0;
        return {
          seats: sorted,
          taken: new Uint8Array(sorted.length),
          rowDistance: Math.abs(rowIndex - middleRow),
          middle: (first + last) / 2,
          longestRun: sorted.length,
        };
      });
      for (const row of indexed) {
        row.seats.forEach((seat, index) => {
          this.slots.set(seat.seatId, { row, index });
        });
      }
      this.freeByZone.set(
        zone,
        indexed.reduce((sum, row) => sum + row.seats.length, 0),
      );
      // Array sort is stable: rows equally far from the middle stay in seat-map order.
      this.zones.set(
        zone,
        indexed.sort((a, b) => a.rowDistance - b.rowDistance),
      );
    }
  }

  /** Records that a seat was taken (booked or held) or freed; unknown seats are ignored. */
  setTaken(seatId: string, taken: boolean): void {
    const slot = this.slots.get(seatId);
    if (!slot) return;
    const flag = taken ? 1 : 0;
    if (slot.row.taken[slot.index] === flag) return;
    slot.row.taken[slot.index] = flag;
    slot.row.longestRun = -1;
    const zone = slot.row.seats[slot.index]?.zone ?? "";
    this.freeByZone.set(zone, (this.freeByZone.get(zone) ?? 0) + (taken ? -1 : 1));
  }

  /** How many seats of `zone` are free (neither booked, locked, held nor kept back). */
  freeIn(zone: string): number {
    return this.freeByZone.get(zone) ?? 0;
  }

  /** The best `quantity` adjacent free seats in the first of `zones` that has them. */
  pick(quantity: number, zones: readonly string[]): SeatInfo[] | undefined {
    for (const zone of zones) {
      let best: Candidate | undefined;
      for (const row of this.zones.get(zone) ?? []) {
        // Every window of this row and the rows after it is at least rowDistance away: once
        // that is farther than a choice that strands no seat, nothing left can beat it.
        if (best && !best.leavesLoneSeat && row.rowDistance > best.distance) break;
        if (longestRun(row) < quantity) continue;
        best = bestInRow(row, quantity, best);
      }
      if (best) return best.row.seats.slice(best.start, best.start + quantity);
    }
    return undefined;
  }
}

/** The best-available pick over a plain list of seats (seat-map order) and a predicate. */
export function pickBestAvailable(request: {
  seats: readonly SeatInfo[];
  isAvailable: (seatId: string) => boolean;
  quantity: number;
  /** Zones to try, best first; the first zone with a fit wins. */
  zones: readonly string[];
}): SeatInfo[] | undefined {
  const index = new BestAvailableIndex(request.seats);
  for (const seat of request.seats) index.setTaken(seat.seatId, !request.isAvailable(seat.seatId));
  return index.pick(request.quantity, request.zones);
}

/** Whether the seat at `index` follows the one before it with no gap (aisle, missing seat). */
function continuesRun(row: IndexedRow, index: number): boolean {
  return (row.seats[index]?.number ?? 0) === (row.seats[index - 1]?.number ?? 0) + 1;
}

function longestRun(row: IndexedRow): number {
  if (row.longestRun >= 0) return row.longestRun;
  let longest = 0;
  let run = 0;
  for (let i = 0; i < row.seats.length; i++) {
    if (row.taken[i]) run = 0;
    else run = i > 0 && run > 0 && continuesRun(row, i) ? run + 1 : 1;
    if (run > longest) longest = run;
  }
  row.longestRun = longest;
  return longest;
}

/**
 * `best`, or a better window of this row. Each maximal run of free consecutive seats
 * [first, last] is tried at every start; taking a window strands a lone seat exactly when
 * it leaves one free seat on either side inside the run.
 */
function bestInRow(
  row: IndexedRow,
  quantity: number,
  best: Candidate | undefined,
): Candidate | undefined {
  let chosen = best;
  const count = row.seats.length;
  for (let first = 0; first < count; ) {
    if (row.taken[first]) {
      first++;
      continue;
    }
    let last = first;
    while (last + 1 < count && !row.taken[last + 1] && continuesRun(row, last + 1)) last++;
    for (let start = first; start + quantity - 1 <= last; start++) {
      const end = start + quantity - 1;
      const windowMiddle = ((row.seats[start]?.number ?? 0) + (row.seats[end]?.number ?? 0)) / 2;
      const leavesLoneSeat = start === first + 1 || end === last - 1;
      const distance = Math.abs(windowMiddle - row.middle) + row.rowDistance;
      const position = row.seats[start]?.position ?? 0;
      if (!chosen || better(leavesLoneSeat, distance, position, chosen)) {
        chosen = { row, start, leavesLoneSeat, distance, position };
      }
    }
    first = last + 1;
  }
  return chosen;
}

/** Whether a window (no lone seat first, then nearest the middle, then first in order) beats `b`. */
function better(leavesLoneSeat: boolean, distance: number, position: number, b: Candidate) {
  if (leavesLoneSeat !== b.leavesLoneSeat) return !leavesLoneSeat;
  if (distance !== b.distance) return distance < b.distance;
  return position < b.position;
}
