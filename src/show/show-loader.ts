import { CatalogD1 } from "../catalog/catalog-d1.ts";
import type { Database } from "../db/database.ts";
import type { SeatInfo } from "./seats/seat-ledger.ts";
import type { ShowInfo } from "./storage/seat-storage.ts";

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
      eventId: event.eventId,
      eventName: event.name,
      venueId: venue.venueId,
      venueName: venue.name,
      totalSeats: venue.totalSeats,
      showTime: Date.parse(record.show.showTime),
      status: record.show.status,
      zones: zones.map((zone) => ({
        name: zone.name,
        price: priceOf(zone.name),
        seats: zone.seatCount,
      })),
    },
    seats: seats.map(([seatId, row, number, zone, position]) => ({
      seatId,
      row,
      number,
      zone,
      price: priceOf(zone),
      position,
    })),
  };
}
