import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  adminToken,
  type BookingJson,
  bookingBody,
  call,
  expectError,
  type LockedSeats,
  lockedSeats,
  lockSeats,
  newKey,
  postBooking,
  rowSeats,
  seatMap,
  stubOf,
  tokenFor,
} from "../support/helpers.ts";
import { collectLogLines } from "../support/log-lines.ts";
import type { StandInIntent } from "../support/stripe-stand-in.ts";
import { travelTo } from "../support/time.ts";
import {
  bookingStatus,
  bookWithStripe,
  d1Booking,
  deliverEvent,
  eventOutcome,
  intentObject,
  intentsOf,
  refundsOf,
  runAlarm,
  seatStatuses,
  signedEvent,
  stripeMethod,
  sweepLogsForStripeSecrets,
  useStandIn,
} from "./stripe-world.ts";

/**
 * Payments that wait for the buyer (3-D Secure): the 202 answer, the seats held meanwhile,
 * the outcome taken from Stripe's webhook or, when that is lost, from the alarm asking
 * Stripe, and money that arrives after the hold ran out (late money).
 */

const standIn = useStandIn();
sweepLogsForStripeSecrets();
const lines = collectLogLines<{ msg: string; booking_id?: string; refund_id?: string }>();

afterEach(() => {
  vi.useRealTimers();
});

const HOLD_MS = 900_000;

interface Waiting {
  booking: BookingJson;
  payment: { status: string; client_secret: string; provider: string };
}

/** Books `ctx`'s lock with a card that asks for 3-D Secure: the 202 answer and its intent. */
async function bookWith3ds(ctx: LockedSeats): Promise<{ waiting: Waiting; intent: StandInIntent }> {
  const res = await bookWithStripe(ctx, "pm_card_threeDSecure2Required");
  if (res.status !== 202) throw new Error(`expected 202, got ${res.status}: ${await res.text()}`);
  const waiting = (await res.json()) as Waiting;
  const [intent] = intentsOf(standIn(), waiting.booking.booking_id);
  if (!intent) throw new Error("no intent for the booking");
  return { waiting, intent };
}

/** The buyer finishes 3-D Secure in Stripe's page, and Stripe sends its event. */
async function buyerFinishes(intent: StandInIntent, result: "succeeds" | "fails") {
  standIn().completeAction(intent.id, result);
  const type = result === "succeeds" ? "payment_intent.succeeded" : "payment_intent.payment_failed";
  const event = await signedEvent(standIn(), type, intentObject(intent));
  return eventOutcome(await deliverEvent(event.body, event.header));
}

async function lockExpiry(ctx: LockedSeats): Promise<number> {
  const res = await call("GET", `/v1/seats/lock/${ctx.lock.lock_id}`, { token: ctx.token });
  return Date.parse(((await res.json()) as { expires_at: string }).expires_at);
}

