import {
  createExecutionContext,
  runDurableObjectAlarm,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { describe, expect, it, vi } from "vitest";
import type { z } from "zod";
import { app } from "../src/app.ts";
import { clearJwksCache } from "../src/auth/identity-provider.ts";
import type {
  eventResponse,
  showListResponse,
  showResponse,
  venueResponse,
} from "../src/openapi/response-schemas.ts";
import { PaymentSimulator } from "../src/payments/payment-simulator.ts";
import {
  adminToken,
  type BookingJson,
  call,
  card,
  createOrganization,
  demoVenueInput,
  expectError,
  inOneWeek,
  type LockJson,
  lockSeats,
  organizationWithShow,
  organizerToken,
  postBooking,
  rowSeats,
  seatMap,
  stubOf,
  tokenFor,
} from "./support/helpers.ts";
import { travelTo } from "./support/time.ts";

/**
 * Organizations: the admin makes them, organizers read their own, and what an organizer
 * makes (events, venues, shows) is its organization's; another organization's is not found.
 */

interface OrganizationJson {
  org_id: string;
  name: string;
  created_at: string;
}
/** The organization each answers with (answered, though the response schemas lack it yet). */
type Owned = { org_id: string };
type EventJson = z.infer<typeof eventResponse>["event"] & Owned;
type VenueJson = z.infer<typeof venueResponse>["venue"] & Owned;
type ShowJson = z.infer<typeof showResponse>["show"] & Owned;

const SHOW_PRICES = { premium: 500, standard: 300 };

async function readOrganization(res: Response): Promise<OrganizationJson> {
  return ((await res.json()) as { organization: OrganizationJson }).organization;
}

async function postEvent(token: string, body: Record<string, unknown> = {}): Promise<Response> {
  return call("POST", "/v1/events", { token, body: { name: "Hamlet", ...body } });
}

async function postVenue(token: string, body: Record<string, unknown> = {}): Promise<Response> {
  return call("POST", "/v1/venues", { token, body: { ...demoVenueInput, ...body } });
}

async function newEvent(token: string, body: Record<string, unknown> = {}): Promise<EventJson> {
  const res = await postEvent(token, body);
  expect(res.status).toBe(201);
  return ((await res.json()) as { event: EventJson }).event;
}

async function newVenue(token: string, body: Record<string, unknown> = {}): Promise<VenueJson> {
  const res = await postVenue(token, body);
  expect(res.status).toBe(201);
  return ((await res.json()) as { venue: VenueJson }).venue;
}

function postShow(token: string, eventId: string, venueId: string): Promise<Response> {
  return call("POST", "/v1/shows", {
    token,
    body: { event_id: eventId, venue_id: venueId, show_time: inOneWeek(), prices: SHOW_PRICES },
  });
}

async function showsOfEvent(eventId: string): Promise<string[]> {
  const res = await call("GET", `/v1/events/${eventId}/shows`);
  expect(res.status).toBe(200);
  return ((await res.json()) as z.infer<typeof showListResponse>).shows.map((s) => s.show_id);
}

/** `user` locks one seat of row `row` of the show and pays for it: the booking. */
async function buyOne(showId: string, user: string, row = "A"): Promise<BookingJson> {
  const token = await tokenFor(user);
  const seats = rowSeats(await seatMap(showId), row).slice(0, 1);
  const locked = await lockSeats(token, { show_id: showId, seat_ids: seats });
  expect(locked.status).toBe(200);
  const lock = (await locked.json()) as LockJson;
  const res = await postBooking(token, {
    show_id: showId,
    lock_id: lock.lock_id,
    seat_ids: seats,
    user_id: user,
    payment_method: card(),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { booking: BookingJson }).booking;
}

describe("POST and GET /v1/organizations", () => {
  it("lets the platform admin create an organization (201) and read it back", async () => {
    const admin = await adminToken();
    const created = await call("POST", "/v1/organizations", {
      token: admin,
      body: { name: "Grand Theatre" },
    });
    expect(created.status).toBe(201);
    const organization = await readOrganization(created);
    expect(organization).toEqual({
      org_id: expect.stringMatching(/^org_/),
      name: "Grand Theatre",
      created_at: expect.any(String),
    });
    const read = await call("GET", `/v1/organizations/${organization.org_id}`, { token: admin });
    expect(read.status).toBe(200);
    expect(await readOrganization(read)).toEqual(organization);
  });

  it("lets an organizer read its own organization, and answers 404 for another's as for an unknown one", async () => {
    const a = await createOrganization("Chain A");
    const b = await createOrganization("Chain B");
    const organizerA = await organizerToken(a);
    const own = await call("GET", `/v1/organizations/${a}`, { token: organizerA });
    expect(own.status).toBe(200);
    expect(await readOrganization(own)).toMatchObject({ org_id: a, name: "Chain A" });

    const other = await call("GET", `/v1/organizations/${b}`, { token: organizerA });
    const error = await expectError(other, 404, "NOT_FOUND");
    expect(JSON.stringify(error)).not.toContain("Chain B");
    const unknown = await call("GET", "/v1/organizations/org_does_not_exist", {
      token: await adminToken(),
    });
    await expectError(unknown, 404, "NOT_FOUND");
  });

  it("refuses buyers, scanners and organizers with 403 where only the admin may act, and a call without a token with 401", async () => {
    const a = await createOrganization("Chain refusing");
    const user = await tokenFor("user_org_reader");
    const scanner = await tokenFor("gate_org_reader", "scanner", 3600, a);
    for (const token of [user, scanner, await organizerToken(a)]) {
      const create = await call("POST", "/v1/organizations", { token, body: { name: "Mine" } });
      await expectError(create, 403, "FORBIDDEN");
    }
    for (const token of [user, scanner]) {
      await expectError(await call("GET", `/v1/organizations/${a}`, { token }), 403, "FORBIDDEN");
    }
    const anonymousCreate = await call("POST", "/v1/organizations", { body: { name: "Mine" } });
    await expectError(anonymousCreate, 401, "UNAUTHENTICATED");
    await expectError(await call("GET", `/v1/organizations/${a}`), 401, "UNAUTHENTICATED");
  });
});

describe("tokens whose claims break the role rules", () => {
  it("refuses an organizer token without an org claim with 401, on reads and writes", async () => {
    const a = await createOrganization("Chain of the orgless");
    const orgless = await tokenFor("organizer_orgless", "organizer");
    await expectError(
      await call("GET", `/v1/organizations/${a}`, { token: orgless }),
      401,
      "UNAUTHENTICATED",
    );
    await expectError(await postEvent(orgless), 401, "UNAUTHENTICATED");
  });

  it("refuses a user or admin token naming an org, and an org claim that is not an organization id, with 401", async () => {
    const a = await createOrganization("Chain of odd claims");
    const userWithOrg = await tokenFor("user_with_org", "user", 3600, a);
    await expectError(
      await call("GET", "/v1/bookings", { token: userWithOrg }),
      401,
      "UNAUTHENTICATED",
    );
    const adminWithOrg = await tokenFor("admin_with_org", "admin", 3600, a);
    await expectError(await postEvent(adminWithOrg), 401, "UNAUTHENTICATED");
    const notAnOrgId = await tokenFor("organizer_bad_org", "organizer", 3600, "acme");
    await expectError(await postEvent(notAnOrgId), 401, "UNAUTHENTICATED");
  });
});

describe("an identity provider's organization claim (ORG_CLAIM)", () => {
  const JWKS_URL = "https://idp.example/organizations/jwks.json";
  const ROLE_CLAIM = "https://tickets.example/role";
  const ORG_CLAIM = "https://tickets.example/org";
  const idp: Partial<Env> = {
    JWKS_URL,
    JWT_ISSUER: "",
    JWT_AUDIENCE: "",
    ROLE_CLAIM,
    ORG_CLAIM,
  };

  it("takes the organization from the configured claim, and refuses an organizer token that names it elsewhere", async () => {
    const a = await createOrganization("IdP chain A");
    const b = await createOrganization("IdP chain B");
    clearJwksCache();
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    const publicJwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
    const privateJwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url !== JWKS_URL) return new Response("not found", { status: 404 });
      return Response.json({ keys: [{ ...publicJwk, kid: "org-key", alg: "ES256" }] });
    });
    const providerToken = (claims: Record<string, unknown>) =>
      sign(
        { sub: "auth0|organizer", exp: Math.floor(Date.now() / 1000) + 3600, ...claims },
        { ...privateJwk, kid: "org-key", alg: "ES256" } as Parameters<typeof sign>[1],
        "ES256",
      );
    async function get(path: string, token: string): Promise<Response> {
      const ctx = createExecutionContext();
      const res = await app.request(
        `https://api.test${path}`,
        { headers: { Authorization: `Bearer ${token}` } },
        { ...env, ...idp },
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return res;
    }

    const organizerOfA = await providerToken({ [ROLE_CLAIM]: "organizer", [ORG_CLAIM]: a });
    const own = await get(`/v1/organizations/${a}`, organizerOfA);
    expect(own.status).toBe(200);
    expect(await readOrganization(own)).toMatchObject({ org_id: a });
    await expectError(await get(`/v1/organizations/${b}`, organizerOfA), 404, "NOT_FOUND");

    // `org` is not the configured claim: this organizer names no organization.
    const plainOrg = await providerToken({ [ROLE_CLAIM]: "organizer", org: a });
    await expectError(await get(`/v1/organizations/${a}`, plainOrg), 401, "UNAUTHENTICATED");
    const buyerWithOrg = await providerToken({ [ROLE_CLAIM]: "user", [ORG_CLAIM]: a });
    await expectError(await get("/v1/bookings", buyerWithOrg), 401, "UNAUTHENTICATED");
  });
});

