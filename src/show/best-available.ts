import type { SeatInfo } from "./seat-book.ts";

/**
 * Best-available seat selection: `quantity` adjacent seats (consecutive numbers in one row)
 * nearest the middle of the zone, avoiding a lone single seat left between taken seats
 * (or a taken seat and the row's end) wherever some other choice avoids it.
 */

interface BestAvailableRequest {
  /** Every seat of the show, in seat-map order. */
  seats: readonly SeatInfo[];
  isAvailable: (seatId: string) => boolean;
  quantity: number;
  /** Zones to try, best first; the first zone with a fit wins. */
  zones: readonly string[];
}

interface Candidate {
  seats: SeatInfo[];
  leavesLoneSeat: boolean;
  distance: number;
  position: number;
}

export function pickBestAvailable(request: BestAvailableRequest): SeatInfo[] | undefined {
  for (const zone of request.zones) {
    const picked = pickInZone(
      request.seats.filter((seat) => seat.zone === zone),
      request.isAvailable,
      request.quantity,
    );
    if (picked) return picked;
  }
  return undefined;
}

function pickInZone(
  zoneSeats: readonly SeatInfo[],
  isAvailable: (seatId: string) => boolean,
  quantity: number,
): SeatInfo[] | undefined {
  const rows = new Map<string, SeatInfo[]>();
  for (const seat of zoneSeats) {
    const row = rows.get(seat.row);
    if (row) row.push(seat);
    else rows.set(seat.row, [seat]);
  }
  const rowList = [...rows.values()].map((row) => [...row].sort((a, b) => a.number - b.number));
  const middleRow = (rowList.length - 1) / 2;

  let best: Candidate | undefined;
  rowList.forEach((row, rowIndex) => {
    const first = row[0];
    const last = row.at(-1);
    if (!first || !last) return;
    const rowMiddle = (first.number + last.number) / 2;
    for (let start = 0; start + quantity <= row.length; start++) {
      const window = row.slice(start, start + quantity);
      if (!isRun(window) || !window.every((seat) => isAvailable(seat.seatId))) continue;
      const windowMiddle = ((window[0]?.number ?? 0) + (window.at(-1)?.number ?? 0)) / 2;
      const candidate: Candidate = {
        seats: window,
        leavesLoneSeat:
          leavesLoneSeat(row, start - 1, -1, isAvailable) ||
          leavesLoneSeat(row, start + quantity, 1, isAvailable),
        distance: Math.abs(windowMiddle - rowMiddle) + Math.abs(rowIndex - middleRow),
        position: window[0]?.position ?? 0,
      };
      if (!best || better(candidate, best)) best = candidate;
    }
  });
  return best?.seats;
}

/** Consecutive seat numbers: no gap (aisle, missing seat) inside the window. */
function isRun(window: readonly SeatInfo[]): boolean {
  return window.every((seat, i) => i === 0 || seat.number === (window[i - 1]?.number ?? 0) + 1);
}

/**
 * Whether taking the window would strand the seat at `index` (the neighbour on one side):
 * it is available, and the seat beyond it is taken or the row ends there.
 */
function leavesLoneSeat(
  row: readonly SeatInfo[],
  index: number,
  step: 1 | -1,
  isAvailable: (seatId: string) => boolean,
): boolean {
  const neighbour = row[index];
  if (!neighbour || !isAvailable(neighbour.seatId)) return false;
  const beyond = row[index + step];
  return !beyond || !isAvailable(beyond.seatId) || beyond.number !== neighbour.number + step;
}

function better(a: Candidate, b: Candidate): boolean {
  if (a.leavesLoneSeat !== b.leavesLoneSeat) return !a.leavesLoneSeat;
  if (a.distance !== b.distance) return a.distance < b.distance;
  return a.position < b.position;
}
