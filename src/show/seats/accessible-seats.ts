import { isReservedKind } from "../../contract/seat-accessibility.ts";
import type { SeatInfo } from "./seat-lock.ts";

/**
 * Wheelchair spaces and companion seats, kept back from plain sale (best available, a
 * companion seat locked on its own) while the show reserves them, until every other seat
 * of their zone is sold (booked, or held by the organizer) or the organizer releases them
 * (28 CFR 36.302(f)). A wheelchair space may always be locked by name: no proof is asked.
 * Plain TypeScript, no I/O: the seat ledger tells it when a seat's sold state changes.
 */
export class AccessibleSeats {
  /** Per zone: its other seats, how many of them are sold, its reserved-kind seats. */
  private readonly zones = new Map<string, { others: number; sold: number; kept: string[] }>();
  private readonly soldOthers = new Set<string>();

  constructor(
    seats: Iterable<SeatInfo>,
    private reserving: boolean,
  ) {
    for (const seat of seats) {
      const zone = this.zoneOf(seat.zone);
      if (isReservedKind(seat.accessibility)) zone.kept.push(seat.seatId);
      else zone.others += 1;
    }
  }

  /** Whether the seat is kept back from plain sale now. */
  withheld(seat: SeatInfo): boolean {
    return isReservedKind(seat.accessibility) && !this.released(seat.zone);
  }

  /** Whether the zone's wheelchair and companion seats are on plain sale. */
  released(zone: string): boolean {
    const counts = this.zones.get(zone);
    return !this.reserving || !counts || counts.sold >= counts.others;
  }

  /**
   * A seat is now sold or not (booked or held, or neither): answers the zone whose release
   * changed with it, if it did (its kept seats are then to be looked at again).
   */
  soldChanged(seat: SeatInfo, sold: boolean): string | undefined {
    if (isReservedKind(seat.accessibility)) return undefined;
    if (sold === this.soldOthers.has(seat.seatId)) return undefined;
    const zone = this.zoneOf(seat.zone);
    const before = this.released(seat.zone);
    if (sold) this.soldOthers.add(seat.seatId);
    else this.soldOthers.delete(seat.seatId);
    zone.sold += sold ? 1 : -1;
    return before === this.released(seat.zone) ? undefined : seat.zone;
  }

  /** The show's setting changed: the zones whose release changed with it. */
  setReserving(reserving: boolean): string[] {
    const before = [...this.zones.keys()].filter((zone) => this.released(zone));
    this.reserving = reserving;
    return [...this.zones.keys()].filter((zone) => before.includes(zone) !== this.released(zone));
  }

  get isReserving(): boolean {
    return this.reserving;
  }

  /** The zone's wheelchair and companion seats. */
  keptSeatsOf(zone: string): readonly string[] {
    return this.zones.get(zone)?.kept ?? [];
  }

  private zoneOf(name: string) {
    let zone = this.zones.get(name);
    if (!zone) {
      zone = { others: 0, sold: 0, kept: [] };
      this.zones.set(name, zone);
    }
    return zone;
  }
}

/**
 * `wheelchair` wheelchair spaces and `companions` companion seats next to them: the first
 * run of consecutive seats in one row, in seat-map order of `zones`, holding exactly that
 * many of each and nothing else, all available.
 */
export function pickAccessible(
  seats: Iterable<SeatInfo>,
  request: { wheelchair: number; companions: number; zones: readonly string[] },
  isAvailable: (seatId: string) => boolean,
): SeatInfo[] | undefined {
  const size = request.wheelchair + request.companions;
  const rows = new Map<string, SeatInfo[]>();
  for (const seat of seats) {
    if (!request.zones.includes(seat.zone) || !isReservedKind(seat.accessibility)) continue;
    if (!isAvailable(seat.seatId)) continue;
    const key = `${seat.zone}\u0000${seat.row}`;
    const row = rows.get(key);
    if (row) row.push(seat);
    else rows.set(key, [seat]);
  }
  for (const zone of request.zones) {
    for (const [key, row] of rows) {
      if (!key.startsWith(`${zone}\u0000`)) continue;
      const sorted = [...row].sort((a, b) => a.number - b.number);
      for (let start = 0; start + size <= sorted.length; start++) {
        const window = sorted.slice(start, start + size);
        const first = window[0];
        const last = window.at(-1);
        if (!first || !last || last.number - first.number !== size - 1) continue;
        const spaces = window.filter((s) => s.accessibility === "wheelchair").length;
        if (spaces === request.wheelchair && size - spaces === request.companions) return window;
      }
    }
  }
  return undefined;
}
