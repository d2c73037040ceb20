import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { z } from "zod";
import { openApiDocument } from "../src/app.ts";
import { newShowScopedId } from "../src/contract/scoped-ids.ts";
import { newId } from "../src/lib/ids.ts";
import type {
  eventResponse,
  salesReportSchema,
  venueResponse,
} from "../src/openapi/response-schemas.ts";
import type { ShowObject } from "../src/show/show-object.ts";
import type {
  createdWebhookResponse,
  webhookListResponse,
} from "../src/webhooks/webhook-schemas.ts";
import {
  adminToken,
  type BookingJson,
  call,
  card,
  createShow,
  type ErrorBody,
  inOneWeek,
  type LockJson,
  lockSeats,
  organizationWithShow,
  postBooking,
  seatMap,
  stubOf,
  tokenFor,
} from "./support/helpers.ts";
import type { TicketJson } from "./support/tickets-helpers.ts";

/**
 * Every organizer operation of the OpenAPI document (x-access naming an organizer, or the
 * platform admin alone), called by each kind of caller. What each should get is read from
 * the operation's x-access, not written per route; a refused call must leave organization
 * A's show (its report, holds, queue, booking, ticket) and D1 as they were.
 */

interface Operation {
  key: string;
  method: string;
  path: string;
  access: string;
  /** The success status the document gives (its lowest 2xx). */
  success: number;
}

interface DocumentedOperation {
  "x-access": string;
  responses: Record<string, unknown>;
}

function organizerOperations(): Operation[] {
  const { paths } = openApiDocument() as {
    paths: Record<string, Record<string, DocumentedOperation>>;
  };
  return Object.entries(paths)
    .flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, op]) => ({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        access: op["x-access"],
        success: Math.min(
          ...Object.keys(op.responses)
            .map(Number)
            .filter((s) => s < 300),
        ),
      })),
    )
    .filter((op) => op.access.includes("organizer") || op.access === "admin");
}

const OPERATIONS = organizerOperations();

type Role = "user" | "organizer" | "scanner" | "admin";

interface Caller {
  name: string;
  role: Role | null;
  org: "A" | "B" | null;
}

const CALLERS: Caller[] = [
  { name: "the platform admin", role: "admin", org: null },
  { name: "an organizer of A", role: "organizer", org: "A" },
  { name: "an organizer of B", role: "organizer", org: "B" },
  { name: "a scanner of A", role: "scanner", org: "A" },
  { name: "a scanner of B", role: "scanner", org: "B" },
  { name: "a scanner of the platform (no organization)", role: "scanner", org: null },
  { name: "a user (not the buyer)", role: "user", org: null },
  { name: "no one", role: null, org: null },
];

/** The roles an access admits, from its words: an "owner" is a buyer (a user token). */
function admittedRoles(access: string): Role[] {
  const words = new Set(access.split(/[^a-z]+/));
  return (["user", "organizer", "scanner", "admin"] as const).filter(
    (role) => words.has(role) || (role === "user" && words.has("owner")),
  );
}

/** A path naming a resource an organization owns (src/http/organization-scope.ts). */
const PATH_RESOURCE = /\{(show|booking|ticket|event|venue|webhook|org)_id\}/;

interface Refusal {
  status: number;
  code: string;
}

type OwnCheck = (answer: unknown) => Promise<void>;

/** What the caller should get: refused, the success, or (another organization) its own. */
type Expected =
  | ({ kind: "refused" } & Refusal)
  | { kind: "succeeds" }
  | { kind: "own"; check: OwnCheck };