describe("what an organizer creates", () => {
  it("belongs to its organization: the event, the venue and the show answer its org_id", async () => {
    const a = await createOrganization("Chain making things");
    const organizer = await organizerToken(a);
    const event = await newEvent(organizer);
    const venue = await newVenue(organizer);
    expect(event.org_id).toBe(a);
    expect(venue.org_id).toBe(a);
    const created = await postShow(organizer, event.event_id, venue.venue_id);
    expect(created.status).toBe(201);
    const { show } = (await created.json()) as { show: ShowJson };
    expect(show.org_id).toBe(a);
    const read = await call("GET", `/v1/shows/${show.show_id}`);
    expect(((await read.json()) as { show: ShowJson }).show.org_id).toBe(a);
  });

  it("answers 404 when the organizer names another organization's org_id for a new event or venue", async () => {
    const a = await createOrganization("Chain naming");
    const b = await createOrganization("Chain named");
    const organizer = await organizerToken(a);
    await expectError(await postEvent(organizer, { org_id: b }), 404, "NOT_FOUND");
    await expectError(await postVenue(organizer, { org_id: b }), 404, "NOT_FOUND");
    // Naming its own is the same as naming none.
    expect((await newEvent(organizer, { org_id: a })).org_id).toBe(a);
  });

  it("answers 404 for a show on another organization's event or venue, and writes no show", async () => {
    const a = await createOrganization("Chain with an empty event");
    const organizerA = await organizerToken(a);
    const eventA = await newEvent(organizerA);
    const venueA = await newVenue(organizerA);
    const b = await organizationWithShow("Chain borrowing");

    const onEventA = await postShow(b.organizer, eventA.event_id, b.venueId);
    expect((await expectError(onEventA, 404, "NOT_FOUND")).details).toMatchObject({
      resource: "event",
    });
    const onVenueA = await postShow(b.organizer, b.eventId, venueA.venue_id);
    expect((await expectError(onVenueA, 404, "NOT_FOUND")).details).toMatchObject({
      resource: "venue",
    });
    await expectError(
      await postShow(b.organizer, eventA.event_id, venueA.venue_id),
      404,
      "NOT_FOUND",
    );

    expect(await showsOfEvent(eventA.event_id)).toEqual([]);
    expect(await showsOfEvent(b.eventId)).toEqual([b.showId]);
  });

  it("by the platform admin, is org_demo's without org_id, the named organization's with one, and 404 for an unknown one", async () => {
    const admin = await adminToken();
    const a = await createOrganization("Chain the admin serves");
    expect((await newEvent(admin)).org_id).toBe("org_demo");
    expect((await newVenue(admin)).org_id).toBe("org_demo");
    const eventA = await newEvent(admin, { org_id: a });
    const venueA = await newVenue(admin, { org_id: a });
    expect([eventA.org_id, venueA.org_id]).toEqual([a, a]);
    await expectError(await postEvent(admin, { org_id: "org_unknown_x" }), 404, "NOT_FOUND");
    await expectError(await postVenue(admin, { org_id: "org_unknown_x" }), 404, "NOT_FOUND");

    const show = await postShow(admin, eventA.event_id, venueA.venue_id);
    expect(show.status).toBe(201);
    expect(((await show.json()) as { show: ShowJson }).show.org_id).toBe(a);
    // An event and a venue of two organizations make no show, even for the admin.
    const demoVenue = await newVenue(admin);
    await expectError(await postShow(admin, eventA.event_id, demoVenue.venue_id), 404, "NOT_FOUND");
    expect(await showsOfEvent(eventA.event_id)).toHaveLength(1);
  });
});

