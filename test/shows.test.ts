import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  adminToken,
  call,
  createShow,
  expectError,
  inOneWeek,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";

let eventId: string;
let venueId: string;

beforeAll(async () => {
  ({ eventId, venueId } = await createShow());
});

async function postShow(body: Record<string, unknown>) {
  return call("POST", "/v1/shows", {
    token: await adminToken(),
    body: {
      event_id: eventId,
      venue_id: venueId,
      show_time: inOneWeek(),
      prices: { premium: 500, standard: 300 },
      ...body,
    },
  });
}

/** `years` calendar years from now, plus `extraMs`, as an ISO time. */
function yearsAhead(years: number, extraMs: number): string {
  const at = new Date();
  at.setUTCFullYear(at.getUTCFullYear() + years);
  return new Date(at.getTime() + extraMs).toISOString();
}

async function countShows(): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM shows").first<{ n: number }>();
  return row?.n ?? 0;
}

describe("POST /v1/shows", () => {
  it("creates a scheduled show with a price for every zone", async () => {
    const showTime = "2031-05-01T18:30:00+05:30";
    const res = await postShow({ show_time: showTime, prices: { premium: 499.5, standard: 0 } });
    expect(res.status).toBe(201);
    const { show } = (await res.json()) as { show: Record<string, unknown> };
    expect(show).toEqual({
      show_id: expect.stringMatching(/^show_/),
      org_id: "org_demo",
      event_id: eventId,
      venue_id: venueId,
      show_time: "2031-05-01T13:00:00.000Z",
      status: "scheduled",
      prices: { premium: 499.5, standard: 0 },
      max_tickets_per_user: null,
      sales_start: null,
      sales_end: null,
      waitlist_offer_seconds: 900,
      checkin_policy: { reentry: false },
      resale: true,
      created_at: expect.any(String),
    });
    const read = await call("GET", `/v1/shows/${show.show_id}`);
    expect(await read.json()).toEqual({ show });
  });

  it.each([
    [{ event_id: "event_nope" }, "event"],
    [{ venue_id: "venue_nope" }, "venue"],
  ])("refuses %j with 404 naming the unknown %s, writing nothing", async (body, resource) => {
    const before = await countShows();
    const error = await expectError(await postShow(body), 404, "NOT_FOUND");
    expect(error.details?.resource).toBe(resource);
    expect(await countShows()).toBe(before);
  });

  it.each([
    [{ show_time: "next friday" }, "show_time"],
    [{ show_time: "2031-05-01" }, "show_time"],
    [{ show_time: 1893456000 }, "show_time"],
    [{ show_time: "2020-01-01T18:00:00Z" }, "show_time"],
    [{ prices: { premium: 500 } }, "prices.standard"],
    [{ prices: { premium: 500, standard: 300, balcony: 100 } }, "prices.balcony"],
    [{ prices: { premium: -1, standard: 300 } }, "prices.premium"],
    [{ prices: { premium: "500", standard: 300 } }, "prices.premium"],
    [{ prices: { premium: 10.005, standard: 300 } }, "prices.premium"],
    [{ prices: { premium: 0.30000000000000004, standard: 300 } }, "prices.premium"],
    [{ prices: { premium: 500, standard: 300, constructor: 1 } }, "prices.constructor"],
    [{ prices: { premium: 500, standard: 300, toString: 1 } }, "prices.toString"],
    // A computed key makes __proto__ an own property, as JSON.parse does on the server.
    [{ prices: { premium: 500, standard: 300, ["__proto__"]: 1 } }, "prices.__proto__"],
    [{ prices: [500, 300] }, "prices"],
    [{ event_id: 12 }, "event_id"],
  ])("refuses %j with 400 naming %s, writing nothing", async (body, field) => {
    const before = await countShows();
    const error = await expectError(await postShow(body), 400, "INVALID_INPUT");
    expect(error.details?.field).toBe(field);
    expect(await countShows()).toBe(before);
  });

  it("refuses a show_time more than 5 years ahead with 400 naming show_time, writing nothing", async () => {
    const before = await countShows();
    for (const showTime of ["9999-12-31T23:59:59Z", yearsAhead(5, 86_400_000)]) {
      const error = await expectError(
        await postShow({ show_time: showTime }),
        400,
        "INVALID_INPUT",
      );
      expect(error.details?.field).toBe("show_time");
    }
    expect(await countShows()).toBe(before);
  });

  it("takes a show_time with any offset and fractional seconds as the instant it names", async () => {
    // Almost 5 years ahead, written at -09:30 with sub-millisecond digits.
    const instant = Date.parse(yearsAhead(5, -86_400_000));
    const local = new Date(instant - 570 * 60_000).toISOString().slice(0, -1);
    const res = await postShow({ show_time: `${local}987-09:30` });
    expect(res.status).toBe(201);
    const { show } = (await res.json()) as { show: { show_time: string } };
    expect(show.show_time).toBe(new Date(instant).toISOString());
  });

  it("needs the admin role", async () => {
    const res = await call("POST", "/v1/shows", {
      token: await tokenFor("user_9"),
      body: { event_id: eventId, venue_id: venueId, show_time: inOneWeek(), prices: {} },
    });
    await expectError(res, 403, "FORBIDDEN");
  });
});