describe("a booking whose card asks for 3-D Secure", () => {
  it("answers 202 pending with the intent's client secret, and holds the seats for the hold, not the lock's time", async () => {
    const lockedAt = Date.now();
    const ctx = await lockedSeats(2, "user_3ds_wait");

    const { waiting, intent } = await bookWith3ds(ctx);

    expect(waiting.booking.status).toBe("pending");
    expect(waiting.payment).toEqual({
      status: "requires_action",
      client_secret: intent.client_secret,
      provider: "stripe",
    });
    expect(await bookingStatus(ctx.token, waiting.booking.booking_id)).toBe("pending");
    expect(await lockExpiry(ctx)).toBeGreaterThanOrEqual(lockedAt + HOLD_MS);
    // Past the lock's own expiry the seats are still the buyer's.
    travelTo(Date.parse(ctx.lock.expires_at) + 1_000);
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["locked", "locked"]);
    expect(standIn().charges).toEqual([]);
  });

  it("is confirmed once the buyer finishes and Stripe's payment_intent.succeeded arrives", async () => {
    const ctx = await lockedSeats(2, "user_3ds_ok");
    const { waiting, intent } = await bookWith3ds(ctx);

    const outcome = await buyerFinishes(intent, "succeeds");

    expect(outcome).toEqual({ received: true, outcome: "applied" });
    const id = waiting.booking.booking_id;
    expect(await bookingStatus(ctx.token, id)).toBe("confirmed");
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["booked", "booked"]);
    await vi.waitFor(async () => expect(await d1Booking(id)).toEqual({ status: "confirmed" }));
    expect(intentsOf(standIn(), id)).toHaveLength(1);
    expect(standIn().refunds).toEqual([]);
  });

  it("is confirmed by the alarm asking Stripe when the webhook never comes", async () => {
    const ctx = await lockedSeats(1, "user_3ds_lost_hook");
    const { waiting, intent } = await bookWith3ds(ctx);
    standIn().completeAction(intent.id, "succeeds");

    travelTo(Date.now() + 61_000);
    await runAlarm(ctx.showId);

    expect(await bookingStatus(ctx.token, waiting.booking.booking_id)).toBe("confirmed");
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["booked"]);
  });

  it("is failed after payment_intent.payment_failed, its lock still holds, and the lock may be booked again with another card", async () => {
    const ctx = await lockedSeats(1, "user_3ds_fail");
    const { waiting, intent } = await bookWith3ds(ctx);

    const outcome = await buyerFinishes(intent, "fails");

    expect(outcome).toEqual({ received: true, outcome: "applied" });
    expect(await bookingStatus(ctx.token, waiting.booking.booking_id)).toBe("failed");
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["locked"]);
    const again = await postBooking(ctx.token, bookingBody(ctx, stripeMethod("pm_card_visa")));
    expect(again.status).toBe(201);
    const { booking } = (await again.json()) as { booking: BookingJson };
    expect(booking.status).toBe("confirmed");
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["booked"]);
    expect(standIn().charges).toHaveLength(1);
  });

  it("refuses a second booking of the lock with 409 while the first waits for the buyer", async () => {
    const ctx = await lockedSeats(1, "user_3ds_twice");
    const { waiting } = await bookWith3ds(ctx);

    const res = await postBooking(
      ctx.token,
      bookingBody(ctx, stripeMethod("pm_card_visa")),
      newKey(),
    );

    const error = await expectError(res, 409, "REQUEST_IN_PROGRESS");
    expect(error.details).toMatchObject({
      reason: "requires_action",
      booking_id: waiting.booking.booking_id,
    });
    expect(standIn().intents).toHaveLength(1);
  });

  it("expires with its lock when the hold runs out, the intent left as it is", async () => {
    const ctx = await lockedSeats(1, "user_3ds_expire");
    const { waiting, intent } = await bookWith3ds(ctx);

    travelTo(Date.now() + HOLD_MS + 1_000);
    await runAlarm(ctx.showId);

    expect(await bookingStatus(ctx.token, waiting.booking.booking_id)).toBe("expired");
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["available"]);
    expect(standIn().intents.find((i) => i.id === intent.id)?.status).toBe("requires_action");
  });

  it("is cancelled by its buyer with the intent called off, so it can never charge", async () => {
    const ctx = await lockedSeats(1, "user_3ds_cancel");
    const { waiting, intent } = await bookWith3ds(ctx);

    const res = await call("POST", `/v1/bookings/${waiting.booking.booking_id}/cancel`, {
      token: ctx.token,
    });

    expect(res.status).toBe(200);
    expect(await bookingStatus(ctx.token, waiting.booking.booking_id)).toBe("cancelled");
    expect(standIn().intents.find((i) => i.id === intent.id)?.status).toBe("canceled");
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["available"]);
  });

  it("keeps its lock: releasing it is 409 BOOKING_EXISTS while the payment waits", async () => {
    const ctx = await lockedSeats(1, "user_3ds_release");
    const { waiting } = await bookWith3ds(ctx);

    const res = await call("DELETE", `/v1/seats/lock/${ctx.lock.lock_id}`, { token: ctx.token });

    const error = await expectError(res, 409, "BOOKING_EXISTS");
    expect(error.details).toMatchObject({ booking_id: waiting.booking.booking_id });
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["locked"]);
  });

  it("is cancelled with one refund when the buyer had finished before the cancel, its seats freed", async () => {
    const ctx = await lockedSeats(1, "user_3ds_cancel_paid");
    const { waiting, intent } = await bookWith3ds(ctx);
    // The buyer finished; Stripe's event has not arrived yet.
    standIn().completeAction(intent.id, "succeeds");

    const res = await call("POST", `/v1/bookings/${waiting.booking.booking_id}/cancel`, {
      token: ctx.token,
    });

    expect(res.status).toBe(200);
    const id = waiting.booking.booking_id;
    expect(await bookingStatus(ctx.token, id)).toBe("cancelled");
    expect(refundsOf(standIn(), id)).toHaveLength(1);
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["available"]);
    // Stripe's event, arriving now, changes nothing.
    expect(await buyerFinishesAgain(intent)).toEqual({ received: true, outcome: "recorded" });
    expect(refundsOf(standIn(), id)).toHaveLength(1);
  });

  it("has the alarm set to ask Stripe within a minute", async () => {
    const ctx = await lockedSeats(1, "user_3ds_alarm");
    const before = Date.now();
    await bookWith3ds(ctx);

    const alarm = await runInDurableObject(stubOf(ctx.showId), (_, state) =>
      state.storage.getAlarm(),
    );

    expect(alarm).not.toBeNull();
    expect(alarm ?? Infinity).toBeLessThanOrEqual(before + 61_000);
  });

  it("is listed with its age in the operator's status while it waits", async () => {
    const ctx = await lockedSeats(1, "user_3ds_status");
    const { waiting } = await bookWith3ds(ctx);

    travelTo(Date.now() + 61_000);
    await runAlarm(ctx.showId);
    const res = await call("GET", "/v1/admin/status", { token: await adminToken() });

    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(waiting.booking.booking_id);
    expect(text).toContain("requires_action");
  });
});

