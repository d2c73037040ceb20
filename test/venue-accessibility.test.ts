import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CatalogD1 } from "../src/catalog/catalog-d1.ts";
import { seatIdFor } from "../src/catalog/venue-layout.ts";
import { database } from "../src/db/database.ts";
import { adminToken, call, expectError } from "./support/helpers.ts";

interface SeatJson {
  seat_id: string;
  row: string;
  number: number;
  zone: string;
  accessibility: string | null;
}

interface VenueJson {
  venue_id: string;
  total_seats: number;
  seats: SeatJson[];
}

async function postVenue(body: unknown) {
  return call("POST", "/v1/venues", { token: await adminToken(), body });
}

async function count(table: "venues" | "seats"): Promise<number> {
  const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<{ n: number }>();
  return row?.n ?? 0;
}

/** Two zones: single rows with and without lists, and a run of rows sharing one. */
const accessibleVenue = {
  name: "Royal Hall",
  city: "Mumbai",
  zones: [
    {
      name: "stalls",
      rows: [
        {
          row: "A",
          seats: 6,
          accessibility: { wheelchair: [1, 6], companion: [2, 5], aisle: [3] },
        },
        { row: "B", seats: 4 },
        { row: "C", seats: 3, accessibility: { limited_view: [3], wheelchair: [] } },
      ],
    },
    {
      name: "circle",
      rows: [{ from: "D", to: "F", seats: 5, accessibility: { aisle: [1, 5], companion: [2] } }],
    },
  ],
};

/** Row → seat number → kind, for every listed seat of accessibleVenue. */
const expected: Record<string, Record<number, string>> = {
  A: { 1: "wheelchair", 6: "wheelchair", 2: "companion", 5: "companion", 3: "aisle" },
  B: {},
  C: { 3: "limited_view" },
  D: { 1: "aisle", 5: "aisle", 2: "companion" },
  E: { 1: "aisle", 5: "aisle", 2: "companion" },
  F: { 1: "aisle", 5: "aisle", 2: "companion" },
};

const kindOf = (row: string, number: number) => expected[row]?.[number] ?? null;

