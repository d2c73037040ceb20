import { CatalogD1, type SeatTuple } from "../catalog/catalog-d1.ts";
import { type Database, database } from "../db/database.ts";
import type { SeatInfo } from "./seats/seat-lock.ts";
import { ShowServices } from "./show-services.ts";
import { ShowState } from "./show-state.ts";
import { SeatStorage, type ShowCategory, type ShowInfo } from "./storage/seat-storage.ts";

/** What a show object copies from the D1 catalog on first use. */
interface CatalogShow {
  info: ShowInfo;
  seats: SeatInfo[];
}

/** The show's catalog facts and seats, or undefined for a show the catalog does not hold. */
export async function loadFromCatalog(
  db: Database,
  showId: string,
): Promise<CatalogShow | undefined> {
  const store = new CatalogD1(db);
  const record = await store.getShow(showId);
  if (!record) return undefined;
  const [venue, zones, seats, event] = await Promise.all([
    store.getVenueRow(record.show.venueId),
    store.getZones(record.show.venueId),
    store.getSeatTuples(record.show.venueId),
    store.getEvent(record.show.eventId),
  ]);
  if (!venue || !event) return undefined;
  // Zone names are chosen by admins: only the price map's own keys are prices (a zone named
  // `constructor` must not read Object.prototype.constructor).
  const priceOf = (zone: string) =>
    Object.hasOwn(record.prices, zone) ? (record.prices[zone] ?? 0) : 0;
  return {
    info: {
      showId,
      orgId: record.show.orgId,
      eventId: event.eventId,
      eventName: event.name,
      venueId: venue.venueId,
      venueName: venue.name,
      totalSeats: venue.totalSeats,
      showTime: Date.parse(record.show.showTime),
      status: record.show.status,
      maxTicketsPerUser: record.show.maxTicketsPerUser,
      salesStart: record.show.salesStart === null ? null : Date.parse(record.show.salesStart),
      salesEnd: record.show.salesEnd === null ? null : Date.parse(record.show.salesEnd),
      waitlistOfferSeconds: record.show.waitlistOfferSeconds,
      checkinPolicy: record.show.checkinPolicy,
      resale: record.show.resale,
      zones: zones.map((zone) => ({
        name: zone.name,
        price: priceOf(zone.name),
        seats: zone.seatCount,
        ...(zone.capacity !== null && { capacity: zone.capacity }),
      })),
      categories: categoriesOf(seats, priceOf),
    },
    seats: seats.map(([seatId, row, number, zone, position, accessibility, category]) => ({
      seatId,
      row,
      number,
      zone,
      // A seat of a price category costs its category's price, else its zone's.
      price: priceOf(category ?? zone),
      position,
      accessibility,
      ...(category && { category }),
    })),
  };
}

/** The price categories the seats name, each with its price and seat count. */
function categoriesOf(
  seats: readonly SeatTuple[],
  priceOf: (name: string) => number,
): ShowCategory[] {
  const counts = new Map<string, number>();
  for (const seat of seats) {
    const category = seat[6];
    if (category) counts.set(category, (counts.get(category) ?? 0) + 1);
  }
  return [...counts].map(([name, count]) => ({ name, price: priceOf(name), seats: count }));
}

/**
 * The show this object already holds, at start-up (inside the constructor's
 * blockConcurrencyWhile). Whatever stopped the object (a deploy, an eviction, a crash at an
 * await), work left unsettled (D1 writes, payments, refunds) resumes now rather than when a
 * request happens to come.
 */
export async function openShow(
  ctx: DurableObjectState,
  env: Env,
): Promise<ShowServices | undefined> {
  const state = ShowState.open(ctx, env, await ctx.storage.getAlarm());
  if (!state) return undefined;
  const show = new ShowServices(state, env);
  if (show.nextRetryAt(Date.now()) !== undefined) await state.armAlarm(Date.now());
  return show;
}

/**
 * The show of a fresh object, copied from the D1 catalog on its first use (its object's
 * name is the show id); undefined for a show the catalog does not hold. Runs while no other
 * request does; the object shares one call among requests arriving together.
 */
export async function loadShow(
  ctx: DurableObjectState,
  env: Env,
): Promise<ShowServices | undefined> {
  const showId = ctx.id.name;
  if (!showId) return undefined;
  let show: ShowServices | undefined;
  await ctx.blockConcurrencyWhile(async () => {
    const catalog = await loadFromCatalog(database(env.DB), showId);
    if (!catalog) return;
    const { storage } = ctx;
    storage.transactionSync(() =>
      new SeatStorage(storage.sql).initialize(catalog.info, catalog.seats),
    );
    const state = ShowState.open(ctx, env, null);
    if (state) show = new ShowServices(state, env);
  });
  return show;
}