describe("another organization's show, as an organizer sees it", () => {
  it("answers 404 to every organizer route on it, and nothing about it changes", async () => {
    const a = await organizationWithShow("Chain looking in");
    const b = await organizationWithShow("Chain looked at");
    const booking = await buyOne(b.showId, "user_of_chain_b");
    const show = `/v1/shows/${b.showId}`;
    const calls: [string, string, unknown?][] = [
      ["PATCH", show, { status: "closed" }],
      ["POST", `${show}/cancel`, { reason: "Not yours" }],
      ["GET", `${show}/report`],
      ["GET", `${show}/bookings`],
      ["GET", `${show}/holds`],
      ["DELETE", `${show}/queue`],
      ["GET", `/v1/bookings/${booking.booking_id}`],
      ["POST", `/v1/bookings/${booking.booking_id}/cancel`],
      ["GET", `/v1/tickets/${booking.ticket_id}`],
    ];
    for (const [method, path, body] of calls) {
      const res = await call(method, path, { token: a.organizer, body });
      expect(res.status, `${method} ${path}`).toBe(404);
      await expectError(res, 404, "NOT_FOUND");
    }
    const read = await call("GET", show);
    expect(((await read.json()) as { show: ShowJson }).show.status).toBe("scheduled");
    const own = await call("GET", `/v1/bookings/${booking.booking_id}`, { token: b.organizer });
    expect(own.status).toBe(200);
    expect(((await own.json()) as { booking: BookingJson }).booking.status).toBe("confirmed");
  });
});

