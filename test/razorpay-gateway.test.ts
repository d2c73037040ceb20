import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type ChargeRequest, PaymentOutcomeUnknown } from "../src/payments/payment-gateway.ts";
import { RazorpayRequestRefused } from "../src/payments/razorpay-api.ts";
import {
  RazorpayStandIn,
  STAND_IN_KEY_ID,
  STAND_IN_KEY_SECRET,
  STAND_IN_ORIGIN,
} from "./support/razorpay-stand-in.ts";
import { answerFetchesWith } from "./support/stand-in-fetch.ts";
import { razorpayStandInGateway } from "./support/stand-in-gateways.ts";

/**
 * The Razorpay gateway (src/payments/razorpay-gateway.ts) against the stand-in, which speaks
 * Razorpay's REST API (orders, payments, refunds) and plays the buyer in Checkout (pay()).
 */

let standIn: RazorpayStandIn;

beforeEach(() => {
  standIn = new RazorpayStandIn();
  answerFetchesWith(standIn);
});

afterEach(() => {
  standIn.release();
});

const gateway = razorpayStandInGateway;

let attempts = 0;

/** A charge of a fresh attempt (its own key), paid in Razorpay Checkout. */
function checkoutCharge(overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  attempts += 1;
  const booking = `bk_test${attempts}_${crypto.randomUUID()}`;
  return {
    idempotencyKey: `${booking}:attempt:1`,
    amountMinor: 2_500,
    currency: "INR",
    method: { kind: "checkout", provider: "razorpay" },
    reference: booking,
    ...overrides,
  };
}

/** Charges a fresh attempt and answers its order id. */
async function orderOf(request: ChargeRequest): Promise<string> {
  const outcome = await gateway().charge(request);
  if (outcome.status !== "requires_action") throw new Error(`unexpected ${outcome.status}`);
  return outcome.paymentId;
}

const refundOf = (request: ChargeRequest, key = `refund:${request.idempotencyKey}`) => ({
  idempotencyKey: key,
  chargeIdempotencyKey: request.idempotencyKey,
});

const ordersMade = () =>
  standIn.requests.filter((r) => r.method === "POST" && r.path === "/v1/orders");
const refundPosts = () =>
  standIn.requests.filter((r) => r.method === "POST" && r.path.endsWith("/refund"));

