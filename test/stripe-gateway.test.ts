import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type ChargeRequest, PaymentOutcomeUnknown } from "../src/payments/payment-gateway.ts";
import { STRIPE_API_VERSION } from "../src/payments/stripe-gateway.ts";
import { answerFetchesWith } from "./support/stand-in-fetch.ts";
import { stripeStandInGateway } from "./support/stand-in-gateways.ts";
import { STAND_IN_ORIGIN, STAND_IN_SECRET_KEY, StripeStandIn } from "./support/stripe-stand-in.ts";

/**
 * The Stripe gateway (src/payments/stripe-gateway.ts) against the stand-in, which speaks
 * Stripe's REST API and checks every request against our description of it
 * (test/support/stripe-api-description.ts).
 */

let standIn: StripeStandIn;

beforeEach(() => {
  standIn = new StripeStandIn();
  answerFetchesWith(standIn);
});

afterEach(() => {
  standIn.release();
});

const gateway = stripeStandInGateway;

let attempts = 0;

/** A charge of a fresh attempt (its own key) with one of Stripe's test PaymentMethods. */
function chargeWith(token: string, overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  attempts += 1;
  const booking = `bk_test${attempts}_${crypto.randomUUID().slice(0, 8)}`;
  return {
    idempotencyKey: `${booking}:1`,
    amountMinor: 2_500,
    currency: "INR",
    method: { kind: "token", provider: "stripe", token },
    reference: booking,
    ...overrides,
  };
}

const intentsMade = () =>
  standIn.requests.filter((r) => r.method === "POST" && r.path === "/v1/payment_intents");

