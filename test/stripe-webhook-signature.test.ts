import { describe, expect, it } from "vitest";
import { verifyStripeEvent } from "../src/payments/stripe-webhook.ts";
import { StripeStandIn } from "./support/stripe-stand-in.ts";

/**
 * Stripe's webhook signatures (src/payments/stripe-webhook.ts), checked with events the
 * stand-in signs on its own (Web Crypto, not the stripe package): `Stripe-Signature:
 * t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, 5 minutes of tolerance.
 */

const standIn = new StripeStandIn();
const secret = standIn.webhookSecret;
const paid = {
  id: "pi_3Test",
  object: "payment_intent",
  status: "succeeded",
  metadata: { booking_id: "bk_1", attempt_key: "bk_1:1" },
};

describe("Stripe webhook signatures", () => {
  it("take an event signed with the endpoint's secret, and give back its id, type, time and object", async () => {
    const { body, header, event } = await standIn.signedEvent("payment_intent.succeeded", paid);

    const verdict = await verifyStripeEvent(body, header, secret);

    expect(verdict).toEqual({
      ok: true,
      event: {
        id: event.id,
        type: "payment_intent.succeeded",
        created: event.created,
        data: { object: paid },
      },
    });
  });

  it("refuse a signature made with another secret, and a body changed after signing", async () => {
    const forged = await standIn.signedEvent("payment_intent.succeeded", paid, {
      secret: "whsec_not_the_endpoints_secret",
    });
    const genuine = await standIn.signedEvent("payment_intent.succeeded", paid);
    // The same event, about another booking.
    const altered = genuine.body.replace('"booking_id":"bk_1"', '"booking_id":"bk_2"');

    const verdicts = [
      await verifyStripeEvent(forged.body, forged.header, secret),
      await verifyStripeEvent(altered, genuine.header, secret),
    ];

    for (const verdict of verdicts) {
      expect(verdict).toEqual({ ok: false, reason: "the signature does not match the body" });
    }
    expect(altered).not.toBe(genuine.body);
  });

  it("refuse an event without a Stripe-Signature header, or with one that has no v1 signature", async () => {
    const { body, header } = await standIn.signedEvent("payment_intent.succeeded", paid);
    const timestampOnly = header.split(",")[0] ?? "";

    expect(await verifyStripeEvent(body, null, secret)).toEqual({
      ok: false,
      reason: "the Stripe-Signature header is missing",
    });
    expect(await verifyStripeEvent(body, "", secret)).toMatchObject({ ok: false });
    expect(await verifyStripeEvent(body, timestampOnly, secret)).toEqual({
      ok: false,
      reason: "the Stripe-Signature header is malformed (no t= or v1=)",
    });
  });

  it("refuse a signature older than five minutes, and take one just inside them", async () => {
    const now = Math.floor(Date.now() / 1000);
    const stale = await standIn.signedEvent("charge.refunded", paid, { timestamp: now - 301 });
    const recent = await standIn.signedEvent("charge.refunded", paid, { timestamp: now - 299 });

    expect(await verifyStripeEvent(stale.body, stale.header, secret, now)).toEqual({
      ok: false,
      reason: "the signature is older than 5 minutes",
    });
    expect(await verifyStripeEvent(recent.body, recent.header, secret, now)).toMatchObject({
      ok: true,
    });
    // The clock is the caller's: the stale event verified at its own time is fine.
    expect(await verifyStripeEvent(stale.body, stale.header, secret, now - 301)).toMatchObject({
      ok: true,
    });
  });

  it("name no part of the secret in a refusal", async () => {
    const { body } = await standIn.signedEvent("payment_intent.succeeded", paid);
    // Stripe's header may carry the expected secret's masked form; its error message then
    // quotes the length and last four characters of the secret we tried.
    const header = `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)},secret=whsec_****abcd`;

    const verdict = await verifyStripeEvent(body, header, secret);

    expect(verdict).toEqual({ ok: false, reason: "the signature does not match the body" });
  });
});