describe("the Razorpay gateway", () => {
  afterEach(() => {
    // Whatever a test did, Razorpay refused none of the gateway's requests as malformed
    // (a 400 only for an id that does not exist).
    for (const request of standIn.requests.filter((r) => r.status === 400)) {
      expect(request.error, `${request.method} ${request.path}`).toBe(
        "The id provided does not exist",
      );
    }
  });

  it("makes one order per attempt, in paise, carrying the booking id and attempt key, and answers requires_action with its id", async () => {
    const request = checkoutCharge();

    const first = await gateway().charge(request);
    const retried = await gateway().charge(request);

    expect(first).toEqual({
      status: "requires_action",
      paymentId: expect.stringMatching(/^order_\w{14}$/),
      clientSecret: standIn.orders[0]?.id,
    });
    expect(retried).toEqual(first);
    expect(standIn.orders).toHaveLength(1);
    const [order] = standIn.orders;
    expect(order).toMatchObject({
      amount: 2_500,
      currency: "INR",
      status: "created",
      notes: { booking_id: request.reference, attempt_key: request.idempotencyKey },
    });
    // The receipt (40 characters at most) is a hash of the key, found again by the retry.
    expect(order?.receipt).toMatch(/^at_[0-9a-f]{37}$/);
    expect(ordersMade()).toHaveLength(1);
    const lookups = standIn.requests.filter((r) => r.method === "GET" && r.path === "/v1/orders");
    expect(lookups.map((r) => r.query.receipt)).toEqual([[order?.receipt], [order?.receipt]]);
  });

  it("finds the order of an attempt whose answer was lost instead of making a second one", async () => {
    const timedOut = checkoutCharge();
    standIn.hangNext({ on: "POST /v1/orders" });
    const timeout = await gateway({ timeoutMs: 250 })
      .charge(timedOut)
      .catch((err: unknown) => err);
    const failedAfter = checkoutCharge();
    standIn.failNext(500, { on: "POST /v1/orders", afterProcessing: true });
    const serverError = await gateway()
      .charge(failedAfter)
      .catch((err: unknown) => err);

    expect(timeout).toBeInstanceOf(PaymentOutcomeUnknown);
    expect((timeout as PaymentOutcomeUnknown).kind).toBe("timeout");
    expect((serverError as PaymentOutcomeUnknown).kind).toBe("provider_error");
    await vi.waitFor(() => expect(standIn.hanging).toBe(0));
    expect(standIn.orders).toHaveLength(2);
    for (const attempt of [timedOut, failedAfter]) {
      expect(await gateway().charge(attempt)).toEqual({
        status: "requires_action",
        paymentId: standIn.orderFor(attempt.idempotencyKey)?.id,
        clientSecret: standIn.orderFor(attempt.idempotencyKey)?.id,
      });
    }
    expect(standIn.orders).toHaveLength(2);
    expect(ordersMade()).toHaveLength(2);
  });

  it("reports a payment captured in Checkout as succeeded, with the card's network and last four", async () => {
    const request = checkoutCharge();
    const orderId = await orderOf(request);
    const payment = standIn.pay(orderId, {
      result: "captured",
      card: { network: "MasterCard", last4: "5449" },
    });
    const expected = {
      status: "succeeded",
      paymentId: payment.id,
      card: { brand: "mastercard", last4: "5449" },
      processedAt: new Date(payment.created_at * 1000).toISOString(),
    };

    expect(await gateway().retrieve(request.idempotencyKey)).toEqual(expected);
    expect(await gateway().retrieve(request.idempotencyKey, orderId)).toEqual(expected);
    expect(await gateway().retrieve(request.idempotencyKey, payment.id)).toEqual(expected);
    // A charge retried after the buyer paid answers the payment, and makes no order.
    expect(await gateway().charge(request)).toEqual(expected);
    expect(standIn.orders).toHaveLength(1);

    const upi = checkoutCharge();
    standIn.pay(await orderOf(upi), { result: "captured", method: "upi" });
    expect(await gateway().retrieve(upi.idempotencyKey)).toMatchObject({
      status: "succeeded",
      card: { brand: "upi", last4: "" },
    });
  });

  it("keeps an order whose payment failed waiting for the buyer's retry, which can still pay it", async () => {
    const request = checkoutCharge();
    const orderId = await orderOf(request);
    standIn.pay(orderId, { result: "failed", errorReason: "payment_failed" });

    expect(await gateway().retrieve(request.idempotencyKey)).toEqual({
      status: "requires_action",
      paymentId: orderId,
      clientSecret: orderId,
    });
    expect(await gateway().refund(refundOf(request))).toEqual({ status: "no_charge" });

    const retry = standIn.pay(orderId, { result: "captured" });
    expect(await gateway().retrieve(request.idempotencyKey)).toMatchObject({
      status: "succeeded",
      paymentId: retry.id,
      card: { brand: "visa", last4: "1111" },
    });
  });

  it("declines an unpaid order once its checkout window has passed, with the last failure's reason", async () => {
    const failed = checkoutCharge();
    standIn.pay(await orderOf(failed), {
      result: "failed",
      errorReason: "incorrect_otp",
      card: { network: "RuPay", last4: "1213" },
    });
    const abandoned = checkoutCharge();
    await orderOf(abandoned);
    const closed = gateway({ checkoutWindowSeconds: 0 });

    expect(await closed.retrieve(failed.idempotencyKey)).toEqual({
      status: "declined",
      reason: "incorrect_otp",
      card: { brand: "rupay", last4: "1213" },
    });
    expect(await closed.retrieve(abandoned.idempotencyKey)).toEqual({
      status: "declined",
      reason: "checkout_expired",
      card: null,
    });
    expect(await closed.refund(refundOf(failed))).toEqual({ status: "no_charge" });
    expect(standIn.refunds).toHaveLength(0);
  });

  it("treats a payment authorised but not captured as an unknown outcome until Razorpay captures it", async () => {
    const request = checkoutCharge();
    const payment = standIn.pay(await orderOf(request), { result: "authorized" });

    await expect(gateway().retrieve(request.idempotencyKey)).rejects.toBeInstanceOf(
      PaymentOutcomeUnknown,
    );
    await expect(gateway().refund(refundOf(request))).rejects.toBeInstanceOf(PaymentOutcomeUnknown);
    expect(refundPosts()).toHaveLength(0);

    standIn.capture(payment.id);
    expect(await gateway().retrieve(request.idempotencyKey)).toMatchObject({
      status: "succeeded",
      paymentId: payment.id,
    });
  });

  it("refunds the captured payment in full once per refund key, however often the refund is asked", async () => {
    const request = checkoutCharge();
    const orderId = await orderOf(request);
    const payment = standIn.pay(orderId, { result: "captured" });

    const refund = await gateway().refund(refundOf(request));
    const again = await gateway().refund(refundOf(request));
    // A refund under another key (a cancellation racing a settlement) finds the same one,
    // and so does one that names the order or the payment.
    const otherKey = await gateway().refund(refundOf(request, "refund:other"));
    const byOrder = await gateway().refund({ ...refundOf(request), paymentId: orderId });
    const byPayment = await gateway().refund({ ...refundOf(request), paymentId: payment.id });

    expect(refund).toEqual({ status: "refunded", refundId: standIn.refunds[0]?.id });
    for (const answer of [again, otherKey, byOrder, byPayment]) expect(answer).toEqual(refund);
    expect(standIn.refunds).toHaveLength(1);
    expect(standIn.refunds[0]).toMatchObject({
      amount: 2_500,
      payment_id: payment.id,
      notes: { refund_key: `refund:${request.idempotencyKey}` },
    });
    expect(standIn.payments[0]).toMatchObject({ status: "refunded", refund_status: "full" });
    expect(refundPosts().map((r) => r.refundIdempotencyKey)).toEqual([
      expect.stringMatching(/^rf_[0-9a-f]{40}$/),
    ]);
  });

  it("settles a refund whose answer was lost by asking again, which finds the refund made", async () => {
    const request = checkoutCharge();
    standIn.pay(await orderOf(request), { result: "captured" });
    standIn.failNext(502, { on: "POST /v1/payments/{pay}/refund", afterProcessing: true });

    const lost = await gateway()
      .refund(refundOf(request))
      .catch((err: unknown) => err);
    const settled = await gateway().refund(refundOf(request));

    expect(lost).toBeInstanceOf(PaymentOutcomeUnknown);
    expect(settled).toEqual({ status: "refunded", refundId: standIn.refunds[0]?.id });
    expect(standIn.refunds).toHaveLength(1);
    expect(refundPosts()).toHaveLength(1);
  });

  it("answers no_charge and undefined for an attempt that made no order, even one whose request was lost", async () => {
    const never = checkoutCharge();
    const lost = checkoutCharge();
    standIn.hangNext({ on: "POST /v1/orders", beforeProcessing: true });
    await expect(gateway({ timeoutMs: 250 }).charge(lost)).rejects.toBeInstanceOf(
      PaymentOutcomeUnknown,
    );

    for (const request of [never, lost]) {
      expect(await gateway().retrieve(request.idempotencyKey)).toBeUndefined();
      expect(await gateway().refund(refundOf(request))).toEqual({ status: "no_charge" });
    }
    expect(await gateway().retrieve("never-made", "order_DoesNotExist01")).toBeUndefined();
    expect(standIn.orders).toHaveLength(0);
  });

  it("turns a 5xx and a lost connection into unknown outcomes, and makes nothing", async () => {
    standIn.failNext(503);
    const unavailable = await gateway()
      .charge(checkoutCharge())
      .catch((err: unknown) => err);
    standIn.failNext("network");
    const cut = await gateway()
      .charge(checkoutCharge())
      .catch((err: unknown) => err);

    for (const error of [unavailable, cut]) {
      expect(error).toBeInstanceOf(PaymentOutcomeUnknown);
      expect((error as PaymentOutcomeUnknown).kind).toBe("provider_error");
    }
    expect(standIn.orders).toHaveLength(0);
  });

  it("fails clearly on a wrong key id or secret: a 401 refusal naming the settings, never the secret", async () => {
    const wrongSecret = "not_the_secret_of_this_key";
    const errors = [
      await gateway({ keySecret: wrongSecret })
        .charge(checkoutCharge())
        .catch((err: unknown) => err),
      await gateway({ keyId: "rzp_test_SomeoneElse001" })
        .retrieve("any-attempt")
        .catch((err: unknown) => err),
    ];

    for (const error of errors) {
      expect(error).toBeInstanceOf(RazorpayRequestRefused);
      expect(error).toMatchObject({ status: 401, code: "BAD_REQUEST_ERROR" });
      const message = (error as Error).message;
      expect(message).toMatch(/RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET/);
      expect(message).not.toContain(wrongSecret);
      expect(message).not.toContain(STAND_IN_KEY_SECRET);
    }
    expect(standIn.requests.map((r) => r.status)).toEqual([401, 401]);
    expect(standIn.orders).toHaveLength(0);
  });

  it("refuses a payment method other than Razorpay's checkout, and asks Razorpay nothing", async () => {
    const card = checkoutCharge({ method: { kind: "token", provider: "stripe", token: "pm_x" } });

    await expect(gateway().charge(card)).rejects.toBeInstanceOf(RazorpayRequestRefused);
    expect(standIn.requests).toHaveLength(0);
  });
});

