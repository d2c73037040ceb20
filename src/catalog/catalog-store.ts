import { and, asc, eq, inArray } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { chunk, type Database, rowsPerInsert } from "../db/database.ts";
import { afterCursor, type Keyset, keysetOrder, type Page, toPage } from "../db/keyset-page.ts";
import { events, seats, showPrices, shows, venues, venueZones } from "../db/schema.ts";
import type { VenueLayout } from "./venue-layout.ts";

export type EventRow = typeof events.$inferSelect;
type VenueRow = typeof venues.$inferSelect;
type ZoneRow = typeof venueZones.$inferSelect;
type SeatRow = typeof seats.$inferSelect;
type ShowRow = typeof shows.$inferSelect;

export interface VenueRecord {
  venue: VenueRow;
  zones: ZoneRow[];
  seats: SeatRow[];
}

export interface ShowRecord {
  show: ShowRow;
  /** zone name → price, in the venue's zone order. */
  prices: Record<string, number>;
}

/**
 * A zone → price map without a prototype: zone names are chosen by admins, so `prices[zone]`
 * must find only prices, never an inherited member such as `constructor`.
 */
function emptyPrices(): Record<string, number> {
  return Object.create(null) as Record<string, number>;
}

/** Reads and writes of the catalog tables in D1. */
export class CatalogStore {
  constructor(private readonly db: Database) {}

  async insertEvent(row: typeof events.$inferInsert): Promise<EventRow> {
    const [inserted] = await this.db.insert(events).values(row).returning();
    if (!inserted) throw new Error("insert into events returned no row");
    return inserted;
  }

  async getEvent(eventId: string): Promise<EventRow | undefined> {
    return this.db.select().from(events).where(eq(events.eventId, eventId)).get();
  }

  /** Newest first. */
  async listEvents(limit: number, cursor?: string): Promise<Page<EventRow>> {
    const keyset: Keyset = { sort: events.createdAt, id: events.eventId, direction: "desc" };
    const rows = await this.db
      .select()
      .from(events)
      .where(afterCursor(keyset, cursor))
      .orderBy(...keysetOrder(keyset))
      .limit(limit + 1)
      .all();
    return toPage(rows, limit, (row) => [row.createdAt, row.eventId]);
  }

  /** The venue, its zones and every seat, in one D1 batch (one transaction). */
  async insertVenue(venue: typeof venues.$inferInsert, layout: VenueLayout): Promise<VenueRecord> {
    const statements: BatchItem<"sqlite">[] = [];
    statements.push(this.db.insert(venues).values(venue));
    statements.push(
      this.db
        .insert(venueZones)
        .values(layout.zones.map((zone) => ({ venueId: venue.venueId, ...zone }))),
    );
    for (const part of chunk(layout.seats, rowsPerInsert(6))) {
      statements.push(
        this.db.insert(seats).values(part.map((seat) => ({ venueId: venue.venueId, ...seat }))),
      );
    }
    await this.db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
    const record = await this.getVenue(venue.venueId);
    if (!record) throw new Error("venue vanished after insert");
    return record;
  }

  async getVenueRow(venueId: string): Promise<VenueRow | undefined> {
    return this.db.select().from(venues).where(eq(venues.venueId, venueId)).get();
  }

  async getZones(venueId: string): Promise<ZoneRow[]> {
    return this.db
      .select()
      .from(venueZones)
      .where(eq(venueZones.venueId, venueId))
      .orderBy(asc(venueZones.position))
      .all();
  }

  async getVenue(venueId: string): Promise<VenueRecord | undefined> {
    const [venueRows, zoneRows, seatRows] = await this.db.batch([
      this.db.select().from(venues).where(eq(venues.venueId, venueId)),
      this.db
        .select()
        .from(venueZones)
        .where(eq(venueZones.venueId, venueId))
        .orderBy(asc(venueZones.position)),
      this.db.select().from(seats).where(eq(seats.venueId, venueId)).orderBy(asc(seats.position)),
    ]);
    const venue = venueRows[0];
    if (!venue) return undefined;
    return { venue, zones: zoneRows, seats: seatRows };
  }

  async insertShow(
    show: typeof shows.$inferInsert,
    prices: Record<string, number>,
  ): Promise<ShowRecord> {
    await this.db.batch([
      this.db.insert(shows).values(show),
      this.db
        .insert(showPrices)
        .values(
          Object.entries(prices).map(([zone, price]) => ({ showId: show.showId, zone, price })),
        ),
    ]);
    const record = await this.getShow(show.showId);
    if (!record) throw new Error("show vanished after insert");
    return record;
  }

  async getShow(showId: string): Promise<ShowRecord | undefined> {
    const show = await this.db.select().from(shows).where(eq(shows.showId, showId)).get();
    if (!show) return undefined;
    const prices = await this.pricesOf([showId]);
    return { show, prices: prices.get(showId) ?? emptyPrices() };
  }

  /** Soonest first. */
  async listShowsOfEvent(
    eventId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<ShowRecord>> {
    const keyset: Keyset = { sort: shows.showTime, id: shows.showId, direction: "asc" };
    const rows = await this.db
      .select()
      .from(shows)
      .where(and(eq(shows.eventId, eventId), afterCursor(keyset, cursor)))
      .orderBy(...keysetOrder(keyset))
      .limit(limit + 1)
      .all();
    const page = toPage(rows, limit, (row) => [row.showTime, row.showId]);
    const prices = await this.pricesOf(page.items.map((show) => show.showId));
    return {
      items: page.items.map((show) => ({ show, prices: prices.get(show.showId) ?? emptyPrices() })),
      nextCursor: page.nextCursor,
    };
  }

  /** show id → (zone → price), zones in the venue's order. */
  private async pricesOf(showIds: string[]): Promise<Map<string, Record<string, number>>> {
    const byShow = new Map<string, Record<string, number>>();
    if (showIds.length === 0) return byShow;
    const rows = await this.db
      .select({ showId: showPrices.showId, zone: showPrices.zone, price: showPrices.price })
      .from(showPrices)
      .innerJoin(shows, eq(shows.showId, showPrices.showId))
      .innerJoin(
        venueZones,
        and(eq(venueZones.venueId, shows.venueId), eq(venueZones.name, showPrices.zone)),
      )
      .where(inArray(showPrices.showId, showIds))
      .orderBy(asc(showPrices.showId), asc(venueZones.position))
      .all();
    for (const row of rows) {
      const prices = byShow.get(row.showId) ?? emptyPrices();
      prices[row.zone] = row.price;
      byShow.set(row.showId, prices);
    }
    return byShow;
  }
}
