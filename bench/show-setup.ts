/**
 * Creates the benchmark's show through the public API, as an admin would: an event, a venue
 * with `seats` seats in three zones, and a show a week ahead with a price per zone.
 */

import { ticketClient } from "../src/client.ts";

export interface BenchShow {
  showId: string;
  eventId: string;
  venueId: string;
  totalSeats: number;
  /** Price per zone, in major units as the API takes them. */
  prices: Record<string, number>;
}

/** Zone names in venue order (the first is the best) and their prices; one has paise. */
const ZONES = [
  { name: "premium", share: 0.1, price: 2500 },
  { name: "standard", share: 0.5, price: 1249.5 },
  { name: "economy", share: 0.4, price: 600 },
] as const;

/** A, B, ... Z, AA, AB, ... */
function rowLabel(n: number): string {
  let label = "";
  for (let i = n + 1; i > 0; i = Math.floor((i - 1) / 26)) {
    label = String.fromCharCode(65 + ((i - 1) % 26)) + label;
  }
  return label;
}

/**
 * Rows of up to `seatsPerRow` seats (the last may be shorter; narrower rows when there are
 * fewer rows than zones), shared out between the zones by row, each zone at least one row.
 */
export function venueLayout(seats: number, seatsPerRow: number) {
  const width = Math.min(seatsPerRow, Math.ceil(seats / ZONES.length));
  const rowSizes: number[] = [];
  for (let left = seats; left > 0; left -= width) rowSizes.push(Math.min(width, left));
  let next = 0;
  return ZONES.map((zone, z) => {
    const zonesAfter = ZONES.length - 1 - z;
    const count =
      zonesAfter === 0
        ? rowSizes.length - next
        : Math.min(
            Math.max(1, Math.round(rowSizes.length * zone.share)),
            rowSizes.length - next - zonesAfter,
          );
    const rows = rowSizes
      .slice(next, next + count)
      .map((size, i) => ({ row: rowLabel(next + i), seats: size }));
    next += count;
    return { name: zone.name, rows };
  });
}

/** The error to throw for an answer without the expected status: its status and body. */
async function unexpected(what: string, response: { status: number; text(): Promise<string> }) {
  return new Error(`${what}: ${response.status} ${await response.text()}`);
}

/** Through the typed client (src/client.ts), so the bench breaks at compile time if the API moves. */
export async function createShow(
  baseUrl: string,
  adminToken: string,
  seats: number,
  seatsPerRow = seats >= 500 ? 25 : 20,
): Promise<BenchShow> {
  const api = ticketClient(baseUrl, { token: adminToken });
  const eventRes = await api.v1.events.$post({
    json: {
      name: "Benchmark Night",
      description: "Flash sale load test",
      duration_minutes: 150,
    },
  });
  if (eventRes.status !== 201) throw await unexpected("POST /v1/events", eventRes);
  const { event } = await eventRes.json();
  const venueRes = await api.v1.venues.$post({
    json: {
      name: "Benchmark Arena",
      city: "Bengaluru",
      zones: venueLayout(seats, seatsPerRow),
    },
  });
  if (venueRes.status !== 201) throw await unexpected("POST /v1/venues", venueRes);
  const { venue } = await venueRes.json();
  if (venue.total_seats !== seats) {
    throw new Error(`venue has ${venue.total_seats} seats, wanted ${seats}`);
  }
  const prices = Object.fromEntries(ZONES.map((zone) => [zone.name, zone.price]));
  const weekAhead = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
  const showRes = await api.v1.shows.$post({
    json: { event_id: event.event_id, venue_id: venue.venue_id, show_time: weekAhead, prices },
  });
  if (showRes.status !== 201) throw await unexpected("POST /v1/shows", showRes);
  const { show } = await showRes.json();
  return {
    showId: show.show_id,
    eventId: event.event_id,
    venueId: venue.venue_id,
    totalSeats: seats,
    prices,
  };
}