describe("the Razorpay stand-in", () => {
  const auth = `Basic ${btoa(`${STAND_IN_KEY_ID}:${STAND_IN_KEY_SECRET}`)}`;
  const post = (path: string, body: object, headers: Record<string, string> = {}) =>
    fetch(`${STAND_IN_ORIGIN}${path}`, {
      method: "POST",
      headers: { Authorization: auth, "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  const errorOf = async (res: Response) =>
    ((await res.json()) as { error: Record<string, unknown> }).error;

  it("refuses an amount under 1.00, a receipt over 40 characters and an unknown field, in Razorpay's error shape", async () => {
    const small = await post("/v1/orders", { amount: 99, currency: "INR" });
    const long = await post("/v1/orders", {
      amount: 100,
      currency: "INR",
      receipt: "r".repeat(41),
    });
    const extra = await post("/v1/orders", { amount: 100, currency: "INR", colour: "blue" });

    expect([small.status, long.status, extra.status]).toEqual([400, 400, 400]);
    expect(await errorOf(small)).toEqual({
      code: "BAD_REQUEST_ERROR",
      description: "The amount must be at least INR 1.00",
      source: "NA",
      step: "NA",
      reason: "NA",
      metadata: {},
      field: "amount",
    });
    expect(await errorOf(long)).toMatchObject({ field: "receipt" });
    expect(await errorOf(extra)).toMatchObject({
      description: "colour is/are not required and should not be sent",
    });
    expect(standIn.orders).toHaveLength(0);
  });

  it("replays a refund under its idempotency key, and refuses another body under that key or a second full refund", async () => {
    const order = (await (await post("/v1/orders", { amount: 500, currency: "INR" })).json()) as {
      id: string;
    };
    const payment = standIn.pay(order.id, { result: "captured" });
    const refundPath = `/v1/payments/${payment.id}/refund`;
    const key = { "X-Refund-Idempotency": "refund-key-0001" };

    const first = await post(refundPath, {}, key);
    const replay = await post(refundPath, {}, key);
    const otherBody = await post(refundPath, { amount: 100 }, key);
    const secondRefund = await post(refundPath, {}, { "X-Refund-Idempotency": "refund-key-0002" });
    const shortKey = await post(refundPath, {}, { "X-Refund-Idempotency": "short" });

    expect(first.status).toBe(200);
    expect(((await replay.json()) as { id: string }).id).toBe(standIn.refunds[0]?.id);
    expect(otherBody.status).toBe(409);
    expect(await errorOf(secondRefund)).toMatchObject({
      description: "The payment has been fully refunded already.",
    });
    expect(shortKey.status).toBe(400);
    expect(standIn.refunds).toHaveLength(1);
  });
});