function expectedFor(op: Operation, caller: Caller, request: CallSpec): Expected {
  const refused = (status: number, code: string): Expected => ({ kind: "refused", status, code });
  if (caller.role === null) return refused(401, "UNAUTHENTICATED");
  if (!admittedRoles(op.access).includes(caller.role)) return refused(403, "FORBIDDEN");
  // The user is a buyer, but not the one who owns A's booking and ticket.
  if (caller.role === "user") {
    return op.access.includes("owner") ? refused(404, "NOT_FOUND") : { kind: "succeeds" };
  }
  if (caller.org !== "B") return { kind: "succeeds" };
  if (PATH_RESOURCE.test(op.path)) return refused(404, "NOT_FOUND");
  const other = request.otherOrganization;
  if (!other) throw new Error(`${op.key}: declare what another organization's caller gets`);
  return "own" in other ? { kind: "own", check: other.own } : { kind: "refused", ...other };
}

/** The ids and values a call is made with: organization A's fixtures, or fresh ones. */
type Target = {
  org_id: string;
  event_id: string;
  venue_id: string;
  show_id: string;
  booking_id: string;
  ticket_id: string;
  ticket_token: string;
  hold_id: string;
  webhook_id: string;
  access_code_id: string;
  allocation_id: string;
  /** A seat of A's show that is for sale: what a hold's body names. */
  seat_id: string;
  /** A show of A with its waiting room on. */
  queued_show_id: string;
};

interface CallSpec {
  body?: (t: Target) => unknown;
  /** What refused calls aim at, instead of A's main show. */
  target?: (t: Target) => Partial<Target>;
  /** A destructive or one-time operation: each call meant to succeed gets fixtures of its own. */
  fresh?: () => Promise<Partial<Target>>;
  /** No resource in the path: another organization's caller is refused so, or gets its own. */
  otherOrganization?: Refusal | { own: OwnCheck };
}

const PRICES = { premium: 500, standard: 300 };
/** An event type nothing in this file causes: no webhook made here is ever delivered to. */
const QUIET_EVENTS = ["booking.payment_refunded_late"];
const BUYER = "user_matrix_buyer";

let A: Target;
/** A's ids with every resource swapped for one that does not exist. */
let UNKNOWN: Target;
let organizerOfA: string;
let orgB: string;
let tokens: Map<Caller, string | undefined>;
let buyer: string;
let admin: string;
const freeSeats: string[] = [];
/** Every show with activity, whose writes to D1 are waited for before D1 is compared. */
const showsMade: string[] = [];

function nextSeat(): string {
  const seat = freeSeats.shift();
  if (!seat) throw new Error("A's show has no seat left for the matrix");
  return seat;
}

/** A confirmed booking of one free seat of A's show, by the buyer, with its ticket. */
async function bookOnA(): Promise<Partial<Target>> {
  const seat = nextSeat();
  const locked = await lockSeats(buyer, { show_id: A.show_id, seat_ids: [seat] });
  expect(locked.status).toBe(200);
  const { lock_id } = (await locked.json()) as LockJson;
  const body = { show_id: A.show_id, lock_id, seat_ids: [seat], user_id: BUYER };
  const booked = await postBooking(buyer, { ...body, payment_method: card() });
  expect(booked.status).toBe(201);
  const { booking } = (await booked.json()) as { booking: BookingJson };
  const read = await call("GET", `/v1/tickets/${booking.ticket_id}`, { token: buyer });
  const { ticket } = (await read.json()) as { ticket: TicketJson };
  return {
    booking_id: booking.booking_id,
    ticket_id: ticket.ticket_id,
    ticket_token: ticket.token,
  };
}

