import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { simulatorStub } from "../src/contract/object-stubs.ts";
import { SimulatedGateway } from "../src/payments/simulated-gateway.ts";
import { card, ledger, newKey } from "./support/helpers.ts";
import { cancellationRefund, resaleRefund } from "./support/refund-requests.ts";

/**
 * Partial refunds by the simulated provider (src/payments/payment-simulator.ts), through its
 * gateway: what a resale does to the seller's charge (one seat's price back, under a key
 * of its own), and what a later cancellation gives back (the rest).
 */

const simulator = () => simulatorStub(env);
const gateway = () => new SimulatedGateway(simulator(), 5_000);

/** A succeeded charge of `amountMinor` under a fresh key: that key. */
async function paid(amountMinor = 3_000): Promise<string> {
  const chargeKey = newKey();
  const outcome = await simulator().charge({
    idempotencyKey: chargeKey,
    amountMinor,
    currency: "INR",
    card: card(),
    reference: `booking_${chargeKey}`,
    stallMs: 0,
  });
  expect(outcome.status).toBe("succeeded");
  return chargeKey;
}

async function chargeOf(chargeKey: string) {
  const charge = (await ledger()).find((c) => c.idempotency_key === chargeKey);
  if (!charge) throw new Error(`no charge under ${chargeKey}`);
  return charge;
}

async function refundsOf(chargeKey: string) {
  const { payment_id } = await chargeOf(chargeKey);
  return (await simulator().refunds()).filter((r) => r.payment_id === payment_id);
}

describe("a partial refund by the simulated provider", () => {
  it("gives back the amount asked and leaves the charge succeeded with the rest", async () => {
    const chargeKey = await paid(3_000);

    const outcome = await gateway().refund(resaleRefund(chargeKey, 1, 1_000));

    expect(outcome).toEqual({ status: "refunded", refundId: expect.stringMatching(/^re_/) });
    expect(await chargeOf(chargeKey)).toMatchObject({
      status: "succeeded",
      amount_minor: 3_000,
      refunded_minor: 1_000,
      refunded_at: null,
    });
    expect(await refundsOf(chargeKey)).toEqual([
      {
        refund_id: outcome.status === "refunded" ? outcome.refundId : "",
        idempotency_key: `resale:${chargeKey}:1`,
        payment_id: expect.stringMatching(/^pay_/),
        amount_minor: 1_000,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
  });

  it("answers a key asked again with its first refund, and gives nothing more", async () => {
    const chargeKey = await paid(3_000);
    const request = resaleRefund(chargeKey, 1, 1_000);

    const first = await gateway().refund(request);
    const again = await gateway().refund(request);

    expect(again).toEqual(first);
    expect(await refundsOf(chargeKey)).toHaveLength(1);
    expect((await chargeOf(chargeKey)).refunded_minor).toBe(1_000);
  });

  it("gives back only what is left when a later refund names no amount (a cancellation)", async () => {
    const chargeKey = await paid(3_000);
    await gateway().refund(resaleRefund(chargeKey, 1, 1_000));

    const rest = await gateway().refund(cancellationRefund(chargeKey));

    expect(rest.status).toBe("refunded");
    expect((await refundsOf(chargeKey)).map((r) => r.amount_minor)).toEqual([1_000, 2_000]);
    expect(await chargeOf(chargeKey)).toMatchObject({
      status: "refunded",
      refunded_minor: 3_000,
      refunded_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it("marks the charge refunded once partial refunds add up to all of it", async () => {
    const chargeKey = await paid(3_000);
    for (const seat of [1, 2]) {
      await gateway().refund(resaleRefund(chargeKey, seat, 1_500));
      expect((await chargeOf(chargeKey)).status).toBe(seat === 1 ? "succeeded" : "refunded");
    }

    // Nothing is left: a cancellation's refund finds nothing to give back, as before.
    const after = await gateway().refund(cancellationRefund(chargeKey));

    expect(after).toEqual({ status: "no_charge" });
    expect(await chargeOf(chargeKey)).toMatchObject({ status: "refunded", refunded_minor: 3_000 });
    expect(await refundsOf(chargeKey)).toHaveLength(2);
  });

  it("refuses more than the charge still holds, gives nothing back and keeps nothing under the key", async () => {
    const chargeKey = await paid(3_000);
    await gateway().refund(resaleRefund(chargeKey, 1, 2_000));
    const tooMuch = resaleRefund(chargeKey, 2, 1_500);

    await expect(gateway().refund(tooMuch)).rejects.toThrow(/1500 is more than the 1000 left/);

    expect(await chargeOf(chargeKey)).toMatchObject({ status: "succeeded", refunded_minor: 2_000 });
    expect(await refundsOf(chargeKey)).toHaveLength(1);
    // The key kept nothing: asked again for what is left, it refunds.
    const fixed = await gateway().refund({ ...tooMuch, amountMinor: 1_000 });
    expect(fixed.status).toBe("refunded");
    expect((await chargeOf(chargeKey)).status).toBe("refunded");
  });

  it("refuses a key asked again for another amount, and an amount that is not a whole number above 0", async () => {
    const chargeKey = await paid(3_000);
    const request = resaleRefund(chargeKey, 1, 1_000);
    await gateway().refund(request);

    await expect(gateway().refund({ ...request, amountMinor: 500 })).rejects.toThrow(
      /gave back 1000, and is asked again for 500/,
    );
    for (const amountMinor of [0, -100, 10.5]) {
      await expect(
        gateway().refund({ ...request, idempotencyKey: newKey(), amountMinor }),
      ).rejects.toThrow(/whole number of minor units above 0/);
    }
    expect((await chargeOf(chargeKey)).refunded_minor).toBe(1_000);
  });
});