interface StatusJson {
  settled: boolean;
  shows: { show_id: string; cancellation: { pending: number } | null }[];
  webhooks: { webhook_id: string }[];
}

async function status(token: string): Promise<StatusJson> {
  const res = await call("GET", "/v1/admin/status", { token });
  expect(res.status).toBe(200);
  return (await res.json()) as StatusJson;
}

describe("GET /v1/admin/status as an organizer", () => {
  it("lists its organization's show with unsettled refunds, which another organization's organizer never sees", async () => {
    const a = await organizationWithShow("Chain with a stuck show");
    const b = await organizationWithShow("Chain without one");
    await buyOne(a.showId, "user_status_buyer");
    const refund = vi.spyOn(PaymentSimulator.prototype, "refund").mockImplementation(async () => {
      throw new Error("provider down");
    });
    const cancel = await call("POST", `/v1/shows/${a.showId}/cancel`, {
      token: a.organizer,
      body: { reason: "Stage collapsed" },
    });
    expect(cancel.status).toBe(202);
    expect(await runDurableObjectAlarm(stubOf(a.showId))).toBe(true);

    const asA = await status(a.organizer);
    expect(asA.settled).toBe(false);
    expect(asA.shows.map((s) => s.show_id)).toEqual([a.showId]);
    expect(asA.shows[0]?.cancellation).toMatchObject({ pending: 1 });
    const asAdmin = await status(await adminToken());
    expect(asAdmin.shows.map((s) => s.show_id)).toContain(a.showId);
    const asB = await status(b.organizer);
    expect(asB).toMatchObject({ settled: true, shows: [], webhooks: [] });

    // Settled again: the refund goes through on the show's next try.
    refund.mockRestore();
    travelTo(Date.now() + 10 * 60_000);
    expect(await runDurableObjectAlarm(stubOf(a.showId))).toBe(true);
    vi.useRealTimers();
    await vi.waitFor(async () => expect((await status(a.organizer)).shows).toEqual([]));
  });
});

describe("buyers", () => {
  it("buy on any organization's shows with one token", async () => {
    const a = await organizationWithShow("Chain sold by A");
    const b = await organizationWithShow("Chain sold by B");
    const onA = await buyOne(a.showId, "user_of_everyone");
    const onB = await buyOne(b.showId, "user_of_everyone");
    expect([onA.status, onB.status]).toEqual(["confirmed", "confirmed"]);
    const token = await tokenFor("user_of_everyone");
    for (const booking of [onA, onB]) {
      const read = await call("GET", `/v1/bookings/${booking.booking_id}`, { token });
      expect(read.status).toBe(200);
    }
  });
});