describe("accessible and companion seats of a venue", () => {
  it("answers every seat's accessibility on POST and GET, with ids and positions unchanged", async () => {
    const res = await postVenue(accessibleVenue);
    expect(res.status).toBe(201);
    const { venue } = (await res.json()) as { venue: VenueJson };
    expect(venue.total_seats).toBe(6 + 4 + 3 + 3 * 5);
    expect(venue.seats).toHaveLength(venue.total_seats);
    for (const seat of venue.seats) {
      expect(seat).toEqual({
        seat_id: seatIdFor(venue.venue_id, seat.row, seat.number),
        row: seat.row,
        number: seat.number,
        zone: ["A", "B", "C"].includes(seat.row) ? "stalls" : "circle",
        accessibility: kindOf(seat.row, seat.number),
        category: null,
      });
    }
    expect(venue.seats.map((s) => `${s.row}${s.number}`).slice(0, 8)).toEqual([
      "A1",
      "A2",
      "A3",
      "A4",
      "A5",
      "A6",
      "B1",
      "B2",
    ]);

    const read = await call("GET", `/v1/venues/${venue.venue_id}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ venue });

    // Positions run 0.. in seat-map order, as for a venue without lists.
    const stored = await env.DB.prepare(
      "SELECT seat_id, position, accessibility FROM seats WHERE venue_id = ? ORDER BY position",
    )
      .bind(venue.venue_id)
      .all<{ seat_id: string; position: number; accessibility: string | null }>();
    expect(stored.results).toEqual(
      venue.seats.map((seat, position) => ({
        seat_id: seat.seat_id,
        position,
        accessibility: seat.accessibility,
      })),
    );

    // A show object's first load reads them as the sixth element of each seat tuple.
    const tuples = await new CatalogD1(database(env.DB)).getSeatTuples(venue.venue_id);
    expect(tuples).toEqual(
      venue.seats.map((seat, position) => [
        seat.seat_id,
        seat.row,
        seat.number,
        seat.zone,
        position,
        seat.accessibility,
        null,
      ]),
    );
  });

  it("takes a row whose every seat is listed, and a venue with no lists answers null for all", async () => {
    const full = Array.from({ length: 200 }, (_, i) => i + 1);
    const res = await postVenue({
      name: "Hall",
      city: "Pune",
      zones: [
        {
          name: "main",
          rows: [
            { row: "A", seats: 200, accessibility: { limited_view: full } },
            { row: "B", seats: 2 },
          ],
        },
      ],
    });
    expect(res.status).toBe(201);
    const { venue } = (await res.json()) as { venue: VenueJson };
    expect(venue.seats.filter((s) => s.accessibility === "limited_view")).toHaveLength(200);
    expect(venue.seats.filter((s) => s.row === "B").map((s) => s.accessibility)).toEqual([
      null,
      null,
    ]);
  });

  it("keeps a kind the seats table does not know out of D1", async () => {
    const res = await postVenue({
      name: "Hall",
      city: "Pune",
      zones: [{ name: "main", rows: [{ row: "A", seats: 1 }] }],
    });
    const { venue } = (await res.json()) as { venue: VenueJson };
    await expect(
      env.DB.prepare("UPDATE seats SET accessibility = 'hearing' WHERE venue_id = ?")
        .bind(venue.venue_id)
        .run(),
    ).rejects.toThrow(/CHECK constraint failed/);
  });

  /** The refused entry is the second row of the second zone: zones.1.rows.1. */
  const venueWithRow = (entry: unknown) => ({
    name: "Hall",
    city: "Pune",
    zones: [
      { name: "front", rows: [{ row: "A", seats: 4 }] },
      { name: "back", rows: [{ row: "B", seats: 4 }, entry] },
    ],
  });

  it.each([
    [
      "a number past the row's end",
      venueWithRow({ row: "C", seats: 4, accessibility: { wheelchair: [1, 5] } }),
      "zones.1.rows.1.accessibility.wheelchair.1",
      "must be a seat of the row (1 to 4)",
    ],
    [
      "a number past the end of a run's rows",
      venueWithRow({ from: "C", to: "E", seats: 3, accessibility: { aisle: [4] } }),
      "zones.1.rows.1.accessibility.aisle.0",
      "must be a seat of the row (1 to 3)",
    ],
    [
      "a seat in two lists",
      venueWithRow({ row: "C", seats: 4, accessibility: { wheelchair: [1], companion: [2, 1] } }),
      "zones.1.rows.1.accessibility.companion.1",
      "seat 1 is listed already in wheelchair",
    ],
    [
      "a seat twice in one list",
      venueWithRow({ row: "C", seats: 4, accessibility: { aisle: [4, 4] } }),
      "zones.1.rows.1.accessibility.aisle.1",
      "seat 4 is listed twice",
    ],
    [
      "an unknown kind",
      venueWithRow({ row: "C", seats: 4, accessibility: { hearing_loop: [1] } }),
      "zones.1.rows.1.accessibility.hearing_loop",
      "is not a field of this API",
    ],
    [
      "a list longer than the row",
      venueWithRow({ row: "C", seats: 2, accessibility: { companion: [1, 2, 1] } }),
      "zones.1.rows.1.accessibility.companion",
      "lists 3 seats; the row has 2",
    ],
    [
      "seat 0",
      venueWithRow({ row: "C", seats: 4, accessibility: { wheelchair: [0] } }),
      "zones.1.rows.1.accessibility.wheelchair.0",
      undefined,
    ],
    [
      "a fractional seat",
      venueWithRow({ row: "C", seats: 4, accessibility: { wheelchair: [1.5] } }),
      "zones.1.rows.1.accessibility.wheelchair.0",
      undefined,
    ],
    [
      "a kind that is not a list",
      venueWithRow({ row: "C", seats: 4, accessibility: { wheelchair: 1 } }),
      "zones.1.rows.1.accessibility.wheelchair",
      undefined,
    ],
    [
      "accessibility that is not an object",
      venueWithRow({ row: "C", seats: 4, accessibility: ["wheelchair"] }),
      "zones.1.rows.1.accessibility",
      undefined,
    ],
  ])(
    "refuses %s with 400 naming the field, writing nothing",
    async (_name, body, field, reason) => {
      const [venues, seats] = [await count("venues"), await count("seats")];
      const error = await expectError(await postVenue(body), 400, "INVALID_INPUT");
      expect(error.details?.field).toBe(field);
      if (reason !== undefined) expect(error.details?.reason).toBe(reason);
      expect([await count("venues"), await count("seats")]).toEqual([venues, seats]);
    },
  );
});