describe("zones named like properties every JavaScript object has", () => {
  async function venueWithZones(names: string[]): Promise<string> {
    const res = await call("POST", "/v1/venues", {
      token: await adminToken(),
      body: {
        name: "Prototype Hall",
        city: "Pune",
        zones: names.map((name, i) => ({ name, rows: [{ row: `R${i}`, seats: 2 }] })),
      },
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { venue: { venue_id: string } }).venue.venue_id;
  }

  it("refuses a show that leaves out the price of a zone named constructor, naming it", async () => {
    const constructorVenue = await venueWithZones(["constructor", "stalls"]);
    const before = await countShows();
    const error = await expectError(
      await postShow({ venue_id: constructorVenue, prices: { stalls: 500 } }),
      400,
      "INVALID_INPUT",
    );
    expect(error.details).toEqual({
      field: "prices.constructor",
      reason: "a price is required for zone 'constructor'",
    });
    expect(await countShows()).toBe(before);
  });

  it("prices a zone named constructor like any other, on the show and its seat map", async () => {
    const constructorVenue = await venueWithZones(["constructor", "stalls"]);
    const res = await postShow({
      venue_id: constructorVenue,
      prices: { constructor: 250, stalls: 500 },
    });
    expect(res.status).toBe(201);
    const { show } = (await res.json()) as { show: { show_id: string; prices: unknown } };
    expect(show.prices).toEqual({ constructor: 250, stalls: 500 });
    const read = (await (await call("GET", `/v1/shows/${show.show_id}`)).json()) as {
      show: { prices: unknown };
    };
    expect(read.show.prices).toEqual({ constructor: 250, stalls: 500 });
    const map = await seatMap(show.show_id);
    expect(map.zones).toEqual({
      constructor: { price: 250, seats: 2 },
      stalls: { price: 500, seats: 2 },
    });
  });

  it.each(["__proto__", "toString", "hasOwnProperty", "valueOf"])(
    "refuses a venue with a zone named %s, which is not a zone name",
    async (name) => {
      const res = await call("POST", "/v1/venues", {
        token: await adminToken(),
        body: { name: "Hall", city: "Pune", zones: [{ name, rows: [{ row: "A", seats: 2 }] }] },
      });
      const error = await expectError(res, 400, "INVALID_INPUT");
      expect(error.details?.field).toBe("zones.0.name");
    },
  );
});

describe("PATCH /v1/shows/{show_id} show_time", () => {
  async function patchTime(showTime: string): Promise<Response> {
    const { showId } = await createShow();
    return call("PATCH", `/v1/shows/${showId}`, {
      token: await adminToken(),
      body: { show_time: showTime },
    });
  }

  it("refuses a show_time more than 5 years ahead with 400 naming show_time", async () => {
    for (const showTime of ["9999-12-31T23:59:59Z", yearsAhead(5, 86_400_000)]) {
      const error = await expectError(await patchTime(showTime), 400, "INVALID_INPUT");
      expect(error.details?.field).toBe("show_time");
    }
  });

  it("moves the show to a time written at +14:00 with fractional seconds", async () => {
    const res = await patchTime("2027-06-02T08:00:00.250+14:00");
    expect(res.status).toBe(200);
    const { show } = (await res.json()) as { show: { show_time: string } };
    expect(show.show_time).toBe("2027-06-01T18:00:00.250Z");
  });
});

describe("GET /v1/shows/{show_id}", () => {
  it("answers 404 for an unknown show", async () => {
    const error = await expectError(await call("GET", "/v1/shows/show_missing"), 404, "NOT_FOUND");
    expect(error.details).toEqual({ resource: "show", id: "show_missing" });
  });
});
