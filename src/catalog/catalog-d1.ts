import { and, asc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { Accessibility } from "../contract/seat-accessibility.ts";
import { chunk, type Database, rowsPerInsert } from "../db/database.ts";
import { afterCursor, type Keyset, keysetOrder, type Page, toPage } from "../db/keyset-page.ts";
import { events, seats, showPrices, shows, venues, venueZones } from "../db/schema.ts";
import { type LaidOutRow, seatIdPrefix, type VenueLayout } from "./venue-layout.ts";

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

/** seat_id, row, number, zone, position, accessibility, category. */
export type SeatTuple = [
  string,
  string,
  number,
  string,
  number,
  Accessibility | null,
  string | null,
];

export interface ShowRecord {
  show: ShowRow;
  /** zone (or price category) name → price: zones in the venue's order, then categories. */
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
export class CatalogD1 {
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

  /**
   * The venue, its zones and every seat, in one D1 batch (one transaction, so a failure
   * leaves nothing behind). Seats go in as rows, each statement expanding up to
   * SEATS_PER_STATEMENT seats in SQL (insertSeatRows): a 100,000-seat venue is a dozen
   * statements of four bound parameters instead of 6,250 sixteen-row INSERTs. The answer is
   * built from what was written, not read back.
   */
  async insertVenue(venue: VenueRow, layout: VenueLayout): Promise<VenueRecord> {
    // Straight to the D1 binding: drizzle's batch cannot carry the raw seat INSERTs.
    const d1 = this.db.$client;
    const bound = (query: { sql: string; params: unknown[] }) =>
      d1.prepare(query.sql).bind(...query.params);
    const statements = [bound(this.db.insert(venues).values(venue).toSQL())];
    const zoneRows = layout.zones.map((zone) => ({ venueId: venue.venueId, ...zone }));
    for (const part of chunk(zoneRows, rowsPerInsert(5))) {
      statements.push(bound(this.db.insert(venueZones).values(part).toSQL()));
    }
    for (const rows of seatRowChunks(layout.rows)) {
      statements.push(bound(insertSeatRows(venue.venueId, rows)));
    }
    await d1.batch(statements);
    return {
      venue,
      zones: zoneRows,
      seats: layout.seats.map((seat) => ({ venueId: venue.venueId, ...seat })),
    };
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

  /**
   * A venue's seats in seat-map order as `[seat_id, row, number, zone, position,
   * accessibility, category]` arrays, for a show object's first load: no keyed row objects for a
   * stadium's 100,000 seats.
   */
  async getSeatTuples(venueId: string): Promise<SeatTuple[]> {
    // values(): rows as arrays, in the order the columns are selected.
    return (await this.db
      .select({
        seatId: seats.seatId,
        row: seats.row,
        number: seats.number,
        zone: seats.zone,
        position: seats.position,
        accessibility: seats.accessibility,
        category: seats.category,
      })
      .from(seats)
      .where(eq(seats.venueId, venueId))
      .orderBy(asc(seats.position))
      .values()) as SeatTuple[];
  }

  /** The price categories the venue's seats name (none for most venues). */
  async getCategories(venueId: string): Promise<string[]> {
    const rows = await this.db
      .selectDistinct({ category: seats.category })
      .from(seats)
      .where(and(eq(seats.venueId, venueId), isNotNull(seats.category)))
      .orderBy(asc(seats.category))
      .all();
    return rows.flatMap((row) => (row.category === null ? [] : [row.category]));
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
      // A price category has no zone row: it comes after the zones.
      .leftJoin(
        venueZones,
        and(eq(venueZones.venueId, shows.venueId), eq(venueZones.name, showPrices.zone)),
      )
      .where(inArray(showPrices.showId, showIds))
      .orderBy(
        asc(showPrices.showId),
        sql`${venueZones.position} IS NULL`,
        asc(venueZones.position),
        asc(showPrices.zone),
      )
      .all();
    for (const row of rows) {
      const prices = byShow.get(row.showId) ?? emptyPrices();
      prices[row.zone] = row.price;
      byShow.set(row.showId, prices);
    }
    return byShow;
  }
}

/** Seats one INSERT expands: bounds each statement's work and its JSON parameter's size. */
const SEATS_PER_STATEMENT = 10_000;

/** Rows in groups of at most SEATS_PER_STATEMENT seats (a row is never split). */
function seatRowChunks(rows: readonly LaidOutRow[]): LaidOutRow[][] {
  const chunks: LaidOutRow[][] = [];
  let current: LaidOutRow[] = [];
  let seatsInCurrent = 0;
  for (const row of rows) {
    if (current.length > 0 && seatsInCurrent + row.seats > SEATS_PER_STATEMENT) {
      chunks.push(current);
      current = [];
      seatsInCurrent = 0;
    }
    current.push(row);
    seatsInCurrent += row.seats;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * One INSERT of every seat of `rows`: the rows travel as one JSON parameter
 * (`[[zone, row, seats, first position, accessibility?, categories?, category?], ...]`) and
 * a recursive CTE numbers each row's seats 1..seats. A row with accessible seats carries a
 * fifth element, seat number → kind (`{"1": "wheelchair", "2": "companion"}`), read per seat
 * by its quoted key; every other seat (and every seat of a row without it) reads null. A
 * row with price categories carries two more: seat number → category, and the category of
 * the row's other seats (either may be null). Seat ids are spelled as
 * seatIdFor() spells them (`seat_<key>_<row>_<n>`; test/venues.test.ts reads a venue back
 * and compares it with the answer built in memory).
 */
function insertSeatRows(venueId: string, rows: readonly LaidOutRow[]) {
  const widest = Math.max(...rows.map((row) => row.seats));
  const json = JSON.stringify(
    rows.map((row) => {
      const tuple: unknown[] = [row.zone, row.row, row.seats, row.position];
      if (row.accessibility || row.category || row.categories) {
        tuple.push(row.accessibility ?? null);
      }
      if (row.category || row.categories) tuple.push(row.categories ?? null, row.category ?? null);
      return tuple;
    }),
  );
  return {
    sql: `WITH RECURSIVE n(number) AS (SELECT 1 UNION ALL SELECT number + 1 FROM n WHERE number < ?1)
INSERT INTO seats (seat_id, venue_id, zone, row, number, position, accessibility, category)
SELECT ?2 || json_extract(r.value, '$[1]') || '_' || n.number, ?3,
  json_extract(r.value, '$[0]'), json_extract(r.value, '$[1]'), n.number,
  json_extract(r.value, '$[3]') + n.number - 1,
  json_extract(r.value, '$[4]."' || n.number || '"'),
  COALESCE(json_extract(r.value, '$[5]."' || n.number || '"'), json_extract(r.value, '$[6]'))
FROM json_each(?4) AS r JOIN n ON n.number <= json_extract(r.value, '$[2]')`,
    params: [widest, seatIdPrefix(venueId), venueId, json],
  };
}
