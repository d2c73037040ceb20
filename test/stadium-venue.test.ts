import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { seatIdFor } from "../src/catalog/venue-layout.ts";
import {
  adminToken,
  type BookingJson,
  call,
  card,
  createShow,
  expectError,
  type LockJson,
  lockSeats,
  newKey,
  postBooking,
  tokenFor,
} from "./support/helpers.ts";

/** The request body limit (docs/api.md, "Request ids, headers and limits"). */
const BODY_LIMIT = 64 * 1024;
/** A 100,000-seat venue needs a second or two locally; a busy machine needs more. */
const SLOW = 60_000;

/** Four stands of 125 rows of 200 seats: 100,000 seats, every row written out. */
const stadium = {
  name: "National Stadium",
  city: "Ahmedabad",
  zones: ["north", "east", "south", "west"].map((name) => ({
    name,
    rows: Array.from({ length: 125 }, (_, r) => ({
      row: `${name.slice(0, 1).toUpperCase()}${r + 1}`,
      seats: 200,
    })),
  })),
};
const stadiumPrices = { north: 120, east: 90, south: 60, west: 45.5 };

interface VenueJson {
  venue_id: string;
  total_seats: number;
  zones: { name: string; seats: number }[];
  seats: { seat_id: string; row: string; number: number; zone: string }[];
}

async function postVenue(body: unknown) {
  return call("POST", "/v1/venues", { token: await adminToken(), body });
}

