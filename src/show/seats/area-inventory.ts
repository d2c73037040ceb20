import type { AreaCounts, AreaRequest } from "../../contract/area-places.ts";

/**
 * The places of a show's general-admission areas, as counts: no row per place, so an area
 * of 50,000 costs what an area of 50 does. Plain TypeScript, no I/O: the seat ledger drives
 * it with every lock, expiry, booking, cancellation and hold, and the show object stores
 * the booked and held counts in the same transactions (locked is rebuilt from live locks).
 */

interface Area {
  capacity: number;
  locked: number;
  held: number;
  booked: number;
}

export interface StoredArea {
  zone: string;
  capacity: number;
  booked: number;
  held: number;
}

export class AreaInventory {
  private readonly areas = new Map<string, Area>();
  /**
   * Areas whose counts moved since the show last published a change: the next change of
   * the seat map carries them (ShowState.commit), whichever path moved them.
   */
  private readonly moved = new Set<string>();

  constructor(stored: readonly StoredArea[] = []) {
    for (const { zone, capacity, booked, held } of stored) {
      this.areas.set(zone, { capacity, booked, held, locked: 0 });
    }
  }

  /** Whether the show sells `zone` by the place. */
  isArea(zone: string): boolean {
    return this.areas.has(zone);
  }

  get isEmpty(): boolean {
    return this.areas.size === 0;
  }

  /** Places of `zone` anyone may take now (0 for a zone that is not an area). */
  available(zone: string): number {
    const area = this.areas.get(zone);
    return area ? area.capacity - area.locked - area.held - area.booked : 0;
  }

  /**
   * The requests that cannot be met from what is available, with what is (a request for an
   * area twice counts both); empty when every one can.
   */
  shortfall(requests: readonly AreaRequest[]): { zone: string; available: number }[] {
    const asked = totals(requests);
    return [...asked]
      .filter(([zone, quantity]) => quantity > this.available(zone))
      .map(([zone]) => ({ zone, available: this.available(zone) }));
  }

  /** A live lock took these places (or, `-1`, gave them back: released, expired, sold). */
  locked(requests: readonly AreaRequest[], sign: 1 | -1 = 1): void {
    this.move(requests, "locked", sign);
  }

  /** These places are sold (or, `-1`, a cancelled booking gives them back). */
  booked(requests: readonly AreaRequest[], sign: 1 | -1 = 1): void {
    this.move(requests, "booked", sign);
  }

  /** The organizer keeps these places back (or, `-1`, puts them back on sale). */
  held(requests: readonly AreaRequest[], sign: 1 | -1 = 1): void {
    this.move(requests, "held", sign);
  }

  counts(zone: string): AreaCounts | undefined {
    const area = this.areas.get(zone);
    if (!area) return undefined;
    return {
      zone,
      capacity: area.capacity,
      available: area.capacity - area.locked - area.held - area.booked,
      locked: area.locked,
      held: area.held,
      booked: area.booked,
    };
  }

  /** Every area's counts, in the show's zone order. */
  all(): AreaCounts[] {
    return [...this.areas.keys()].flatMap((zone) => this.counts(zone) ?? []);
  }

  /** Whether some area's counts moved since takeMoved() was last called. */
  get hasMoved(): boolean {
    return this.moved.size > 0;
  }

  /** The areas whose counts moved since the last call, and forgets them. */
  takeMoved(): string[] {
    const zones = [...this.moved];
    this.moved.clear();
    return zones;
  }

  private move(
    requests: readonly AreaRequest[],
    field: "locked" | "held" | "booked",
    sign: 1 | -1,
  ) {
    for (const { zone, quantity } of requests) {
      const area = this.areas.get(zone);
      if (!area || quantity === 0) continue;
      area[field] += sign * quantity;
      this.moved.add(zone);
    }
  }
}

/** Places asked for per zone (an area named twice is asked for once, summed). */
export function totals(requests: readonly AreaRequest[]): Map<string, number> {
  const asked = new Map<string, number>();
  for (const { zone, quantity } of requests) asked.set(zone, (asked.get(zone) ?? 0) + quantity);
  return asked;
}

/** The places of a request as one entry per zone, in first-asked order. */
export function mergedRequests(requests: readonly AreaRequest[]): AreaRequest[] {
  return [...totals(requests)].map(([zone, quantity]) => ({ zone, quantity }));
}
