import {
  applyPrices,
  type LiveAreaCounts,
  type LiveChange,
  MESSAGE_TYPES,
  mergeAreas,
  RecentChanges,
  type SeatCode,
  STATUS_OF,
} from "../contract/live-protocol.ts";

/** Changes a relay keeps, to resume viewers that come back with `?since=`. */
const RECENT_CHANGES = 512;

export type FeedFormat = "full" | "compact";

interface LayoutSeat {
  seat_id: string;
  row: string;
  number: number;
  price: number;
  zone: string;
}

export interface ShowLayout {
  show_id: string;
  venue: { venue_id: string; name: string; total_seats: number };
  zones: Record<string, { price: number; seats: number }>;
  seats: LayoutSeat[];
}

/**
 * A relay's copy of its show's seats: the layout, every seat's status and the version, and
 * the latest changes. Everything a viewer is sent is rendered here, once per version or
 * change for all viewers of a format, never per viewer.
 */
export class RelaySeats {
  private readonly codes: SeatCode[];
  private readonly recent = new RecentChanges(RECENT_CHANGES);
  private snapshots: Partial<Record<FeedFormat, string>> = {};
  /** The standing areas' counts (none for most shows). */
  private areas: LiveAreaCounts[] | undefined;
  /** Layout index → listing price, for the seats that read `r` (resale). */
  private readonly prices = new Map<number, number>();

  constructor(
    private readonly layout: ShowLayout,
    public version: number,
    status: string,
    areas?: LiveAreaCounts[],
    /** seat id → listing price of the seats on resale, as the show's status read gives it. */
    resale?: Record<string, number>,
  ) {
    this.codes = [...status] as SeatCode[];
    this.areas = areas?.length ? areas : undefined;
    this.setPrices(resale);
  }

  /** Starts again from the show's statuses (the changes held before no longer chain). */
  reset(
    version: number,
    status: string,
    areas?: LiveAreaCounts[],
    resale?: Record<string, number>,
  ): void {
    this.version = version;
    for (let i = 0; i < status.length; i++) this.codes[i] = status[i] as SeatCode;
    this.areas = areas?.length ? areas : undefined;
    this.setPrices(resale);
    this.recent.clear();
    this.snapshots = {};
  }

  private setPrices(resale: Record<string, number> | undefined): void {
    this.prices.clear();
    if (!resale) return;
    const listed = new Map(Object.entries(resale));
    this.layout.seats.forEach((seat, i) => {
      const price = listed.get(seat.seat_id);
      if (price !== undefined) this.prices.set(i, price);
    });
  }

  /** Takes a change that starts at or before this version (the part already held is no-op). */
  apply(change: LiveChange): LiveChange {
    const forwarded: LiveChange = {
      from: this.version,
      to: change.to,
      changes: change.changes,
      ...(change.areas?.length && { areas: change.areas }),
      ...(change.prices?.length && { prices: change.prices }),
    };
    this.areas = mergeAreas(this.areas, change.areas);
    for (const [index, code] of change.changes) this.codes[index] = code;
    applyPrices(this.prices, change.changes, change.prices);
    this.version = change.to;
    this.recent.add(forwarded);
    this.snapshots = {};
    return forwarded;
  }

  /** The changes after `version`, merged, if this relay still holds all of them. */
  since(version: number): LiveChange | undefined {
    return this.recent.since(version, this.version);
  }

  snapshot(format: FeedFormat): string {
    const cached = this.snapshots[format];
    if (cached !== undefined) return cached;
    const text = format === "compact" ? this.compactSnapshot() : this.fullSnapshot();
    this.snapshots[format] = text;
    return text;
  }

  message(format: FeedFormat, change: LiveChange): string {
    const areas = change.areas?.length ? { areas: change.areas } : {};
    if (format === "compact") {
      return JSON.stringify({
        type: MESSAGE_TYPES.seats,
        from_version: change.from,
        version: change.to,
        changes: change.changes,
        ...areas,
        ...(change.prices?.length && { prices: change.prices }),
      });
    }
    const prices = new Map(change.prices ?? []);
    return JSON.stringify({
      type: MESSAGE_TYPES.seats,
      from_version: change.from,
      version: change.to,
      seats: change.changes.map(([index, code]) => ({
        seat_id: this.layout.seats[index]?.seat_id,
        status: STATUS_OF[code],
        // A seat on resale costs its listing's price, not the layout's.
        ...(prices.has(index) && { price: prices.get(index) }),
      })),
      ...areas,
    });
  }

  private compactSnapshot(): string {
    return JSON.stringify({
      type: MESSAGE_TYPES.status,
      version: this.version,
      status: this.codes.join(""),
      ...(this.areas && { areas: this.areas }),
      ...(this.prices.size > 0 && { resale: this.resaleBySeat() }),
    });
  }

  /** seat id → listing price of the seats on resale, as the status read names them. */
  private resaleBySeat(): Record<string, number> {
    return Object.fromEntries(
      [...this.prices].map(([index, price]) => [this.layout.seats[index]?.seat_id ?? "", price]),
    );
  }

  /** The seed's seat map, as a `snapshot` message. */
  private fullSnapshot(): string {
    const { layout } = this;
    return JSON.stringify({
      type: MESSAGE_TYPES.snapshot,
      show_id: layout.show_id,
      version: this.version,
      venue: layout.venue,
      seats: layout.seats.map((seat, i) => ({
        seat_id: seat.seat_id,
        row: seat.row,
        number: seat.number,
        status: STATUS_OF[this.codes[i] ?? "a"],
        price: this.prices.get(i) ?? seat.price,
        zone: seat.zone,
      })),
      zones: layout.zones,
      ...(this.areas && { areas: this.areas }),
    });
  }
}
