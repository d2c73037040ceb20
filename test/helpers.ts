import { env, exports } from "cloudflare:workers";
import { signAccessToken } from "../src/auth/access-token.ts";
import type { Role } from "../src/auth/principal.ts";
import { type LedgerCharge, TEST_CARDS } from "../src/payments/payment-simulator.ts";

export const BASE = "https://api.test";

export function tokenFor(sub: string, role: Role = "user", ttlSeconds = 3600): Promise<string> {
  return signAccessToken({ sub, role, ttlSeconds }, env.JWT_SECRET);
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

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: Record<string, unknown>;
    request_id: string;
  };
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

/** Creates an event, a venue and a show through the API; returns their ids. */
export async function createShow(
  prices: Record<string, number> = { premium: 500, standard: 300 },
  venueInput: unknown = demoVenueInput,
) {
  const token = await adminToken();
  const event = await call("POST", "/v1/events", { token, body: { name: "Avengers: Endgame" } });
  const venue = await call("POST", "/v1/venues", { token, body: venueInput });
  const { event: e } = (await event.json()) as { event: { event_id: string } };
  const { venue: v } = (await venue.json()) as { venue: { venue_id: string } };
  const show = await call("POST", "/v1/shows", {
    token,
    body: { event_id: e.event_id, venue_id: v.venue_id, show_time: inOneWeek(), prices },
  });
  const { show: s } = (await show.json()) as { show: { show_id: string } };
  return { eventId: e.event_id, venueId: v.venue_id, showId: s.show_id };
}

export interface SeatJson {
  seat_id: string;
  row: string;
  number: number;
  status: "available" | "locked" | "held" | "booked";
  price: number;
  zone: string;
}

export interface SeatMapJson {
  show_id: string;
  version: number;
  venue: { venue_id: string; name: string; total_seats: number };
  seats: SeatJson[];
  zones: Record<string, { price: number; seats: number }>;
}

export async function seatMap(showId: string): Promise<SeatMapJson> {
  const res = await call("GET", `/v1/shows/${showId}/seats`);
  if (res.status !== 200) throw new Error(`seat map ${res.status}: ${await res.text()}`);
  return (await res.json()) as SeatMapJson;
}

export interface LockJson {
  lock_id: string;
  show_id: string;
  seat_ids: string[];
  expires_at: string;
  locked_at: string;
  status?: string;
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

export interface BookingJson {
  booking_id: string;
  show_id: string;
  user_id: string;
  seats: { seat_id: string; row: string; number: number; price: number }[];
  total_amount: number;
  status: string;
  payment_id: string | null;
  ticket_id: string | null;
  created_at: string;
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

/** The simulated provider's ledger. */
export async function ledger(): Promise<LedgerCharge[]> {
  const { env } = await import("cloudflare:workers");
  return env.PAYMENT_SIMULATOR.get(env.PAYMENT_SIMULATOR.idFromName("ledger")).ledger();
}
