import type { ShowInfo } from "../storage/seat-storage.ts";
import type { SeatLedger } from "./seat-ledger.ts";

function venueOf(info: ShowInfo) {
  return { venue_id: info.venueId, name: info.venueName, total_seats: info.totalSeats };
}

/** The show's price categories and prices (`{}` is left out: most venues have none). */
function categoriesOf(info: ShowInfo) {
  const categories = info.categories ?? [];
  if (categories.length === 0) return {};
  return {
    categories: Object.fromEntries(
      categories.map((c) => [c.name, { price: c.price, seats: c.seats }]),
    ),
  };
}

/** The standing areas' counts (left out for a show without areas: most have none). */
function areasOf(seats: SeatLedger, zone?: string) {
  if (seats.areas.isEmpty) return {};
  const areas = seats.areas.all().filter((area) => zone === undefined || area.zone === zone);
  return zone !== undefined && areas.length === 0 ? {} : { areas };
}

function zonesOf(info: ShowInfo, zone?: string) {
  return Object.fromEntries(
    info.zones
      .filter((z) => zone === undefined || z.name === zone)
      .map((z) => [z.name, { price: z.price, seats: z.seats }]),
  );
}

/**
 * The seat map (show, venue, every seat with its status, zones) and its version, as of
 * `now`; with `zone`, that zone's seats only.
 */
export function seatMapView(
  info: ShowInfo,
  seats: SeatLedger,
  version: number,
  now: number,
  zone?: string,
) {
  const list: object[] = [];
  for (const seat of seats.seats.values()) {
    if (zone !== undefined && seat.zone !== zone) continue;
    list.push({
      seat_id: seat.seatId,
      row: seat.row,
      number: seat.number,
      status: seats.statusOf(seat.seatId, now),
      // A resale seat costs its listing's price (at most its face price).
      price: seats.priceOf(seat),
      zone: seat.zone,
      accessibility: seat.accessibility ?? null,
      ...(seat.category && { category: seat.category }),
    });
  }
  return {
    show_id: info.showId,
    version,
    venue: venueOf(info),
    seats: list,
    zones: zonesOf(info, zone),
    ...categoriesOf(info),
    ...areasOf(seats, zone),
  };
}

/**
 * The show's layout: every seat without its status, in the fixed order the compact status
 * string and the compact live feed index into.
 */
export function layoutView(info: ShowInfo, seats: SeatLedger) {
  return {
    show_id: info.showId,
    venue: venueOf(info),
    zones: zonesOf(info),
    ...categoriesOf(info),
    seats: [...seats.seats.values()].map((seat) => ({
      seat_id: seat.seatId,
      row: seat.row,
      number: seat.number,
      price: seat.price,
      zone: seat.zone,
      accessibility: seat.accessibility ?? null,
      ...(seat.category && { category: seat.category }),
    })),
  };
}