async function holdOnA(): Promise<string> {
  const res = await call("POST", `/v1/shows/${A.show_id}/holds`, {
    token: admin,
    body: { seat_ids: [nextSeat()], reason: "house seat" },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { hold: { hold_id: string } }).hold.hold_id;
}

let made = 0;
/** A name or code no earlier call used (an access code's text, an allocation's name). */
const nextName = () => `MATRIX${++made}`;

async function codeOnA(): Promise<string> {
  const res = await call("POST", `/v1/shows/${A.show_id}/access-codes`, {
    token: admin,
    body: { code: nextName(), max_uses: 1 },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { access_code: { access_code_id: string } }).access_code
    .access_code_id;
}

async function allocationOnA(): Promise<string> {
  const res = await call("POST", `/v1/shows/${A.show_id}/allocations`, {
    token: admin,
    body: { name: nextName(), seat_ids: [nextSeat()] },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { allocation: { allocation_id: string } }).allocation.allocation_id;
}

async function webhookBy(token: string, path: string): Promise<string> {
  const res = await call("POST", "/v1/webhooks", {
    token,
    body: { url: `https://hooks.example.com/${path}`, events: QUIET_EVENTS },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as z.infer<typeof createdWebhookResponse>).webhook.webhook_id;
}

/** Another show of A (its waiting room on, if asked). */
async function newShowOfA(organizer: string, queue = false): Promise<string> {
  const { showId } = await createShow(PRICES, undefined, organizer);
  showsMade.push(showId);
  if (queue) {
    const res = await call("PUT", `/v1/shows/${showId}/queue`, {
      token: admin,
      body: { admit_per_minute: 60 },
    });
    expect(res.status).toBe(200);
  }
  return showId;
}

const REQUESTS: Record<string, CallSpec> = {
  "POST /v1/events": {
    body: () => ({ name: "Matrix night" }),
    otherOrganization: {
      own: async (answer) =>
        expect((answer as z.infer<typeof eventResponse>).event.org_id).toBe(orgB),
    },
  },
  "POST /v1/venues": {
    body: () => ({
      name: "Matrix hall",
      city: "Pune",
      zones: [{ name: "premium", rows: [{ row: "A", seats: 2 }] }],
    }),
    otherOrganization: {
      own: async (answer) =>
        expect((answer as z.infer<typeof venueResponse>).venue.org_id).toBe(orgB),
    },
  },
  "POST /v1/shows": {
    // A's event and venue: another organization's caller cannot put a show on them.
    body: (t) => ({
      event_id: t.event_id,
      venue_id: t.venue_id,
      show_time: inOneWeek(),
      prices: PRICES,
    }),
    otherOrganization: { status: 404, code: "NOT_FOUND" },
  },
  "PATCH /v1/shows/{show_id}": { body: () => ({ prices: PRICES }) },
  "POST /v1/shows/{show_id}/cancel": {
    body: () => ({ reason: "Matrix: the show is off" }),
    fresh: async () => ({ show_id: await newShowOfA(organizerOfA) }),
  },
  "GET /v1/shows/{show_id}/report": {},
  "GET /v1/shows/{show_id}/bookings": {},
  "POST /v1/shows/{show_id}/holds": {
    body: (t) => ({ seat_ids: [t.seat_id], reason: "house seat" }),
    fresh: async () => ({ seat_id: nextSeat() }),
  },
  "GET /v1/shows/{show_id}/holds": {},
  "DELETE /v1/shows/{show_id}/holds/{hold_id}": {
    fresh: async () => ({ hold_id: await holdOnA() }),
  },
  "POST /v1/shows/{show_id}/access-codes": { body: () => ({ code: nextName(), max_uses: 1 }) },
  "GET /v1/shows/{show_id}/access-codes": {},
  "DELETE /v1/shows/{show_id}/access-codes/{access_code_id}": {
    fresh: async () => ({ access_code_id: await codeOnA() }),
  },
  "POST /v1/shows/{show_id}/allocations": {
    body: (t) => ({ name: nextName(), seat_ids: [t.seat_id] }),
    fresh: async () => ({ seat_id: nextSeat() }),
  },
  "GET /v1/shows/{show_id}/allocations": {},
  "DELETE /v1/shows/{show_id}/allocations/{allocation_id}": {
    fresh: async () => ({ allocation_id: await allocationOnA() }),
  },
  "GET /v1/bookings/{booking_id}": {},
  "POST /v1/bookings/{booking_id}/cancel": { fresh: bookOnA },
  "POST /v1/organizations": { body: () => ({ name: "Matrix organization" }) },
  "GET /v1/organizations/{org_id}": {},
  "PUT /v1/shows/{show_id}/queue": {
    // Refused calls aim at A's queued show: a change to its settings would show.
    body: () => ({ admit_per_minute: 120 }),
    target: (t) => ({ show_id: t.queued_show_id }),
    fresh: async () => ({ show_id: await newShowOfA(organizerOfA) }),
  },
  "DELETE /v1/shows/{show_id}/queue": {
    target: (t) => ({ show_id: t.queued_show_id }),
    fresh: async () => ({ show_id: await newShowOfA(organizerOfA, true) }),
  },
  "GET /v1/shows/{show_id}/queue/stats": { target: (t) => ({ show_id: t.queued_show_id }) },
  "GET /v1/tickets/{ticket_id}": {},
  "POST /v1/checkins": {
    body: (t) => ({ token: t.ticket_token, show_id: t.show_id, gate: "Matrix" }),
    fresh: bookOnA,
    otherOrganization: { status: 409, code: "TICKET_WRONG_SHOW" },
  },
  "POST /v1/checkins/batch": {
    body: (t) => ({
      show_id: t.show_id,
      scans: [{ token: t.ticket_token, scanned_at: new Date().toISOString(), device_id: "door" }],
    }),
    fresh: bookOnA,
    otherOrganization: { status: 404, code: "NOT_FOUND" },
  },
  "GET /v1/shows/{show_id}/checkins/manifest": {},
  "GET /v1/shows/{show_id}/attendance": {},
  "GET /v1/admin/status": {
    otherOrganization: {
      own: async (answer) => {
        const { shows, webhooks } = answer as {
          shows: { show_id: string }[];
          webhooks: { webhook_id: string }[];
        };
        expect(shows.map((s) => s.show_id)).not.toContain(A.show_id);
        for (const { show_id } of shows) expect(await ownerOf("shows", show_id)).toBe(orgB);
        for (const { webhook_id } of webhooks) {
          expect(await ownerOf("webhooks", webhook_id)).toBe(orgB);
        }
      },
    },
  },
  "POST /v1/webhooks": {
    body: () => ({ url: "https://hooks.example.com/matrix", events: QUIET_EVENTS }),
    otherOrganization: {
      own: async (answer) =>
        expect((answer as z.infer<typeof createdWebhookResponse>).webhook.org_id).toBe(orgB),
    },
  },
  "GET /v1/webhooks": {
    otherOrganization: {
      own: async (answer) => {
        const { webhooks } = answer as z.infer<typeof webhookListResponse>;
        // B lists its own, and A's is not among them though the admin sees it.
        expect(webhooks.length).toBeGreaterThan(0);
        expect(webhooks.map((w) => w.org_id)).toEqual(webhooks.map(() => orgB));
        expect(await webhookIds(admin)).toContain(A.webhook_id);
      },
    },
  },
  "DELETE /v1/webhooks/{webhook_id}": {
    fresh: async () => ({ webhook_id: await webhookBy(organizerOfA, "fresh") }),
  },
  "GET /v1/webhooks/{webhook_id}/deliveries": {},
};

async function ownerOf(table: "shows" | "webhooks", id: string): Promise<string | null> {
  const key = table === "shows" ? "show_id" : "webhook_id";
  const row = await env.DB.prepare(`SELECT org_id FROM ${table} WHERE ${key} = ?`)
    .bind(id)
    .first<{ org_id: string | null }>();
  return row?.org_id ?? null;
}

async function webhookIds(token: string): Promise<string[]> {
  const res = await call("GET", "/v1/webhooks", { token });
  const { webhooks } = (await res.json()) as z.infer<typeof webhookListResponse>;
  return webhooks.map((w) => w.webhook_id);
}

/** How many D1 writes the show's object still has queued (none before it made any). */
function outboxWaiting(showId: string): Promise<number> {
  return runInDurableObject(stubOf(showId), (_object: ShowObject, state) => {
    const { sql } = state.storage;
    const made = sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'd1_outbox'").toArray();
    if (made.length === 0) return 0;
    return sql.exec<{ n: number }>("SELECT count(*) AS n FROM d1_outbox").one().n;
  });
}

/** D1 as far as the matrix could change it. */
const D1_STATE = [
  "SELECT org_id, name FROM organizations ORDER BY org_id",
  "SELECT event_id, org_id FROM events ORDER BY event_id",
  "SELECT venue_id, org_id FROM venues ORDER BY venue_id",
  "SELECT show_id, org_id, status, show_time FROM shows ORDER BY show_id",
  "SELECT show_id, zone, price FROM show_prices ORDER BY show_id, zone",
  "SELECT booking_id, status, cancelled_at FROM bookings ORDER BY booking_id",
  "SELECT lock_id, seat_id, status FROM seat_locks ORDER BY lock_id, seat_id",
  "SELECT payment_id, status FROM payments ORDER BY payment_id",
  "SELECT ticket_id, gate FROM checkins ORDER BY ticket_id",
  "SELECT webhook_id, org_id, url, deleted_at FROM webhooks ORDER BY webhook_id",
];

/** What a refused call must not change: A's show as its object tells it, and D1. */
async function observed() {
  // Writes of earlier calls reach D1 first, so only this call's effects can differ.
  await vi.waitFor(
    async () => {
      for (const showId of showsMade) expect(await outboxWaiting(showId), showId).toBe(0);
    },
    { timeout: 5_000, interval: 20 },
  );
  const read = async (path: string, token?: string) => {
    const res = await call("GET", path, { token });
    expect(res.status, path).toBe(200);
    return res.json();
  };
  const { report } = (await read(`/v1/shows/${A.show_id}/report`, admin)) as z.infer<
    typeof salesReportSchema
  >;
  const { generated_at: _, ...reportNow } = report;
  const { ticket } = (await read(`/v1/tickets/${A.ticket_id}`, admin)) as { ticket: TicketJson };
  const { booking } = (await read(`/v1/bookings/${A.booking_id}`, admin)) as {
    booking: { status: string };
  };
  const d1 = await env.DB.batch(D1_STATE.map((sql) => env.DB.prepare(sql)));
  return {
    report: reportNow,
    show: await read(`/v1/shows/${A.show_id}`),
    holds: await read(`/v1/shows/${A.show_id}/holds`, admin),
    queue: await read(`/v1/shows/${A.queued_show_id}/queue`),
    booking: booking.status,
    ticket: { status: ticket.status, checked_in_at: ticket.checked_in_at },
    d1: d1.map((result) => result.results),
  };
}

function urlOf(path: string, target: Target): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const id = (target as Partial<Record<string, string>>)[name];
    if (!id) throw new Error(`no id for {${name}}`);
    return id;
  });
}

/** An answer with its request id left out and the ids it names written as their names. */
function anonymous(text: string, target: Target): string {
  let out = text.replace(/"request_id":"[^"]*"/, "");
  for (const [name, id] of Object.entries(target)) if (id) out = out.replaceAll(id, `{${name}}`);
  return out;
}

async function tokenOf(caller: Caller): Promise<string | undefined> {
  if (caller.role === null) return undefined;
  if (caller.role === "admin") return admin;
  const org = caller.org === "A" ? A.org_id : caller.org === "B" ? orgB : undefined;
  return tokenFor(`matrix_${caller.role}_${caller.org ?? "platform"}`, caller.role, 3600, org);
}

beforeAll(async () => {
  admin = await adminToken();
  buyer = await tokenFor(BUYER);
  const a = await organizationWithShow("Matrix A");
  const b = await organizationWithShow("Matrix B");
  organizerOfA = a.organizer;
  orgB = b.orgId;
  showsMade.push(a.showId, b.showId);
  freeSeats.push(...(await seatMap(a.showId)).seats.map((seat) => seat.seat_id));
  A = {
    org_id: a.orgId,
    event_id: a.eventId,
    venue_id: a.venueId,
    show_id: a.showId,
    seat_id: nextSeat(),
    // Filled below, each with what the calls above made.
    booking_id: "",
    ticket_id: "",
    ticket_token: "",
    hold_id: "",
    webhook_id: "",
    access_code_id: "",
    allocation_id: "",
    queued_show_id: await newShowOfA(a.organizer, true),
  };
  Object.assign(A, await bookOnA());
  A.hold_id = await holdOnA();
  A.access_code_id = await codeOnA();
  A.allocation_id = await allocationOnA();
  A.webhook_id = await webhookBy(a.organizer, "a");
  await webhookBy(b.organizer, "b");
  tokens = new Map(await Promise.all(CALLERS.map(async (c) => [c, await tokenOf(c)] as const)));
  const unknownShow = newId("show");
  UNKNOWN = {
    ...A,
    org_id: "org_matrix_unknown",
    event_id: newId("event"),
    venue_id: newId("venue"),
    show_id: unknownShow,
    queued_show_id: unknownShow,
    booking_id: newShowScopedId("booking", unknownShow),
    ticket_id: newShowScopedId("ticket", unknownShow),
    webhook_id: newId("wh"),
    access_code_id: newId("code"),
    allocation_id: newId("alloc"),
  };
}, 60_000);

describe("the organization access matrix", () => {
  it("covers every organizer operation of the document, each with a request declared", () => {
    // A route added later joins the matrix; one whose access stops naming an organizer
    // (or the admin alone) leaves it, and its request below no longer matches.
    expect(OPERATIONS.length).toBeGreaterThanOrEqual(32);
    expect(OPERATIONS.map((op) => op.key).sort()).toEqual(Object.keys(REQUESTS).sort());
  });

  for (const op of OPERATIONS) {
    it(`answers ${op.key} (${op.access}) to each caller as its access says, and a refusal changes nothing`, async () => {
      const request = REQUESTS[op.key];
      if (!request) throw new Error(`${op.key}: declare its request in REQUESTS`);
      const aimedAt = (t: Target): Target => ({ ...t, ...request.target?.(t) });
      const send = (caller: Caller, target: Target) =>
        call(op.method, urlOf(op.path, target), {
          token: tokens.get(caller),
          body: request.body?.(target),
        });
      for (const caller of CALLERS) {
        const expected = expectedFor(op, caller, request);
        const label = `${op.key} as ${caller.name}`;
        if (expected.kind !== "refused") {
          const fresh = request.fresh ? await request.fresh() : {};
          const res = await send(caller, { ...aimedAt(A), ...fresh });
          const text = await res.text();
          expect.soft(res.status, `${label}: ${text}`).toBe(op.success);
          if (expected.kind === "own" && res.status === op.success) {
            await expected.check(JSON.parse(text));
          }
          continue;
        }
        const before = await observed();
        const res = await send(caller, aimedAt(A));
        const text = await res.text();
        const code = res.status >= 400 ? (JSON.parse(text) as ErrorBody).error.code : text;
        expect
          .soft({ status: res.status, code }, label)
          .toEqual({ status: expected.status, code: expected.code });
        expect.soft(await observed(), `${label}: a refused call changed something`).toEqual(before);
        if (caller.org === "B" && expected.status === 404) {
          // Another organization's resource is as unknown as one that does not exist.
          const unknown = await send(caller, aimedAt(UNKNOWN));
          const asUnknown = `${unknown.status} ${anonymous(await unknown.text(), aimedAt(UNKNOWN))}`;
          expect
            .soft(`${res.status} ${anonymous(text, aimedAt(A))}`, `${label}: unlike an unknown id`)
            .toBe(asUnknown);
        }
      }
    }, 60_000);
  }
});