describe("a 3-D Secure payment that succeeds after the seats' hold ran out", () => {
  it("takes the same seats for the buyer in one step when they are still free", async () => {
    const ctx = await lockedSeats(2, "user_late_free");
    const { waiting, intent } = await bookWith3ds(ctx);
    travelTo(Date.now() + HOLD_MS + 1_000);
    await runAlarm(ctx.showId);

    const outcome = await buyerFinishes(intent, "succeeds");

    expect(outcome).toEqual({ received: true, outcome: "applied" });
    const id = waiting.booking.booking_id;
    expect(await bookingStatus(ctx.token, id)).toBe("confirmed");
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["booked", "booked"]);
    expect(standIn().refunds).toEqual([]);
    await vi.waitFor(async () => expect(await d1Booking(id)).toEqual({ status: "confirmed" }));
  });

  it("is refunded exactly once when the seats were sold meanwhile, the booking expired with its refund", async () => {
    const ctx = await lockedSeats(1, "user_late_sold");
    const { waiting, intent } = await bookWith3ds(ctx);
    travelTo(Date.now() + HOLD_MS + 1_000);
    await runAlarm(ctx.showId);
    const rival = await tokenFor("user_late_rival");
    const locked = await lockSeats(rival, { show_id: ctx.showId, seat_ids: ctx.seats });
    expect(locked.status).toBe(200);
    const rivalLock = (await locked.json()) as LockedSeats["lock"];
    const rivalBooking = await postBooking(
      rival,
      bookingBody(
        { ...ctx, user: "user_late_rival", token: rival, lock: rivalLock },
        stripeMethod("pm_card_visa"),
      ),
    );
    expect(rivalBooking.status).toBe(201);
    standIn().failNext(500, { only: "POST /v1/refunds" });
    const id = waiting.booking.booking_id;

    // The refund fails once, then the alarm gets it through; a replayed event changes nothing.
    await buyerFinishes(intent, "succeeds");
    const pending = await call("GET", `/v1/bookings/${id}`, { token: ctx.token });
    expect(((await pending.json()) as { booking: { refund: unknown } }).booking.refund).toEqual({
      refund_id: null,
      amount: 500,
      status: "pending",
    });
    // Its failed try is logged as the other refunds' are: when the next one is due.
    expect(lines.find((l) => l.msg === "refund retrying" && l.booking_id === id)).toMatchObject({
      level: "warn",
      failures: 1,
      next_try_at: expect.any(String),
    });
    travelTo(Date.now() + 60_000);
    await runAlarm(ctx.showId);
    await buyerFinishesAgain(intent);

    const res = await call("GET", `/v1/bookings/${id}`, { token: ctx.token });
    const { booking } = (await res.json()) as {
      booking: { status: string; refund: { refund_id: string; amount: number; status: string } };
    };
    const refunds = refundsOf(standIn(), id);
    expect(refunds).toHaveLength(1);
    expect(booking.status).toBe("expired");
    expect(booking.refund).toEqual({ refund_id: refunds[0]?.id, amount: 500, status: "succeeded" });
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["booked"]);
    expect(
      lines.filter((l) => l.msg === "payment refunded late" && l.booking_id === id),
    ).toHaveLength(1);
  });
});

describe("a late 3-D Secure payment past the buyer's limit", () => {
  it("is refunded even though its seats are free: the buyer holds their limit already", async () => {
    const ctx = await lockedSeats(1, "user_late_limit");
    await call("PATCH", `/v1/shows/${ctx.showId}`, {
      token: await adminToken(),
      body: { max_tickets_per_user: 1 },
    });
    const { waiting, intent } = await bookWith3ds(ctx);
    travelTo(Date.now() + HOLD_MS + 1_000);
    await runAlarm(ctx.showId);
    const other = rowSeats(await seatMap(ctx.showId), "B").slice(0, 1);
    const locked = await lockSeats(ctx.token, { show_id: ctx.showId, seat_ids: other });
    const lock = (await locked.json()) as LockedSeats["lock"];
    const paid = await postBooking(
      ctx.token,
      bookingBody({ ...ctx, seats: other, lock }, stripeMethod("pm_card_visa")),
    );
    expect(paid.status).toBe(201);

    await buyerFinishes(intent, "succeeds");

    const id = waiting.booking.booking_id;
    expect(await bookingStatus(ctx.token, id)).toBe("expired");
    expect(refundsOf(standIn(), id)).toHaveLength(1);
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["available"]);
  });
});

/** Stripe delivers the same success again (a retry of its webhook). */
async function buyerFinishesAgain(intent: StandInIntent) {
  const event = await signedEvent(standIn(), "payment_intent.succeeded", intentObject(intent));
  return eventOutcome(await deliverEvent(event.body, event.header));
}
