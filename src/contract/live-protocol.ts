/**
 * The live feed's units, shared by the show object (which makes changes) and the relays
 * (which keep the seat statuses and forward changes to viewers). Seats are named by their
 * index in the show's layout (GET /v1/shows/{id}/layout), statuses by one character.
 */

/**
 * `a` available, `l` locked (held by a buyer's lock, or being paid for), `h` held back by
 * the organizer, `b` booked, `r` resale (sold, and offered back by its holder: buyers lock
 * it like an available seat, at its listing price).
 */
/** A seat as viewers see it; `held`: kept back from sale by the organizer (house seats, access places, stage kills). */
export type SeatStatus = "available" | "locked" | "held" | "booked" | "resale";

export type SeatCode = "a" | "l" | "h" | "b" | "r";

/** The live feed's message types, as `type` names them. */
export const MESSAGE_TYPES = {
  /** The full seat map at a version (format=full). */
  snapshot: "snapshot",
  /** Every seat's status letter at a version (format=compact). */
  status: "status",
  /** The seats that changed from `from_version` to `version`. */
  seats: "seats",
  /** The show itself changed (status, time); not versioned. */
  show: "show",
} as const;

export const CODE_OF: Record<SeatStatus, SeatCode> = {
  available: "a",
  locked: "l",
  held: "h",
  booked: "b",
  resale: "r",
};
export const STATUS_OF: Record<SeatCode, SeatStatus> = {
  a: "available",
  l: "locked",
  h: "held",
  b: "booked",
  r: "resale",
};

/**
 * A standing area's places as viewers see them (the same fields as the seat map's `areas`):
 * available + locked + held + booked = capacity.
 */
export interface LiveAreaCounts {
  zone: string;
  capacity: number;
  available: number;
  locked: number;
  held: number;
  booked: number;
}

/**
 * The seat map went from version `from` to `to`; each changed seat once, in its latest
 * state, and each standing area whose places moved with its full counts (absent: none).
 */
export interface LiveChange {
  from: number;
  to: number;
  changes: [index: number, code: SeatCode][];
  areas?: LiveAreaCounts[];
  /** The listing price of each changed seat that reads `r` (absent: none does). */
  prices?: [index: number, price: number][];
}

/**
 * Resale prices after `changes`: a seat that went to `r` takes its price from `prices`,
 * any other changed seat has none any more.
 */
export function applyPrices(
  into: Map<number, number>,
  changes: readonly (readonly [number, SeatCode])[],
  prices: readonly (readonly [number, number])[] | undefined,
): void {
  // Almost every change of a sale: no resale seat before or after, nothing to do (this runs
  // for each change the show object records, and each one a relay applies).
  if (into.size === 0 && !prices?.length) return;
  const listed = new Map(prices ?? []);
  for (const [index, code] of changes) {
    const price = code === "r" ? listed.get(index) : undefined;
    if (price === undefined) into.delete(index);
    else into.set(index, price);
  }
}

/** Area counts of `later` replacing those of `earlier` for the same zone, in first-seen order. */
export function mergeAreas(
  earlier: readonly LiveAreaCounts[] | undefined,
  later: readonly LiveAreaCounts[] | undefined,
): LiveAreaCounts[] | undefined {
  if (!later?.length) return earlier?.length ? [...earlier] : undefined;
  const byZone = new Map((earlier ?? []).map((area) => [area.zone, area]));
  for (const area of later) byZone.set(area.zone, area);
  return [...byZone.values()];
}

/**
 * Consecutive changes as one (`from` of the first, `to` of the last, each seat in its
 * latest state), or undefined when they do not chain (one's `from` is not the `to` before).
 */
export function mergeChanges(list: readonly LiveChange[]): LiveChange | undefined {
  const first = list[0];
  if (!first) return undefined;
  const seats = new Map<number, SeatCode>();
  const prices = new Map<number, number>();
  let areas: LiveAreaCounts[] | undefined;
  let to = first.from;
  for (const change of list) {
    if (change.from !== to) return undefined;
    for (const [index, code] of change.changes) seats.set(index, code);
    applyPrices(prices, change.changes, change.prices);
    areas = mergeAreas(areas, change.areas);
    to = change.to;
  }
  return {
    from: first.from,
    to,
    changes: [...seats],
    ...(areas && { areas }),
    ...(prices.size > 0 && { prices: [...prices] }),
  };
}

/** A bounded list of the latest changes, to catch up a relay or resume a viewer from. */
export class RecentChanges {
  private readonly list: LiveChange[] = [];
  // A plain field (no parameter property): Node's type stripping runs this file too (the
  // page's generated copy and the bench import its constants).
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  add(change: LiveChange): void {
    this.list.push(change);
    if (this.list.length > this.capacity) this.list.shift();
  }

  clear(): void {
    this.list.length = 0;
  }

  /**
   * Everything after `version` up to `current`, merged: an empty change when `version` is
   * current, undefined when some of it is no longer held (or `version` is not one we had).
   */
  since(version: number, current: number): LiveChange | undefined {
    if (version === current) return { from: version, to: version, changes: [] };
    if (version > current) return undefined;
    const start = this.list.findIndex((change) => change.from === version);
    if (start < 0) return undefined;
    const merged = mergeChanges(this.list.slice(start));
    return merged?.to === current ? merged : undefined;
  }
}
