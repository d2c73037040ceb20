import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect, vi } from "vitest";
import type { z } from "zod";
import { signAccessToken } from "../../src/auth/access-token.ts";
import type { Role } from "../../src/auth/principal.ts";
import { showStub, simulatorStub } from "../../src/contract/object-stubs.ts";
import type {
  createdBookingSchema,
  lockSchema,
  lockWithStatusSchema,
} from "../../src/openapi/booking-response-schemas.ts";
import type {
  errorEnvelopeSchema,
  eventResponse,
  seatMapSchema,
  showResponse,
  venueResponse,
} from "../../src/openapi/response-schemas.ts";
import { type LedgerCharge, TEST_CARDS } from "../../src/payments/payment-simulator.ts";

/**
 * Answers as the tests read them: the types of the API's own response schemas, so a test
 * cannot read a field the API does not answer.
 */
export type ErrorBody = z.infer<typeof errorEnvelopeSchema>;
export type SeatMapJson = z.infer<typeof seatMapSchema>;
export type SeatJson = SeatMapJson["seats"][number];
/** POST /v1/seats/lock's answer. */
export type LockJson = z.infer<typeof lockSchema>;
/** A lock read or released (GET or DELETE /v1/seats/lock/{lock_id}): with its status. */
export type LockStatusJson = z.infer<typeof lockWithStatusSchema>;
/** POST /v1/bookings' booking. */
export type BookingJson = z.infer<typeof createdBookingSchema>["booking"];

export const BASE = "https://api.test";

export function tokenFor(
  sub: string,
  role: Role = "user",
  ttlSeconds = 3600,
  org?: string,
): Promise<string> {
  return signAccessToken({ sub, role, ttlSeconds, org }, env.JWT_SECRET);
}

/** An organizer's token for `org` (an organization's staff: its events, venues, shows). */
export const organizerToken = (org: string, sub = `organizer_${org}`) =>
  tokenFor(sub, "organizer", 3600, org);

