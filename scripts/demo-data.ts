/**
 * The demo catalog `npm start` loads: one event, one venue shaped like the seat map example of docs/api.md's
 * example (premium: 50 seats at 500, standard: 150 at 300) and one upcoming show. Fixed ids
 * make loading it idempotent; the show is moved a week ahead whenever its time has passed.
 */
import { layOutVenue } from "../src/catalog/venue-layout.ts";

export const DEMO_EVENT_ID = "event_demo";
export const DEMO_VENUE_ID = "venue_demo";
export const DEMO_SHOW_ID = "show_demo";

const rows = (labels: string, seats: number) => [...labels].map((row) => ({ row, seats }));

const zones = [
  { name: "premium", rows: rows("ABCDE", 10) },
  { name: "standard", rows: rows("FGHJKLMNPQRSTUV", 10) },
];
const prices: Record<string, number> = { premium: 500, standard: 300 };

function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Next week, 18:30 UTC: an evening show people can still book. */
export function demoShowTime(now = new Date()): string {
  const time = new Date(now.getTime() + 7 * 24 * 3600 * 1000);
  time.setUTCHours(18, 30, 0, 0);
  return time.toISOString();
}

export function demoDataSql(now = new Date()): string {
  const layout = layOutVenue(DEMO_VENUE_ID, zones, 10_000);
  const created = sqlText(now.toISOString());
  const statements = [
    `INSERT OR IGNORE INTO events (event_id, name, description, duration_minutes, created_at) VALUES (${sqlText(DEMO_EVENT_ID)}, 'Avengers: Endgame', 'Demo event loaded by npm start', 181, ${created});`,
    `INSERT OR IGNORE INTO venues (venue_id, name, city, total_seats, created_at) VALUES (${sqlText(DEMO_VENUE_ID)}, 'PVR Cinemas', 'Bengaluru', ${layout.seats.length}, ${created});`,
    ...layout.zones.map(
      (zone) =>
        `INSERT OR IGNORE INTO venue_zones (venue_id, name, position, seat_count) VALUES (${sqlText(DEMO_VENUE_ID)}, ${sqlText(zone.name)}, ${zone.position}, ${zone.seatCount});`,
    ),
    ...layout.seats.map(
      (seat) =>
        `INSERT OR IGNORE INTO seats (seat_id, venue_id, zone, row, number, position) VALUES (${sqlText(seat.seatId)}, ${sqlText(DEMO_VENUE_ID)}, ${sqlText(seat.zone)}, ${sqlText(seat.row)}, ${seat.number}, ${seat.position});`,
    ),
    `INSERT INTO shows (show_id, event_id, venue_id, show_time, status, created_at) VALUES (${sqlText(DEMO_SHOW_ID)}, ${sqlText(DEMO_EVENT_ID)}, ${sqlText(DEMO_VENUE_ID)}, ${sqlText(demoShowTime(now))}, 'scheduled', ${created})
  ON CONFLICT (show_id) DO UPDATE SET show_time = excluded.show_time WHERE shows.show_time <= ${sqlText(now.toISOString())};`,
    ...Object.entries(prices).map(
      ([zone, price]) =>
        `INSERT OR IGNORE INTO show_prices (show_id, zone, price) VALUES (${sqlText(DEMO_SHOW_ID)}, ${sqlText(zone)}, ${price});`,
    ),
  ];
  return `${statements.join("\n")}\n`;
}
