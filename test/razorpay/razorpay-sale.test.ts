import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type BookingJson,
  bookingBody,
  call,
  card,
  expectError,
  type LockedSeats,
  lockedSeats,
  postBooking,
  seatMap,
} from "../support/helpers.ts";
import {
  RazorpayStandIn,
  STAND_IN_KEY_ID,
  STAND_IN_KEY_SECRET,
  STAND_IN_ORIGIN,
} from "../support/razorpay-stand-in.ts";
import { answerFetchesWith } from "../support/stand-in-fetch.ts";

/**
 * Bookings paid through Razorpay, end to end: the booking answers 202 with the order the
 * browser opens Razorpay's checkout with; the buyer pays there; Razorpay's signed webhook
 * (or the alarm asking Razorpay) confirms it. The stand-in answers as Razorpay's API would.
 */

const settings = env as Env & { RAZORPAY_KEY_ID?: string; RAZORPAY_WEBHOOK_SECRET?: string };
let standIn: RazorpayStandIn;

beforeEach(() => {
  expect(env.PAYMENT_PROVIDER).toBe("razorpay");
  expect(env.RAZORPAY_API_BASE).toBe(STAND_IN_ORIGIN);
  expect(settings.RAZORPAY_KEY_ID).toBe(STAND_IN_KEY_ID);
  standIn = new RazorpayStandIn({
    keySecret: STAND_IN_KEY_SECRET,
    webhookSecret: settings.RAZORPAY_WEBHOOK_SECRET ?? "",
  });
  answerFetchesWith(standIn);
});

afterEach(() => standIn.release());

interface Waiting {
  booking: BookingJson;
  payment: { status: string; client_secret: string; provider: string };
}

async function bookWithCheckout(ctx: LockedSeats): Promise<Waiting> {
  const res = await postBooking(
    ctx.token,
    bookingBody(ctx, { payment_method: { type: "razorpay" } }),
  );
  if (res.status !== 202) throw new Error(`expected 202, got ${res.status}: ${await res.text()}`);
  return (await res.json()) as Waiting;
}

/** Razorpay's webhook for a payment of the order, as Razorpay sends payment.* events (no order notes). */
async function deliver(type: string, paymentId: string, headers: Record<string, string> = {}) {
  const payment = standIn.payments.find((p) => p.id === paymentId);
  if (!payment) throw new Error(`no payment ${paymentId}`);
  const event = await standIn.signedEvent(type, { payment: standIn.paymentView(payment) });
  return call("POST", "/v1/payments/webhooks/razorpay", {
    rawBody: event.body,
    headers: { ...event.headers, ...headers },
  });
}

async function statusOf(ctx: LockedSeats, bookingId: string): Promise<string> {
  const res = await call("GET", `/v1/bookings/${bookingId}`, { token: ctx.token });
  return ((await res.json()) as { booking: { status: string } }).booking.status;
}

describe("a booking paid in Razorpay's checkout", () => {
  it("answers 202 with one order for its total, then is confirmed by payment.captured, once", async () => {
    const ctx = await lockedSeats(2, "user_rzp_ok");

    const waiting = await bookWithCheckout(ctx);

    expect(waiting.booking.status).toBe("pending");
    expect(waiting.payment.provider).toBe("razorpay");
    const [order] = standIn.orders;
    expect(standIn.orders).toHaveLength(1);
    expect(order).toMatchObject({
      id: waiting.payment.client_secret,
      amount: 100_000,
      currency: "INR",
    });
    expect(order?.notes.booking_id).toBe(waiting.booking.booking_id);
    const payment = standIn.pay(waiting.payment.client_secret, { result: "captured" });

    const first = await deliver("payment.captured", payment.id);
    const again = await deliver("payment.captured", payment.id, {
      "X-Razorpay-Event-Id": "evt_replayed_once",
    });
    const replay = await deliver("payment.captured", payment.id, {
      "X-Razorpay-Event-Id": "evt_replayed_once",
    });

    expect(await first.json()).toEqual({ received: true, outcome: "applied" });
    expect(again.status).toBe(200);
    expect(await replay.json()).toEqual({ received: true, outcome: "duplicate" });
    expect(await statusOf(ctx, waiting.booking.booking_id)).toBe("confirmed");
    const map = await seatMap(ctx.showId);
    expect(ctx.seats.map((id) => map.seats.find((s) => s.seat_id === id)?.status)).toEqual([
      "booked",
      "booked",
    ]);
    expect(standIn.refunds).toEqual([]);
  });

  it("refuses card fields with 400 naming payment_method: card data never reaches the server", async () => {
    const ctx = await lockedSeats(1, "user_rzp_card");

    const res = await postBooking(ctx.token, bookingBody(ctx, { payment_method: card() }));

    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details?.field).toBe("payment_method");
    expect(standIn.orders).toEqual([]);
  });

  it("refuses a webhook whose signature does not hold with 400, changing nothing", async () => {
    const ctx = await lockedSeats(1, "user_rzp_forged");
    const waiting = await bookWithCheckout(ctx);
    const payment = standIn.pay(waiting.payment.client_secret, { result: "captured" });

    const res = await deliver("payment.captured", payment.id, {
      "X-Razorpay-Signature": "0".repeat(64),
    });

    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details?.field).toBe("X-Razorpay-Signature");
    expect(await statusOf(ctx, waiting.booking.booking_id)).toBe("pending");
  });

  it("is refunded once when cancelled after it was paid", async () => {
    const ctx = await lockedSeats(1, "user_rzp_cancel");
    const waiting = await bookWithCheckout(ctx);
    const payment = standIn.pay(waiting.payment.client_secret, { result: "captured" });
    await deliver("payment.captured", payment.id);

    const res = await call("POST", `/v1/bookings/${waiting.booking.booking_id}/cancel`, {
      token: ctx.token,
    });
    const second = await call("POST", `/v1/bookings/${waiting.booking.booking_id}/cancel`, {
      token: ctx.token,
    });

    expect(res.status).toBe(200);
    expect(second.status).toBe(200);
    expect(standIn.refunds.map((r) => [r.payment_id, r.amount])).toEqual([[payment.id, 50_000]]);
  });

  it("is refunded once when paid in the checkout after the booking was cancelled", async () => {
    const ctx = await lockedSeats(1, "user_rzp_paid_late");
    const waiting = await bookWithCheckout(ctx);
    const cancelled = await call("POST", `/v1/bookings/${waiting.booking.booking_id}/cancel`, {
      token: ctx.token,
    });
    expect(cancelled.status).toBe(200);
    // Razorpay's orders cannot be called off: the buyer still pays in the checkout.
    const payment = standIn.pay(waiting.payment.client_secret, { result: "captured" });

    const res = await deliver("payment.captured", payment.id);

    expect(await res.json()).toEqual({ received: true, outcome: "applied" });
    expect(await statusOf(ctx, waiting.booking.booking_id)).toBe("cancelled");
    expect(standIn.refunds.map((r) => [r.payment_id, r.amount])).toEqual([[payment.id, 50_000]]);
  });
});
