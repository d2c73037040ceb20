import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { PaymentSimulator } from "../src/payments/payment-simulator.ts";
import { ticketKeys } from "../src/tickets/ticket-keys.ts";
import { signTicket } from "../src/tickets/ticket-token.ts";
import {
  adminToken,
  bookingBody,
  call,
  card,
  expectError,
  lockedSeats,
  postBooking,
  stubOf,
} from "./support/helpers.ts";
import { collectLogLines } from "./support/log-lines.ts";
import { secretsIn } from "./support/secret-patterns.ts";
import { travelTo } from "./support/time.ts";

/** What one log line holds, as far as these tests read it. */
interface Line {
  level: string;
  msg: string;
  request_id?: string;
  route?: string | null;
  status?: number;
  user?: string;
  show_id?: string;
  booking_id?: string;
  code?: string;
  duration_ms?: number;
}

const lines = collectLogLines<Line>();

async function opsStatus() {
  const res = await call("GET", "/v1/admin/status", { token: await adminToken() });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    settled: boolean;
    shows: { show_id: string; refunds: { booking_id: string; attempts: number }[] }[];
  };
}

describe("request log lines", () => {
  it("are written once per request, carrying the response's request id, route, user and show", async () => {
    const ctx = await lockedSeats(2, "user_logged");
    lines.length = 0;
    const booked = await postBooking(ctx.token, bookingBody(ctx));
    expect(booked.status).toBe(201);
    const requestId = booked.headers.get("X-Request-Id");
    const requestLines = lines.filter((l) => l.msg === "request" && l.request_id === requestId);
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      level: "info",
      route: "/v1/bookings",
      status: 201,
      user: "user_logged",
      show_id: ctx.showId,
    });
    expect(requestLines[0]?.duration_ms).toBeTypeOf("number");
    const confirmed = lines.find((l) => l.msg === "booking confirmed");
    expect(confirmed).toMatchObject({ request_id: requestId, show_id: ctx.showId });
  });

  it("name the error code of a refused request and the pattern of its route", async () => {
    const ctx = await lockedSeats(1, "user_refused");
    const res = await call("GET", `/v1/seats/lock/${ctx.lock.lock_id}`, {
      token: await adminToken(),
    });
    await expectError(res, 404, "NOT_FOUND");
    const line = lines.find(
      (l) => l.msg === "request" && l.request_id === res.headers.get("X-Request-Id"),
    );
    expect(line).toMatchObject({
      route: "/v1/seats/lock/:lock_id",
      status: 404,
      code: "NOT_FOUND",
      show_id: ctx.showId,
    });
  });

  it("hold no card number, CVV or token even when a card is declined", async () => {
    const ctx = await lockedSeats(1, "user_declined");
    const declined = await postBooking(
      ctx.token,
      bookingBody(ctx, { payment_method: { ...card("4000000000000002"), cvv: "987" } }),
    );
    await expectError(declined, 422, "PAYMENT_FAILED");
    expect(lines.some((l) => l.msg === "payment declined")).toBe(true);
    expect(lines.some((l) => l.msg === "booking failed" && l.code === "PAYMENT_FAILED")).toBe(true);
    for (const line of lines) expect(secretsIn(JSON.stringify(line))).toEqual([]);
  });
});

describe("sales metrics", () => {
  it("write one Analytics Engine data point per lock and booking, with show, outcome and latency", async () => {
    const points = vi.spyOn(env.METRICS, "writeDataPoint");
    const ctx = await lockedSeats(1, "user_metrics");
    const booked = await postBooking(ctx.token, bookingBody(ctx));
    expect(booked.status).toBe(201);
    const kinds = points.mock.calls.map(([point]) => point?.blobs?.slice(0, 3));
    expect(kinds).toEqual([
      ["lock", "ok", ctx.showId],
      ["booking", "ok", ctx.showId],
    ]);
    for (const [point] of points.mock.calls) {
      expect(point?.indexes).toEqual([ctx.showId]);
      expect(point?.doubles?.[0]).toBeGreaterThanOrEqual(0);
    }
    const refused = await call("POST", "/v1/seats/lock", {
      token: ctx.token,
      body: { show_id: ctx.showId, seat_ids: ctx.seats },
    });
    expect(refused.status).toBe(400);
    expect(points.mock.calls.at(-1)?.[0]?.blobs?.slice(0, 2)).toEqual([
      "lock",
      "SEATS_UNAVAILABLE",
    ]);
  });
});

