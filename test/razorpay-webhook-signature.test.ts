import { describe, expect, it } from "vitest";
import { verifyRazorpayEvent } from "../src/payments/razorpay-webhook.ts";
import { RazorpayStandIn } from "./support/razorpay-stand-in.ts";

/**
 * Razorpay's webhook signatures (src/payments/razorpay-webhook.ts), checked with events the
 * stand-in signs on its own: `X-Razorpay-Signature` = hex HMAC-SHA256 of the raw body with
 * the webhook secret, and `X-Razorpay-Event-Id` naming the event.
 */

const standIn = new RazorpayStandIn();
const secret = standIn.webhookSecret;

/** Entities as Razorpay's payloads show them (payment.captured, order.paid). */
const payment = {
  id: "pay_StandInPay0001",
  entity: "payment",
  amount: 2_500,
  currency: "INR",
  status: "captured",
  order_id: "order_StandInOrd001",
  method: "card",
  captured: true,
  notes: [],
  card: { last4: "1111", network: "Visa" },
  created_at: 1_767_000_000,
};
const order = {
  id: "order_StandInOrd001",
  entity: "order",
  amount: 2_500,
  status: "paid",
  receipt: "at_0123",
  notes: { booking_id: "bk_1", attempt_key: "bk_1:1" },
  created_at: 1_767_000_000,
};

const headersOf = (signed: { headers: Record<string, string> }) => ({
  signature: signed.headers["X-Razorpay-Signature"] ?? null,
  eventId: signed.headers["X-Razorpay-Event-Id"] ?? null,
});

describe("Razorpay webhook signatures", () => {
  it("take an event signed with the webhook secret, and give back its id, type, payment, order and notes", async () => {
    const signed = await standIn.signedEvent("order.paid", { payment, order });
    const { signature, eventId } = headersOf(signed);

    const verdict = await verifyRazorpayEvent(signed.body, signature, eventId, secret);

    expect(verdict).toEqual({
      ok: true,
      event: {
        id: signed.eventId,
        type: "order.paid",
        paymentId: "pay_StandInPay0001",
        orderId: "order_StandInOrd001",
        notes: { booking_id: "bk_1", attempt_key: "bk_1:1" },
      },
    });
  });

  it("take a payment event, whose order is named by the payment and whose notes may be empty", async () => {
    const signed = await standIn.signedEvent("payment.failed", {
      payment: { ...payment, status: "failed", captured: false },
    });
    const { signature, eventId } = headersOf(signed);

    const verdict = await verifyRazorpayEvent(signed.body, signature, eventId, secret);

    expect(verdict).toMatchObject({
      ok: true,
      event: { type: "payment.failed", paymentId: payment.id, orderId: order.id, notes: {} },
    });
  });

  it("refuse a signature made with another secret, and a body changed after signing", async () => {
    const forged = await standIn.signedEvent("order.paid", { order }, { secret: "someone_else" });
    const genuine = await standIn.signedEvent("order.paid", { order });
    // The same event, about another booking.
    const altered = genuine.body.replace('"booking_id":"bk_1"', '"booking_id":"bk_2"');

    const verify = (body: string, signed: typeof genuine) => {
      const { signature, eventId } = headersOf(signed);
      return verifyRazorpayEvent(body, signature, eventId, secret);
    };
    const verdicts = [await verify(forged.body, forged), await verify(altered, genuine)];

    expect(altered).not.toBe(genuine.body);
    for (const verdict of verdicts) {
      expect(verdict).toEqual({ ok: false, reason: "the signature does not match the body" });
    }
  });

  it("refuse an event without a signature header, or with one that is not a hex HMAC-SHA256", async () => {
    const signed = await standIn.signedEvent("order.paid", { order });
    const { signature, eventId } = headersOf(signed);

    expect(await verifyRazorpayEvent(signed.body, null, eventId, secret)).toEqual({
      ok: false,
      reason: "the X-Razorpay-Signature header is missing",
    });
    expect(await verifyRazorpayEvent(signed.body, "", eventId, secret)).toMatchObject({
      ok: false,
    });
    for (const malformed of [signature?.slice(0, 40), `${signature?.slice(0, 62)}zz`]) {
      expect(await verifyRazorpayEvent(signed.body, malformed ?? null, eventId, secret)).toEqual({
        ok: false,
        reason: "the X-Razorpay-Signature header is not a hex HMAC-SHA256",
      });
    }
  });

  it("name an event without an id header by the hash of its body: the same for a redelivery, another for another event", async () => {
    const first = await standIn.signedEvent("order.paid", { order });
    const other = await standIn.signedEvent("payment.captured", { payment });
    const verify = (signed: typeof first) =>
      verifyRazorpayEvent(signed.body, headersOf(signed).signature, null, secret);

    const [once, again, another] = [await verify(first), await verify(first), await verify(other)];

    if (!once.ok || !again.ok || !another.ok) throw new Error("expected verified events");
    expect(once.event.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(again.event.id).toBe(once.event.id);
    expect(another.event.id).not.toBe(once.event.id);
  });

  it("refuse a signed body that is not a Razorpay event, and name no part of the secret in any refusal", async () => {
    const notAnEvent = JSON.stringify({ hello: "world" });
    const { body } = await standIn.signedEvent("order.paid", { order });
    const verdicts = [
      await verifyRazorpayEvent(notAnEvent, await hmacHex(secret, notAnEvent), null, secret),
      await verifyRazorpayEvent(body, "0".repeat(64), null, secret),
      await verifyRazorpayEvent(body, "not hex", null, secret),
      await verifyRazorpayEvent(body, "0".repeat(64), null, ""),
    ];

    expect(verdicts.map((v) => !v.ok && v.reason)).toEqual([
      "the signed body is not a Razorpay event",
      "the signature does not match the body",
      "the X-Razorpay-Signature header is not a hex HMAC-SHA256",
      "no webhook secret is configured",
    ]);
    for (const verdict of verdicts) {
      expect(JSON.stringify(verdict)).not.toContain(secret);
      expect(JSON.stringify(verdict)).not.toContain(secret.slice(-8));
    }
  });
});

async function hmacHex(key: string, content: string): Promise<string> {
  const hmacKey = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", hmacKey, new TextEncoder().encode(content));
  return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
}