async function seatsInD1(venueId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM seats WHERE venue_id = ?")
    .bind(venueId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function countVenues(): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM venues").first<{ n: number }>();
  return row?.n ?? 0;
}

/** `<row>_<number>` of each seat id of the venue, e.g. "N63_99". */
function seatNames(venueId: string, seatIds: string[]): string[] {
  const prefix = seatIdFor(venueId, "", 0).slice(0, -"_0".length);
  return seatIds.map((id) => (id.startsWith(prefix) ? id.slice(prefix.length) : id));
}

describe("stadium-size venues", () => {
  it(
    "creates a 100,000-seat venue of 200-seat rows in one request under the body limit",
    async () => {
      expect(JSON.stringify(stadium).length).toBeLessThan(BODY_LIMIT);
      const res = await postVenue(stadium);
      expect(res.status).toBe(201);
      const { venue } = (await res.json()) as { venue: VenueJson };
      expect(venue.total_seats).toBe(100_000);
      expect(venue.zones).toEqual(
        ["north", "east", "south", "west"].map((name) => ({ name, seats: 25_000 })),
      );
      expect(venue.seats).toHaveLength(100_000);
      expect(venue.seats.at(-1)).toEqual({
        seat_id: seatIdFor(venue.venue_id, "W125", 200),
        row: "W125",
        number: 200,
        zone: "west",
        accessibility: null,
        category: null,
      });
      expect(await seatsInD1(venue.venue_id)).toBe(100_000);
      const read = await call("GET", `/v1/venues/${venue.venue_id}`);
      const stored = (await read.json()) as { venue: VenueJson };
      expect(stored.venue.seats[54_321]).toEqual(venue.seats[54_321]);
    },
    SLOW,
  );

  it(
    "sells from a 100,000-seat show: best available with and without a zone, chosen seats, a card booking",
    async () => {
      const { showId, venueId } = await createShow(stadiumPrices, stadium);
      const alice = await tokenFor("user_alice");
      const bob = await tokenFor("user_bob");

      const best = await lockSeats(alice, { show_id: showId, quantity: 4 });
      expect(best.status).toBe(200);
      const aliceLock = (await best.json()) as LockJson;
      // The first stand is the best; its middle row is N63 of 125, the middle of 200 seats 100.5.
      expect(seatNames(venueId, aliceLock.seat_ids)).toEqual([
        "N63_99",
        "N63_100",
        "N63_101",
        "N63_102",
      ]);

      const inWest = await lockSeats(bob, { show_id: showId, quantity: 3, zone: "west" });
      expect(inWest.status).toBe(200);
      const westLock = (await inWest.json()) as LockJson;
      // Three seats cannot centre on 100.5: 99-101 and 100-102 tie, and the first wins.
      expect(seatNames(venueId, westLock.seat_ids)).toEqual(["W63_99", "W63_100", "W63_101"]);

      const chosen = [seatIdFor(venueId, "S1", 1), seatIdFor(venueId, "S1", 2)];
      const explicit = await lockSeats(bob, { show_id: showId, seat_ids: chosen });
      expect(explicit.status).toBe(200);
      expect(((await explicit.json()) as LockJson).seat_ids).toEqual(chosen);

      const booked = await postBooking(
        alice,
        {
          show_id: showId,
          lock_id: aliceLock.lock_id,
          seat_ids: aliceLock.seat_ids,
          user_id: "user_alice",
          payment_method: card(),
        },
        newKey(),
      );
      expect(booked.status).toBe(201);
      const { booking } = (await booked.json()) as { booking: BookingJson };
      expect(booking.status).toBe("confirmed");
      expect(booking.total_amount).toBe(480);

      // The next pair: one row off the middle (N62, before N64) and centred beats N63's
      // remaining seats, which are three seats off centre.
      const next = await lockSeats(bob, { show_id: showId, quantity: 2 });
      const nextLock = (await next.json()) as LockJson;
      expect(seatNames(venueId, nextLock.seat_ids)).toEqual(["N62_100", "N62_101"]);
      await expectError(
        await lockSeats(bob, { show_id: showId, seat_ids: [aliceLock.seat_ids[0]] }),
        400,
        "SEATS_UNAVAILABLE",
      );
    },
    SLOW,
  );

  it(
    "takes 100 sections written as runs of rows (S1R1 to S1R40 ...) in one request of a few KiB",
    async () => {
      const sections = {
        name: "Bowl",
        city: "Kolkata",
        zones: Array.from({ length: 100 }, (_, i) => ({
          name: `section-${i + 1}`,
          rows: [{ from: `S${i + 1}R1`, to: `S${i + 1}R40`, seats: 25 }],
        })),
      };
      expect(JSON.stringify(sections).length).toBeLessThan(8 * 1024);
      const res = await postVenue(sections);
      expect(res.status).toBe(201);
      const { venue } = (await res.json()) as { venue: VenueJson };
      expect(venue.total_seats).toBe(100_000);
      expect(venue.zones[99]).toEqual({ name: "section-100", seats: 1_000 });
      expect(venue.seats[1_000]).toMatchObject({ row: "S2R1", number: 1, zone: "section-2" });
      expect(venue.seats.at(-1)).toMatchObject({ row: "S100R40", number: 25 });
      expect(await seatsInD1(venue.venue_id)).toBe(100_000);
    },
    SLOW,
  );

  it("counts runs of rows in letters past Z and in zero-padded numbers, beside single rows", async () => {
    const res = await postVenue({
      name: "Club",
      city: "Pune",
      zones: [
        {
          name: "stalls",
          rows: [
            { row: "A", seats: 1 },
            { from: "Y", to: "AB", seats: 1 },
          ],
        },
        { name: "gallery", rows: [{ from: "G08", to: "G11", seats: 1 }] },
      ],
    });
    expect(res.status).toBe(201);
    const { venue } = (await res.json()) as { venue: VenueJson };
    expect(venue.seats.map((s) => s.row)).toEqual([
      "A",
      "Y",
      "Z",
      "AA",
      "AB",
      "G08",
      "G09",
      "G10",
      "G11",
    ]);
  });

  const rows = (entries: unknown[]) => ({
    name: "Hall",
    city: "Pune",
    zones: [{ name: "main", rows: entries }],
  });
  const full = Array.from({ length: 500 }, (_, i) => ({ row: `R${i + 1}`, seats: 200 }));

  it.each([
    ["a row of 201 seats", rows([{ row: "A", seats: 201 }]), "zones.0.rows.0.seats"],
    ["100,001 seats", rows([...full, { row: "X", seats: 1 }]), "zones"],
    [
      "a run of rows past 100,000 seats",
      rows([{ from: "A", to: "ZZZZZZZZZZ", seats: 200 }]),
      "zones",
    ],
    [
      "a run that ends before it starts",
      rows([{ from: "R9", to: "R2", seats: 5 }]),
      "zones.0.rows.0.to",
    ],
    [
      "a run whose ends differ in prefix",
      rows([{ from: "A1", to: "B9", seats: 5 }]),
      "zones.0.rows.0.to",
    ],
    [
      "a run mixing padded and plain numbers",
      rows([{ from: "01", to: "100", seats: 5 }]),
      "zones.0.rows.0.to",
    ],
    ["a run with no end", rows([{ from: "A", seats: 5 }]), "zones.0.rows.0.to"],
    [
      "a row that is also a run",
      rows([{ row: "A", from: "B", to: "C", seats: 5 }]),
      "zones.0.rows.0.row",
    ],
    ["an entry with no row at all", rows([{ seats: 5 }]), "zones.0.rows.0.row"],
    [
      "101 zones",
      {
        name: "Hall",
        city: "Pune",
        zones: Array.from({ length: 101 }, (_, i) => ({
          name: `z${i}`,
          rows: [{ row: `R${i}`, seats: 1 }],
        })),
      },
      "zones",
    ],
    [
      "a run that repeats a row of another zone",
      {
        name: "Hall",
        city: "Pune",
        zones: [
          { name: "front", rows: [{ row: "C", seats: 5 }] },
          { name: "back", rows: [{ from: "A", to: "E", seats: 5 }] },
        ],
      },
      "zones.1.rows.0.from",
    ],
  ])("refuses %s with 400 naming the field, writing nothing", async (_what, body, field) => {
    const before = await countVenues();
    const error = await expectError(await postVenue(body), 400, "INVALID_INPUT");
    expect(error.details?.field).toBe(field);
    expect(await countVenues()).toBe(before);
  });
});