/** A new organization, made by the platform admin: its id. */
export async function createOrganization(name = "Cinema chain"): Promise<string> {
  const res = await call("POST", "/v1/organizations", {
    token: await adminToken(),
    body: { name },
  });
  if (res.status !== 201) throw new Error(`organization: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { organization: { org_id: string } }).organization.org_id;
}

/** A new organization with its organizer's token and a show of its own (event, venue, show). */
export async function organizationWithShow(name = "Cinema chain") {
  const orgId = await createOrganization(name);
  const organizer = await organizerToken(orgId);
  const ids = await createShow(undefined, undefined, organizer);
  return { orgId, organizer, ...ids };
}

export const adminToken = () => tokenFor("admin_tests", "admin");

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** A raw body sent as is (for malformed JSON and media type tests). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** Calls the Worker's fetch handler, as a client would over HTTP. */
export function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  return exports.default.fetch(`${BASE}${path}`, { method, headers, body });
}

/** Asserts the error envelope and returns it. */
export async function expectError(
  response: Response,
  status: number,
  code: string,
): Promise<ErrorBody["error"]> {
  const text = await response.text();
  if (response.status !== status) {
    throw new Error(`expected ${status} ${code}, got ${response.status}: ${text}`);
  }
  const body = JSON.parse(text) as ErrorBody;
  if (body.error?.code !== code) throw new Error(`expected code ${code}, got ${text}`);
  if (!body.error.request_id || body.error.request_id !== response.headers.get("X-Request-Id")) {
    throw new Error(`request_id missing or not the X-Request-Id header: ${text}`);
  }
  return body.error;
}

export const demoVenueInput = {
  name: "PVR Cinemas",
  city: "Bengaluru",
  zones: [
    {
      name: "premium",
      rows: [
        { row: "A", seats: 10 },
        { row: "B", seats: 10 },
      ],
    },
    {
      name: "standard",
      rows: [
        { row: "C", seats: 12 },
        { row: "D", seats: 12 },
      ],
    },
  ],
};

export function inOneWeek(): string {
  return new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
}

/**
 * Creates an event, a venue and a show through the API; returns their ids. With `token`
 * (an organizer's), they are that organizer's organization's; else the admin's, in the
 * default organization.
 */
export async function createShow(
  prices: Record<string, number> = { premium: 500, standard: 300 },
  venueInput: unknown = demoVenueInput,
  organizer?: string,
) {
  const token = organizer ?? (await adminToken());
  const event = await call("POST", "/v1/events", { token, body: { name: "Avengers: Endgame" } });
  const venue = await call("POST", "/v1/venues", { token, body: venueInput });
  const { event: e } = (await event.json()) as z.infer<typeof eventResponse>;
  const { venue: v } = (await venue.json()) as z.infer<typeof venueResponse>;
  const show = await call("POST", "/v1/shows", {
    token,
    body: { event_id: e.event_id, venue_id: v.venue_id, show_time: inOneWeek(), prices },
  });
  const { show: s } = (await show.json()) as z.infer<typeof showResponse>;
  return { eventId: e.event_id, venueId: v.venue_id, showId: s.show_id };
}

export async function seatMap(showId: string): Promise<SeatMapJson> {
  const res = await call("GET", `/v1/shows/${showId}/seats`);
  if (res.status !== 200) throw new Error(`seat map ${res.status}: ${await res.text()}`);
  return (await res.json()) as SeatMapJson;
}

export async function lockSeats(token: string, body: Record<string, unknown>): Promise<Response> {
  return call("POST", "/v1/seats/lock", { token, body });
}

/** Seat ids of a row of the show's seat map, in seat order. */
export function rowSeats(map: SeatMapJson, row: string): string[] {
  return map.seats.filter((s) => s.row === row).map((s) => s.seat_id);
}

export function card(cardNumber: string = TEST_CARDS.success) {
  return {
    type: "credit_card" as const,
    card_number: cardNumber,
    expiry_month: 12,
    expiry_year: 2031,
    cvv: "123",
  };
}

let keyCounter = 0;
export function newKey(): string {
  keyCounter += 1;
  return `test-key-${Date.now()}-${keyCounter}-${Math.random().toString(36).slice(2)}`;
}

export function postBooking(
  token: string,
  body: Record<string, unknown>,
  key: string | null = newKey(),
): Promise<Response> {
  return call("POST", "/v1/bookings", {
    token,
    body,
    headers: key === null ? {} : { "Idempotency-Key": key },
  });
}

/** A show, a user with a live lock on `count` seats of row A, ready to book. */
export async function lockedSeats(count = 2, user = "user_buyer") {
  const { showId } = await createShow();
  const token = await tokenFor(user);
  const seats = rowSeats(await seatMap(showId), "A").slice(0, count);
  const res = await lockSeats(token, { show_id: showId, seat_ids: seats });
  if (res.status !== 200) throw new Error(`lock failed: ${await res.text()}`);
  const lock = (await res.json()) as LockJson;
  return { showId, token, user, seats, lock };
}

export type LockedSeats = Awaited<ReturnType<typeof lockedSeats>>;

/** The POST /v1/bookings body for a lock; `fields` replace or add to it (default: a good card). */
export function bookingBody(
  ctx: LockedSeats,
  fields: Record<string, unknown> = { payment_method: card() },
) {
  return {
    show_id: ctx.showId,
    lock_id: ctx.lock.lock_id,
    seat_ids: ctx.seats,
    user_id: ctx.user,
    ...fields,
  };
}

/** The show's object, as the Worker reaches it (src/contract/object-stubs.ts). */
export function stubOf(showId: string) {
  return showStub(env, showId);
}

/** When the show object's alarm is armed for (epoch ms), or null: read from its storage. */
export function alarmOf(showId: string): Promise<number | null> {
  return runInDurableObject(stubOf(showId), (_object, state) => state.storage.getAlarm());
}

/** The simulated provider's ledger. */
export function ledger(): Promise<LedgerCharge[]> {
  return simulatorStub(env).ledger();
}

/**
 * Waits until the show object has sent D1 every row it queued: D1 (the bookings and tickets
 * lists, the organizer's reports) gets a show's changes at the end of its batch window.
 */
export async function d1CaughtUp(showId: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const waiting = await runInDurableObject(
        stubOf(showId),
        (_object, state) =>
          state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM d1_outbox").one().n,
      );
      expect(waiting).toBe(0);
    },
    { timeout: 3_000, interval: 20 },
  );
}

/** A booking's status in D1, undefined while D1 has no row for it. */
export async function d1BookingStatus(bookingId: string): Promise<string | undefined> {
  const row = await env.DB.prepare("SELECT status FROM bookings WHERE booking_id = ?")
    .bind(bookingId)
    .first<{ status: string }>();
  return row?.status;
}
