import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StripeRequestRefused } from "../src/payments/stripe-errors.ts";
import { cancellationRefund, resaleRefund } from "./support/refund-requests.ts";
import { answerFetchesWith } from "./support/stand-in-fetch.ts";
import { stripeStandInGateway } from "./support/stand-in-gateways.ts";
import { StripeStandIn } from "./support/stripe-stand-in.ts";

/**
 * Partial refunds through the Stripe gateway (src/payments/stripe-gateway.ts), against the
 * stand-in: a resold seat's price back to the seller, under a key of its own, and the rest
 * later (a cancellation of the seller's booking).
 */

let standIn: StripeStandIn;

beforeEach(() => {
  standIn = new StripeStandIn();
  answerFetchesWith(standIn);
});

afterEach(() => {
  // Every request fitted our description of Stripe's API (an `amount` included).
  for (const request of standIn.requests) {
    expect(request.refused, `${request.method} ${request.path}`).toBeNull();
  }
});

const gateway = () => stripeStandInGateway();

/** A paid attempt of 3,000 (a booking of two seats): its key. */
async function paid(): Promise<string> {
  const attemptKey = `bk_${crypto.randomUUID().slice(0, 8)}:1`;
  const outcome = await gateway().charge({
    idempotencyKey: attemptKey,
    amountMinor: 3_000,
    currency: "INR",
    method: { kind: "token", provider: "stripe", token: "pm_card_visa" },
    reference: attemptKey.split(":")[0] ?? "",
  });
  expect(outcome.status).toBe("succeeded");
  return attemptKey;
}

const refundPosts = () =>
  standIn.requests.filter((r) => r.method === "POST" && r.path === "/v1/refunds");

describe("a partial refund through the Stripe gateway", () => {
  it("sends the amount to Stripe, which gives back that much and leaves the rest charged", async () => {
    const attemptKey = await paid();

    const outcome = await gateway().refund(resaleRefund(attemptKey, 1, 1_000));

    expect(outcome).toEqual({ status: "refunded", refundId: standIn.refunds[0]?.id });
    expect(refundPosts().map((r) => [r.idempotencyKey, r.params])).toEqual([
      [
        `re:resale:${attemptKey}:1`,
        {
          payment_intent: standIn.intents[0]?.id,
          amount: "1000",
          metadata: { refund_key: `resale:${attemptKey}:1` },
        },
      ],
    ]);
    expect(standIn.charges[0]).toMatchObject({ amount_refunded: 1_000, refunded: false });
    expect(standIn.intents[0]?.status).toBe("succeeded");
  });

  it("makes two partial refunds and then the rest, each once however often it is asked", async () => {
    const attemptKey = await paid();
    const cancellation = cancellationRefund(attemptKey);

    const first = await gateway().refund(resaleRefund(attemptKey, 1, 1_000));
    const second = await gateway().refund(resaleRefund(attemptKey, 2, 500));
    const rest = await gateway().refund(cancellation);
    const answersAgain = [
      await gateway().refund(resaleRefund(attemptKey, 1, 1_000)),
      await gateway().refund(resaleRefund(attemptKey, 2, 500)),
      await gateway().refund(cancellation),
    ];

    expect(answersAgain).toEqual([first, second, rest]);
    expect(standIn.refunds.map((r) => r.amount)).toEqual([1_000, 500, 1_500]);
    expect(
      new Set([first, second, rest].map((o) => o.status === "refunded" && o.refundId)).size,
    ).toBe(3);
    expect(standIn.charges[0]).toMatchObject({ amount_refunded: 3_000, refunded: true });
    // The refund of the rest is the request made before partial refunds: no amount, no
    // metadata.
    expect(
      refundPosts().find((r) => r.idempotencyKey === `re:refund:${attemptKey}`)?.params,
    ).toEqual({
      payment_intent: standIn.intents[0]?.id,
    });
  });

  it("refuses more than is left of the charge with Stripe's amount_too_large, giving nothing back", async () => {
    const attemptKey = await paid();
    await gateway().refund(resaleRefund(attemptKey, 1, 2_000));

    const error = await gateway()
      .refund(resaleRefund(attemptKey, 2, 1_500))
      .catch((err: unknown) => err);

    expect(error).toBeInstanceOf(StripeRequestRefused);
    expect(error).toMatchObject({ statusCode: 400, code: "amount_too_large" });
    expect(standIn.refunds).toHaveLength(1);
    expect(standIn.charges[0]?.amount_refunded).toBe(2_000);
  });

  it("does not refund a seat twice when its key is asked again after Stripe has forgotten it", async () => {
    const attemptKey = await paid();
    const first = await gateway().refund(resaleRefund(attemptKey, 1, 1_000));
    standIn.forgetIdempotencyKeys();

    const late = await gateway().refund(resaleRefund(attemptKey, 1, 1_000));

    expect(late).toEqual(first);
    expect(standIn.refunds).toHaveLength(1);
    expect(refundPosts()).toHaveLength(1);
    // The same key for another amount is a bug of the caller's: thrown, nothing given.
    await expect(gateway().refund(resaleRefund(attemptKey, 1, 700))).rejects.toThrow(
      /gave back 1000, and is asked again for 700/,
    );
    expect(standIn.refunds).toHaveLength(1);
  });

  it("answers a partial refund of a charge refunded in full already with the earlier refund", async () => {
    const attemptKey = await paid();
    const full = await gateway().refund(cancellationRefund(attemptKey));

    const late = await gateway().refund(resaleRefund(attemptKey, 1, 1_000));

    expect(late).toEqual(full);
    expect(standIn.refunds).toHaveLength(1);
    expect(refundPosts().at(-1)?.status).toBe(400);
  });
});