describe("the secret sweep", () => {
  it("flags card numbers, CVV fields and tokens, and passes ids and timestamps", () => {
    expect(secretsIn('{"msg":"x","card":"4111111111111111"}')).not.toEqual([]);
    expect(secretsIn('{"cvv":"123"}')).not.toEqual([]);
    expect(secretsIn("Authorization: Bearer abc.def")).not.toEqual([]);
    expect(secretsIn('{"t":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.sig"}')).not.toEqual([]);
    expect(
      secretsIn('{"request_id":"req_k2j3h4g5f6d7s8a9","time":"2026-11-29T06:00:00.000Z"}'),
    ).toEqual([]);
  });
});

describe("the secret sweep's reach", () => {
  it("flags a webhook signing secret, a ticket token whole or cut, and the ticket signing key", async () => {
    const keys = await ticketKeys(env);
    const token = await signTicket(
      { ticket_id: "ticket_x", booking_id: "booking_x", show_id: "show_x", seats: [], iat: 1 },
      keys,
    );
    const [, payload, signature] = token.split(".");
    expect(secretsIn(`{"secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}`)).not.toEqual([]);
    expect(secretsIn(JSON.stringify({ token }))).not.toEqual([]);
    expect(secretsIn(JSON.stringify({ token: `${payload}.${signature}` }))).not.toEqual([]);
    const { d } = JSON.parse(env.TICKET_SIGNING_KEY) as { d: string };
    expect(secretsIn(JSON.stringify({ key: d }))).not.toEqual([]);
  });
});

describe("stuck work", () => {
  it("logs refund retries and lists the booking in GET /v1/admin/status until the refund goes through", async () => {
    const ctx = await lockedSeats(1, "user_refund_wait");
    const booked = await postBooking(ctx.token, bookingBody(ctx));
    const { booking } = (await booked.json()) as { booking: { booking_id: string } };
    const refund = vi.spyOn(PaymentSimulator.prototype, "refund").mockImplementation(async () => {
      throw new Error("provider down");
    });
    const cancel = await call("POST", `/v1/bookings/${booking.booking_id}/cancel`, {
      token: ctx.token,
    });
    await expectError(cancel, 409, "REQUEST_IN_PROGRESS");
    expect(
      lines.some((l) => l.msg === "refund requested" && l.booking_id === booking.booking_id),
    ).toBe(true);
    expect(
      lines.filter((l) => l.msg === "refund retrying" && l.booking_id === booking.booking_id),
    ).toHaveLength(1);

    // The alarm runs while the refund is unsettled and reports it.
    expect(await runDurableObjectAlarm(stubOf(ctx.showId))).toBe(true);
    const stuck = (await opsStatus()).shows.find((s) => s.show_id === ctx.showId);
    expect(stuck?.refunds.map((r) => r.booking_id)).toEqual([booking.booking_id]);

    // The provider is back; once the retry is due, the alarm refunds and clears the report.
    refund.mockRestore();
    travelTo(Date.now() + 10 * 60_000);
    expect(await runDurableObjectAlarm(stubOf(ctx.showId))).toBe(true);
    expect(lines.some((l) => l.msg === "refund done" && l.booking_id === booking.booking_id)).toBe(
      true,
    );
    const after = await opsStatus();
    expect(after.shows.find((s) => s.show_id === ctx.showId)).toBeUndefined();
    expect(lines.some((l) => l.msg === "alarm run" && l.show_id === ctx.showId)).toBe(true);
  });
});
