import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminToken, call, demoVenueInput, expectError } from "./support/helpers.ts";

interface VenueJson {
  venue_id: string;
  name: string;
  city: string;
  total_seats: number;
  zones: { name: string; seats: number }[];
  seats: {
    seat_id: string;
    row: string;
    number: number;
    zone: string;
    accessibility: string | null;
  }[];
}

async function postVenue(body: unknown) {
  return call("POST", "/v1/venues", { token: await adminToken(), body });
}

async function countVenues(): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM venues").first<{ n: number }>();
  return row?.n ?? 0;
}

describe("POST /v1/venues", () => {
  it("creates the venue with every seat numbered from 1 in each row", async () => {
    const res = await postVenue(demoVenueInput);
    expect(res.status).toBe(201);
    const { venue } = (await res.json()) as { venue: VenueJson };
    expect(venue.venue_id).toMatch(/^venue_/);
    expect(venue.name).toBe("PVR Cinemas");
    expect(venue.city).toBe("Bengaluru");
    expect(venue.total_seats).toBe(44);
    expect(venue.zones).toEqual([
      { name: "premium", seats: 20 },
      { name: "standard", seats: 24 },
    ]);
    expect(venue.seats).toHaveLength(44);
    expect(venue.seats[0]).toEqual({
      seat_id: expect.stringMatching(/^seat_/),
      row: "A",
      number: 1,
      zone: "premium",
      accessibility: null,
      category: null,
    });
    const rowC = venue.seats.filter((s) => s.row === "C");
    expect(rowC.map((s) => s.number)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(rowC.every((s) => s.zone === "standard")).toBe(true);
    expect(new Set(venue.seats.map((s) => s.seat_id)).size).toBe(44);

    const read = await call("GET", `/v1/venues/${venue.venue_id}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ venue });
  });

  it("gives two venues distinct seat ids", async () => {
    const a = (await (await postVenue(demoVenueInput)).json()) as { venue: VenueJson };
    const b = (await (await postVenue(demoVenueInput)).json()) as { venue: VenueJson };
    const ids = new Set(a.venue.seats.map((s) => s.seat_id));
    expect(b.venue.seats.some((s) => ids.has(s.seat_id))).toBe(false);
  });

  const zone = (rows: unknown) => ({ name: "Hall", city: "Pune", zones: [{ name: "main", rows }] });

  it.each([
    [{ city: "Pune", zones: demoVenueInput.zones }, "name"],
    [{ name: "Hall", zones: demoVenueInput.zones }, "city"],
    [{ name: "Hall", city: "Pune" }, "zones"],
    [{ name: "Hall", city: "Pune", zones: [] }, "zones"],
    [{ name: "x".repeat(201), city: "Pune", zones: demoVenueInput.zones }, "name"],
    [
      {
        name: "Hall",
        city: "Pune",
        zones: [{ name: "Main Hall", rows: [{ row: "A", seats: 2 }] }],
      },
      "zones.0.name",
    ],
    [zone([]), "zones.0.rows"],
    [zone([{ row: "A", seats: 0 }]), "zones.0.rows.0.seats"],
    [zone([{ row: "A", seats: -3 }]), "zones.0.rows.0.seats"],
    [zone([{ row: "A", seats: 2.5 }]), "zones.0.rows.0.seats"],
    [zone([{ row: "A", seats: "10" }]), "zones.0.rows.0.seats"],
    [zone([{ row: "", seats: 2 }]), "zones.0.rows.0.row"],
    [zone([{ row: "A-1", seats: 2 }]), "zones.0.rows.0.row"],
    [zone([{ row: "A", seats: 501 }]), "zones.0.rows.0.seats"],
    [{ name: "Hall\u0000", city: "Pune", zones: demoVenueInput.zones }, "name"],
    [{ name: "Hall\nB", city: "Pune", zones: demoVenueInput.zones }, "name"],
    [{ name: "Hall", city: "Pu\u0007ne", zones: demoVenueInput.zones }, "city"],
    [{ name: "Hall", city: "Pune\u007f", zones: demoVenueInput.zones }, "city"],
    [
      {
        name: "Hall",
        city: "Pune",
        zones: [{ name: "main\u0000", rows: [{ row: "A", seats: 2 }] }],
      },
      "zones.0.name",
    ],
    [zone([{ row: "A\u0000", seats: 2 }]), "zones.0.rows.0.row"],
  ])("refuses %j with 400 naming %s, writing nothing", async (body, field) => {
    const before = await countVenues();
    const error = await expectError(await postVenue(body), 400, "INVALID_INPUT");
    expect(error.details?.field).toBe(field);
    expect(await countVenues()).toBe(before);
  });

  it("refuses duplicate rows, even across zones and letter case", async () => {
    const before = await countVenues();
    const error = await expectError(
      await postVenue({
        name: "Hall",
        city: "Pune",
        zones: [
          { name: "front", rows: [{ row: "A", seats: 5 }] },
          { name: "back", rows: [{ row: "a", seats: 5 }] },
        ],
      }),
      400,
      "INVALID_INPUT",
    );
    expect(error.details).toEqual({ field: "zones.1.rows.0.row", reason: "duplicate row 'a'" });
    expect(await countVenues()).toBe(before);
  });

  it("refuses duplicate zone names", async () => {
    const error = await expectError(
      await postVenue({
        name: "Hall",
        city: "Pune",
        zones: [
          { name: "front", rows: [{ row: "A", seats: 5 }] },
          { name: "front", rows: [{ row: "B", seats: 5 }] },
        ],
      }),
      400,
      "INVALID_INPUT",
    );
    expect(error.details?.field).toBe("zones.1.name");
  });

  it("refuses a venue of more than 100,000 seats", async () => {
    const rows = Array.from({ length: 501 }, (_, i) => ({ row: `R${i}`, seats: 200 }));
    const error = await expectError(
      await postVenue({ name: "Stadium", city: "Pune", zones: [{ name: "all", rows }] }),
      400,
      "INVALID_INPUT",
    );
    expect(error.details?.field).toBe("zones");
  });

  it("stores a 1,000-seat venue in one request", async () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({ row: `R${i + 1}`, seats: 50 }));
    const res = await postVenue({ name: "Arena", city: "Delhi", zones: [{ name: "floor", rows }] });
    expect(res.status).toBe(201);
    const { venue } = (await res.json()) as { venue: VenueJson };
    expect(venue.total_seats).toBe(1000);
    expect(venue.seats).toHaveLength(1000);
  });
});

describe("GET /v1/venues/{venue_id}", () => {
  it("answers 404 for an unknown venue", async () => {
    await expectError(await call("GET", "/v1/venues/venue_unknown"), 404, "NOT_FOUND");
  });
});
