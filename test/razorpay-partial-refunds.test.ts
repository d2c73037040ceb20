import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RazorpayRequestRefused } from "../src/payments/razorpay-api.ts";
import { RazorpayStandIn } from "./support/razorpay-stand-in.ts";
import { cancellationRefund, resaleRefund } from "./support/refund-requests.ts";
import { answerFetchesWith } from "./support/stand-in-fetch.ts";
import { razorpayStandInGateway } from "./support/stand-in-gateways.ts";

/**
 * Partial refunds through the Razorpay gateway (src/payments/razorpay-gateway.ts), against
 * the stand-in: a resold seat's price back to the seller, in paise, under a key of its own,
 * and the rest later (a cancellation of the seller's booking).
 */

let standIn: RazorpayStandIn;

beforeEach(() => {
  standIn = new RazorpayStandIn();
  answerFetchesWith(standIn);
});

afterEach(() => {
  standIn.release();
});

const gateway = () => razorpayStandInGateway();

/** An attempt of ₹30 (a booking of two seats), paid in Checkout: its key. */
async function paid(): Promise<string> {
  const attemptKey = `bk_${crypto.randomUUID()}:attempt:1`;
  const outcome = await gateway().charge({
    idempotencyKey: attemptKey,
    amountMinor: 3_000,
    currency: "INR",
    method: { kind: "checkout", provider: "razorpay" },
    reference: attemptKey.split(":")[0] ?? "",
  });
  if (outcome.status !== "requires_action") throw new Error(`unexpected ${outcome.status}`);
  standIn.pay(outcome.paymentId, { result: "captured" });
  return attemptKey;
}

const refundPosts = () =>
  standIn.requests.filter((r) => r.method === "POST" && r.path.endsWith("/refund"));

describe("a partial refund through the Razorpay gateway", () => {
  it("sends the amount in paise, and the payment is left captured and partly refunded", async () => {
    const attemptKey = await paid();

    const outcome = await gateway().refund(resaleRefund(attemptKey, 1, 1_000));

    expect(outcome).toEqual({ status: "refunded", refundId: standIn.refunds[0]?.id });
    expect(refundPosts().map((r) => r.body)).toEqual([
      { amount: 1_000, notes: { refund_key: `resale:${attemptKey}:1` } },
    ]);
    expect(standIn.refunds[0]).toMatchObject({
      amount: 1_000,
      notes: { refund_key: `resale:${attemptKey}:1` },
    });
    expect(standIn.payments[0]).toMatchObject({
      status: "captured",
      amount_refunded: 1_000,
      refund_status: "partial",
    });
  });

  it("makes two partial refunds and then the rest, each once however often it is asked", async () => {
    const attemptKey = await paid();
    const cancellation = cancellationRefund(attemptKey);

    const first = await gateway().refund(resaleRefund(attemptKey, 1, 1_000));
    const second = await gateway().refund(resaleRefund(attemptKey, 2, 500));
    // Partly refunded: the rest can still be refunded.
    expect(standIn.payments[0]?.refund_status).toBe("partial");
    const rest = await gateway().refund(cancellation);
    const answersAgain = [
      await gateway().refund(resaleRefund(attemptKey, 1, 1_000)),
      await gateway().refund(resaleRefund(attemptKey, 2, 500)),
      await gateway().refund(cancellation),
    ];

    expect(answersAgain).toEqual([first, second, rest]);
    expect(standIn.refunds.map((r) => r.amount)).toEqual([1_000, 500, 1_500]);
    expect(standIn.payments[0]).toMatchObject({
      status: "refunded",
      amount_refunded: 3_000,
      refund_status: "full",
    });
    expect(refundPosts().filter((r) => r.status === 200)).toHaveLength(3);
  });

  it("refuses more than is left of the payment, giving nothing back", async () => {
    const attemptKey = await paid();
    await gateway().refund(resaleRefund(attemptKey, 1, 2_000));

    const error = await gateway()
      .refund(resaleRefund(attemptKey, 2, 1_500))
      .catch((err: unknown) => err);

    expect(error).toBeInstanceOf(RazorpayRequestRefused);
    expect((error as RazorpayRequestRefused).description).toMatch(/greater than amount captured/);
    expect(standIn.refunds).toHaveLength(1);
    expect(standIn.payments[0]?.amount_refunded).toBe(2_000);
  });

  it("does not refund a seat twice when its key is asked again after Razorpay has let it go", async () => {
    const attemptKey = await paid();
    const first = await gateway().refund(resaleRefund(attemptKey, 1, 1_000));
    standIn.forgetIdempotencyKeys();

    const late = await gateway().refund(resaleRefund(attemptKey, 1, 1_000));

    expect(late).toEqual(first);
    expect(standIn.refunds).toHaveLength(1);
    expect(refundPosts()).toHaveLength(1);
  });

  it("answers a partial refund of a payment refunded in full already with the earlier refund", async () => {
    const attemptKey = await paid();
    const full = await gateway().refund(cancellationRefund(attemptKey));

    const late = await gateway().refund(resaleRefund(attemptKey, 1, 1_000));

    expect(late).toEqual(full);
    expect(standIn.refunds).toHaveLength(1);
  });
});
