import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeEach, expect } from "vitest";
import { observeLogLines } from "../../src/observability/log.ts";
import {
  type BookingJson,
  bookingBody,
  call,
  type LockedSeats,
  lockedSeats,
  postBooking,
  seatMap,
  stubOf,
} from "../support/helpers.ts";
import { answerFetchesWith } from "../support/stand-in-fetch.ts";
import {
  STAND_IN_ORIGIN,
  STAND_IN_SECRET_KEY,
  type StandInIntent,
  StripeStandIn,
} from "../support/stripe-stand-in.ts";

/**
 * The "stripe" project's world (vitest.config.ts): the Worker with PAYMENT_PROVIDER =
 * "stripe", its show objects charging through the official package against the stand-in,
 * which answers every fetch of STRIPE_API_BASE made in this isolate (the objects' too).
 */

/** Stripe's secrets as the project configures them (optional in the generated Env). */
const stripeEnv = env as Env & { STRIPE_SECRET_KEY?: string; STRIPE_WEBHOOK_SECRET?: string };

export const WEBHOOK_SECRET = stripeEnv.STRIPE_WEBHOOK_SECRET ?? "";
const SECRET_KEY = stripeEnv.STRIPE_SECRET_KEY ?? "";

/**
 * A fresh stand-in for each test, listening from before it starts until after it ends (its
 * held answers released, so nothing waits on them); the returned function gives the
 * current test's. The configuration must point at it: checked before each test, so a drift
 * between vitest.config.ts and the stand-in fails loudly rather than as a mystery 401 or
 * timeout.
 *
 * An answer held for a show object's request (hangNext) must be released from that object's
 * context, `runInDurableObject(stubOf(showId), () => standIn.release())`: workerd refuses to
 * settle one object's I/O from the test's context ("Cannot perform I/O on behalf of a
 * different Durable Object"), and the request then fails with 500.
 */
export function useStandIn(): () => StripeStandIn {
  let current: StripeStandIn | undefined;
  beforeEach(() => {
    expect(env.PAYMENT_PROVIDER).toBe("stripe");
    expect(env.STRIPE_API_BASE).toBe(STAND_IN_ORIGIN);
    expect(SECRET_KEY).toBe(STAND_IN_SECRET_KEY);
    expect(WEBHOOK_SECRET).toMatch(/^whsec_/);
    current = new StripeStandIn();
    answerFetchesWith(current);
  });
  afterEach(() => {
    current?.release();
  });
  return () => {
    if (!current) throw new Error("the stand-in exists only while a test runs");
    return current;
  };
}

/**
 * Stripe's keys never reach a log line (log-sweep.ts looks for card data and tokens; it
 * does not know these two values).
 */
export function sweepLogsForStripeSecrets(): void {
  const leaks: string[] = [];
  const stop = observeLogLines((line) => {
    if (line.includes(SECRET_KEY) || line.includes(WEBHOOK_SECRET)) {
      leaks.push(line);
    }
  });
  afterAll(() => {
    stop();
    expect(leaks, "log lines holding a Stripe secret").toEqual([]);
  });
}

/** The booking body's payment method: a PaymentMethod id from Stripe's own card field. */
export function stripeMethod(paymentMethod: string) {
  return { payment_method: { type: "stripe", payment_method: paymentMethod } };
}

/** POST /v1/bookings for `ctx`'s lock, paid with a Stripe test PaymentMethod. */
export function bookWithStripe(ctx: LockedSeats, paymentMethod: string, key?: string) {
  return postBooking(ctx.token, bookingBody(ctx, stripeMethod(paymentMethod)), key);
}

/** A confirmed booking of `count` seats paid with pm_card_visa, and its PaymentIntent. */
export async function stripeBooking(
  standIn: StripeStandIn,
  user: string,
  count = 1,
): Promise<{ ctx: LockedSeats; booking: BookingJson; intent: StandInIntent }> {
  const ctx = await lockedSeats(count, user);
  const res = await bookWithStripe(ctx, "pm_card_visa");
  if (res.status !== 201) throw new Error(`booking ${res.status}: ${await res.text()}`);
  const { booking } = (await res.json()) as { booking: BookingJson };
  const intent = intentsOf(standIn, booking.booking_id)[0];
  if (!intent) throw new Error(`no PaymentIntent for ${booking.booking_id}`);
  return { ctx, booking, intent };
}

/** The stand-in's intents made for a booking (metadata booking_id). */
export function intentsOf(standIn: StripeStandIn, bookingId: string): StandInIntent[] {
  return standIn.intents.filter((i) => i.metadata.booking_id === bookingId);
}

/** The stand-in's refunds of a booking's intents. */
export function refundsOf(standIn: StripeStandIn, bookingId: string) {
  const ids = new Set(intentsOf(standIn, bookingId).map((i) => i.id));
  return standIn.refunds.filter((r) => ids.has(r.payment_intent));
}

/** A booking as its owner (or an admin) reads it: its status. */
export async function bookingStatus(token: string, bookingId: string): Promise<string | number> {
  const res = await call("GET", `/v1/bookings/${bookingId}`, { token });
  if (res.status !== 200) return res.status;
  return ((await res.json()) as { booking: { status: string } }).booking.status;
}

/** The seat map's status of each seat, in the order given. */
export async function seatStatuses(showId: string, seatIds: string[]): Promise<string[]> {
  const map = await seatMap(showId);
  return seatIds.map((id) => map.seats.find((s) => s.seat_id === id)?.status ?? "missing");
}

/** D1's row of a booking, null when D1 has none. */
export function d1Booking(bookingId: string) {
  return env.DB.prepare("SELECT status FROM bookings WHERE booking_id = ?")
    .bind(bookingId)
    .first<{ status: string }>();
}

/** Runs the show object's alarm now. */
export function runAlarm(showId: string): Promise<boolean> {
  return runDurableObjectAlarm(stubOf(showId));
}

/** A signed Stripe event: its body, its Stripe-Signature header, and the event. */
export type SignedEvent = { body: string; header: string; event: { id: string } };

/** An event about `object`, signed with the endpoint's secret unless told otherwise. */
export async function signedEvent(
  standIn: StripeStandIn,
  type: string,
  object: Record<string, unknown>,
  options: { timestamp?: number; secret?: string } = {},
): Promise<SignedEvent> {
  const made = await standIn.signedEvent(type, object, { secret: WEBHOOK_SECRET, ...options });
  return { ...made, event: made.event as { id: string } };
}

/** Delivers a body to the endpoint as Stripe does; `signature` null sends no header. */
export function deliverEvent(body: string, signature: string | null): Promise<Response> {
  return call("POST", "/v1/payments/webhooks/stripe", {
    rawBody: body,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      ...(signature === null ? {} : { "Stripe-Signature": signature }),
    },
  });
}

/** The intent as Stripe sends it in an event's data.object. */
export function intentObject(intent: StandInIntent): Record<string, unknown> {
  return { ...intent };
}

/** The outcome the endpoint answered (200 expected). */
export async function eventOutcome(res: Response): Promise<unknown> {
  const text = await res.text();
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${text}`);
  return JSON.parse(text);
}