describe("the Stripe gateway", () => {
  afterEach(() => {
    // Whatever a test did: every request fitted the API description, carried the pinned
    // API version, and each POST one of our keys; never the library's random one.
    for (const request of standIn.requests) {
      expect(request.refused, `${request.method} ${request.path}`).toBeNull();
      expect(request.stripeVersion).toBe(STRIPE_API_VERSION);
      if (request.method === "POST") {
        expect(request.idempotencyKey).toMatch(/^(pi|re|ca):/);
      } else {
        expect(request.idempotencyKey).toBeNull();
      }
    }
  });

  it("charges a card in one confirmed PaymentIntent and keeps only the card's brand and last four digits", async () => {
    const request = chargeWith("pm_card_visa");
    const outcome = await gateway().charge(request);

    expect(outcome).toEqual({
      status: "succeeded",
      paymentId: expect.stringMatching(/^pi_/),
      card: { brand: "visa", last4: "4242" },
      processedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(standIn.intents).toHaveLength(1);
    const [intent] = standIn.intents;
    expect(intent).toMatchObject({
      amount: 2_500,
      currency: "inr",
      status: "succeeded",
      allowed_payment_method_types: ["card"],
      metadata: { booking_id: request.reference, attempt_key: request.idempotencyKey },
    });
    expect(outcome.status === "succeeded" && outcome.paymentId).toBe(intent?.id);
    expect(intentsMade()).toEqual([
      expect.objectContaining({
        idempotencyKey: `pi:${request.idempotencyKey}`,
        params: expect.objectContaining({ confirm: "true", expand: ["latest_charge"] }),
      }),
    ]);
  });

  it("reports a declined card with Stripe's error code and the issuer's decline code", async () => {
    const declined = await gateway().charge(chargeWith("pm_card_chargeDeclined"));
    const poor = await gateway().charge(chargeWith("pm_card_chargeDeclinedInsufficientFunds"));

    expect(declined).toEqual({
      status: "declined",
      reason: "card_declined",
      declineCode: "generic_decline",
      card: { brand: "visa", last4: "0002" },
    });
    expect(poor).toMatchObject({
      status: "declined",
      reason: "card_declined",
      declineCode: "insufficient_funds",
    });
    expect(standIn.refunds).toHaveLength(0);
  });

  it("answers requires_action with the intent's client secret when the card asks for 3-D Secure", async () => {
    const outcome = await gateway().charge(chargeWith("pm_card_threeDSecure2Required"));

    expect(outcome).toEqual({
      status: "requires_action",
      paymentId: expect.stringMatching(/^pi_/),
      clientSecret: expect.stringMatching(/^pi_\w+_secret_\w+$/),
    });
    if (outcome.status !== "requires_action") throw new Error("unreachable");
    expect(outcome.clientSecret.startsWith(`${outcome.paymentId}_secret_`)).toBe(true);
    expect(standIn.charges).toHaveLength(0);
  });

  it("makes one PaymentIntent for an attempt charged twice, the second answer a replay of the first", async () => {
    const request = chargeWith("pm_card_visa");
    const first = await gateway().charge(request);
    const again = await gateway().charge(request);
    const decline = chargeWith("pm_card_chargeDeclined");
    const declined = await gateway().charge(decline);
    const declinedAgain = await gateway().charge(decline);

    expect(again).toEqual(first);
    expect(declinedAgain).toEqual(declined);
    expect(standIn.intents).toHaveLength(2);
    expect(intentsMade().map((r) => [r.idempotencyKey, r.replayed])).toEqual([
      [`pi:${request.idempotencyKey}`, false],
      [`pi:${request.idempotencyKey}`, true],
      [`pi:${decline.idempotencyKey}`, false],
      [`pi:${decline.idempotencyKey}`, true],
    ]);
  });

  it("turns an answer that never comes into an unknown outcome; retrieve then finds the intent, and refund gives it back once", async () => {
    const request = chargeWith("pm_card_visa");
    standIn.hangNext();

    const error = await gateway(250)
      .charge(request)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PaymentOutcomeUnknown);
    expect((error as PaymentOutcomeUnknown).kind).toBe("timeout");
    await vi.waitFor(() => expect(standIn.hanging).toBe(0));
    expect(standIn.intents).toHaveLength(1);

    const found = await gateway().retrieve(request.idempotencyKey);
    expect(found).toMatchObject({
      status: "succeeded",
      paymentId: standIn.intents[0]?.id,
      card: { brand: "visa", last4: "4242" },
    });

    const refundRequest = {
      idempotencyKey: `refund:${request.idempotencyKey}`,
      chargeIdempotencyKey: request.idempotencyKey,
    };
    const refund = await gateway().refund(refundRequest);
    const refundAgain = await gateway().refund(refundRequest);
    // A refund under another key (a cancellation racing the settlement) finds the same one.
    const otherKey = await gateway().refund({ ...refundRequest, idempotencyKey: "refund:other" });

    expect(refund).toEqual({ status: "refunded", refundId: expect.stringMatching(/^re_/) });
    expect(refundAgain).toEqual(refund);
    expect(otherKey).toEqual(refund);
    expect(standIn.refunds).toHaveLength(1);
    expect(standIn.charges[0]).toMatchObject({ refunded: true, amount_refunded: 2_500 });
    const refundPosts = standIn.requests.filter(
      (r) => r.path === "/v1/refunds" && r.method === "POST",
    );
    expect(refundPosts.map((r) => [r.idempotencyKey, r.status, r.replayed])).toEqual([
      [`re:refund:${request.idempotencyKey}`, 200, false],
      [`re:refund:${request.idempotencyKey}`, 200, true],
      ["re:refund:other", 400, false],
    ]);
  });

  it("finds an intent that Stripe's search has not indexed yet through the list of recent intents", async () => {
    standIn.searchLagMs = 60_000;
    const request = chargeWith("pm_card_visa");
    standIn.hangNext();
    await expect(gateway(250).charge(request)).rejects.toBeInstanceOf(PaymentOutcomeUnknown);

    const found = await gateway().retrieve(request.idempotencyKey);

    expect(found).toMatchObject({ status: "succeeded", paymentId: standIn.intents[0]?.id });
    const reads = standIn.requests.filter((r) => r.method === "GET").map((r) => r.path);
    expect(reads).toEqual(["/v1/payment_intents/search", "/v1/payment_intents"]);
    expect(standIn.requests.at(-1)?.params).toMatchObject({
      created: { gte: expect.stringMatching(/^\d+$/) },
      expand: ["data.latest_charge"],
    });
  });

  it("finds a recent intent through the list when the account has no search (Stripe: merchants in India)", async () => {
    standIn.searchUnavailable = true;
    const request = chargeWith("pm_card_visa");
    await gateway().charge(request);

    const refund = await gateway().refund({
      idempotencyKey: `refund:${request.idempotencyKey}`,
      chargeIdempotencyKey: request.idempotencyKey,
    });

    expect(refund.status).toBe("refunded");
    expect(
      standIn.requests.filter((r) => r.method === "GET").map((r) => [r.path, r.status]),
    ).toEqual([
      ["/v1/payment_intents/search", 400],
      ["/v1/payment_intents", 200],
    ]);
  });

  it("answers undefined and no_charge for an attempt that made no PaymentIntent, even one whose request was lost", async () => {
    const never = chargeWith("pm_card_visa");
    const lost = chargeWith("pm_card_visa");
    standIn.hangNext({ beforeProcessing: true });
    await expect(gateway(250).charge(lost)).rejects.toBeInstanceOf(PaymentOutcomeUnknown);

    for (const request of [never, lost]) {
      expect(await gateway().retrieve(request.idempotencyKey)).toBeUndefined();
      expect(
        await gateway().refund({
          idempotencyKey: `refund:${request.idempotencyKey}`,
          chargeIdempotencyKey: request.idempotencyKey,
        }),
      ).toEqual({ status: "no_charge" });
    }
    expect(standIn.intents).toHaveLength(0);
    expect(standIn.refunds).toHaveLength(0);
  });

  it("turns an error after the intent was made into an unknown outcome, replayed under the same key, and the refund settles it", async () => {
    const request = chargeWith("pm_card_visa");
    standIn.failNext(500, { afterProcessing: true });

    const error = await gateway()
      .charge(request)
      .catch((err: unknown) => err);
    const retried = await gateway()
      .charge(request)
      .catch((err: unknown) => err);

    expect(error).toBeInstanceOf(PaymentOutcomeUnknown);
    expect((error as PaymentOutcomeUnknown).kind).toBe("provider_error");
    // Stripe keeps a 500 under the key once the endpoint has started: the retry gets it too.
    expect((retried as PaymentOutcomeUnknown).kind).toBe("provider_error");
    expect(standIn.intents).toHaveLength(1);
    const refund = await gateway().refund({
      idempotencyKey: `refund:${request.idempotencyKey}`,
      chargeIdempotencyKey: request.idempotencyKey,
    });
    expect(refund.status).toBe("refunded");
  });

  it("turns a 5xx before anything was made, and a lost connection, into unknown outcomes", async () => {
    standIn.failNext(503);
    const unavailable = await gateway()
      .charge(chargeWith("pm_card_visa"))
      .catch((err: unknown) => err);
    standIn.failNext("network");
    const cut = await gateway()
      .charge(chargeWith("pm_card_visa"))
      .catch((err: unknown) => err);

    for (const error of [unavailable, cut]) {
      expect(error).toBeInstanceOf(PaymentOutcomeUnknown);
      expect((error as PaymentOutcomeUnknown).kind).toBe("provider_error");
    }
    expect(standIn.intents).toHaveLength(0);
  });

  it("cancels an intent left waiting for 3-D Secure when its attempt is refunded, so it can never charge", async () => {
    const request = chargeWith("pm_card_threeDSecure2Required");
    const outcome = await gateway().charge(request);
    expect(outcome.status).toBe("requires_action");
    const refundRequest = {
      idempotencyKey: `refund:${request.idempotencyKey}`,
      chargeIdempotencyKey: request.idempotencyKey,
    };

    expect(await gateway().refund(refundRequest)).toEqual({ status: "no_charge" });
    expect(await gateway().refund(refundRequest)).toEqual({ status: "no_charge" });

    expect(standIn.intents[0]).toMatchObject({
      status: "canceled",
      cancellation_reason: "abandoned",
    });
    const cancels = standIn.requests.filter((r) => r.path.endsWith("/cancel"));
    expect(cancels.map((r) => r.idempotencyKey)).toEqual([`ca:refund:${request.idempotencyKey}`]);
    expect(await gateway().retrieve(request.idempotencyKey)).toMatchObject({
      status: "declined",
      reason: "canceled",
      card: null,
    });
    expect(() => standIn.completeAction(standIn.intents[0]?.id ?? "")).toThrow(/not waiting/);
  });

  it("reads the intent by its id when the payment id is known, with no search", async () => {
    const request = chargeWith("pm_card_threeDSecure2Required");
    const outcome = await gateway().charge(request);
    if (outcome.status !== "requires_action") throw new Error(`unexpected ${outcome.status}`);
    standIn.completeAction(outcome.paymentId);

    const found = await gateway().retrieve(request.idempotencyKey, outcome.paymentId);
    const refund = await gateway().refund({
      idempotencyKey: `refund:${request.reference}`,
      chargeIdempotencyKey: request.idempotencyKey,
      paymentId: outcome.paymentId,
    });

    expect(found).toMatchObject({
      status: "succeeded",
      paymentId: outcome.paymentId,
      card: { brand: "visa", last4: "3220" },
    });
    expect(refund.status).toBe("refunded");
    expect(standIn.requests.filter((r) => r.method === "GET").map((r) => r.path)).toEqual([
      `/v1/payment_intents/${outcome.paymentId}`,
      `/v1/payment_intents/${outcome.paymentId}`,
    ]);
    expect(await gateway().retrieve("never-made", "pi_doesnotexist")).toBeUndefined();
  });

  it("declines a PaymentMethod id Stripe does not know, and makes nothing", async () => {
    const outcome = await gateway().charge(chargeWith("pm_made_up_by_a_buyer"));

    expect(outcome).toEqual({
      status: "declined",
      reason: "resource_missing",
      declineCode: undefined,
      card: null,
    });
    expect(standIn.intents).toHaveLength(0);
  });
});

describe("the Stripe stand-in", () => {
  const form = (
    path: string,
    body: Record<string, string>,
    key?: string,
    secret = STAND_IN_SECRET_KEY,
  ) =>
    fetch(`${STAND_IN_ORIGIN}${path}`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${secret}`,
        "Content-Type": "application/x-www-form-urlencoded",
        ...(key ? { "Idempotency-Key": key } : {}),
      },
      body: new URLSearchParams(body),
    });
  const intent = {
    amount: "1000",
    currency: "usd",
    payment_method: "pm_card_visa",
    confirm: "true",
    "allowed_payment_method_types[0]": "card",
  };
  const errorOf = async (res: Response) =>
    ((await res.json()) as { error: Record<string, unknown> }).error;

  it("refuses payment_method_types, which the pinned API version no longer takes", async () => {
    const { "allowed_payment_method_types[0]": _, ...rest } = intent;
    const res = await form("/v1/payment_intents", { ...rest, "payment_method_types[0]": "card" });

    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({
      type: "invalid_request_error",
      code: "payment_method_types_no_longer_supported",
      param: "payment_method_types",
    });
    expect(standIn.intents).toHaveLength(0);
  });

  it("refuses a parameter its API description does not know, and a required one left out", async () => {
    const unknown = await form("/v1/payment_intents", { ...intent, colour: "blue" });
    const { amount: _, ...noAmount } = intent;
    const missing = await form("/v1/payment_intents", noAmount);
    const upper = await form("/v1/payment_intents", { ...intent, currency: "USD" });

    expect(await errorOf(unknown)).toMatchObject({ code: "parameter_unknown", param: "colour" });
    expect(await errorOf(missing)).toMatchObject({ code: "parameter_missing", param: "amount" });
    expect(await errorOf(upper)).toMatchObject({ param: "currency" });
    expect([unknown.status, missing.status, upper.status]).toEqual([400, 400, 400]);
  });

  it("refuses an Idempotency-Key reused with other parameters or on another endpoint", async () => {
    const first = await form("/v1/payment_intents", intent, "pi:probe");
    const replay = await form("/v1/payment_intents", intent, "pi:probe");
    const otherAmount = await form(
      "/v1/payment_intents",
      { ...intent, amount: "2000" },
      "pi:probe",
    );
    const paid = (await first.json()) as { id: string };
    const otherEndpoint = await form("/v1/refunds", { payment_intent: paid.id }, "pi:probe");

    expect(first.status).toBe(200);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(((await replay.json()) as { id: string }).id).toBe(paid.id);
    expect(await errorOf(otherAmount)).toMatchObject({ type: "idempotency_error" });
    expect(await errorOf(otherEndpoint)).toMatchObject({ type: "idempotency_error" });
    expect(standIn.intents).toHaveLength(1);
    expect(standIn.refunds).toHaveLength(0);
  });

  it("refuses a request without the right secret key, and a second full refund", async () => {
    const wrongKey = await form("/v1/payment_intents", intent, undefined, "sk_test_someone_else");
    const paid = (await (await form("/v1/payment_intents", intent)).json()) as { id: string };
    const refunded = await form("/v1/refunds", { payment_intent: paid.id }, "re:one");
    const again = await form("/v1/refunds", { payment_intent: paid.id }, "re:two");

    expect(wrongKey.status).toBe(401);
    expect(refunded.status).toBe(200);
    expect(again.status).toBe(400);
    expect(await errorOf(again)).toMatchObject({ code: "charge_already_refunded" });
  });
});
