import { eq } from "drizzle-orm";
import { z } from "zod";
import type { ProviderEvent } from "../contract/provider-events.ts";
import { showIdOf } from "../contract/scoped-ids.ts";
import { database } from "../db/database.ts";
import { payments } from "../db/schema.ts";
import { ApiError, invalidInput, notFound } from "../http/api-error.ts";
import { logLine } from "../observability/log.ts";
import { apiRoute, apiRouter, jsonAnswer } from "../openapi/api-route.ts";
import { notesOf, RazorpayClient, type RazorpayOrder } from "../payments/razorpay-api.ts";
import { type RazorpayConfig, razorpayConfig } from "../payments/razorpay-config.ts";
import { verifyRazorpayEvent } from "../payments/razorpay-webhook.ts";
import { paymentTimeoutMs } from "../payments/select-gateway.ts";
import { stripeConfig } from "../payments/stripe-config.ts";
import { verifyStripeEvent } from "../payments/stripe-webhook.ts";
import { type ShowClient, showClient } from "../show-client/show-client.ts";

/**
 * The payment providers' webhook events (Stripe's, Razorpay's): the raw body's signature
 * is verified, then the event goes to the show object of the booking it is about, which
 * records it once by its id and asks the provider about the payment when the event says
 * it succeeded or failed. Every verified event is answered 200, whatever it is (a repeat,
 * out of order, about something already settled, a type we do not use), so the provider
 * stops sending it; only a missing or bad signature is 400.
 */

const receivedSchema = z
  .object({ received: z.literal(true), outcome: z.string() })
  .meta({ id: "ProviderEventReceived" });

const stripeWebhook = apiRoute({
  method: "post",
  path: "/v1/payments/webhooks/stripe",
  tags: ["Payments"],
  summary: "Stripe's signed webhook events (register this URL in Stripe's dashboard)",
  description:
    "Verified with STRIPE_WEBHOOK_SECRET; 404 when Stripe is not the configured provider. Events used: payment_intent.succeeded, payment_intent.payment_failed, charge.refunded, charge.dispute.created.",
  access: "public",
  errors: [400, 404],
  request: {
    headers: z.object({ "Stripe-Signature": z.string().max(2000).optional() }),
  },
  responses: { 200: jsonAnswer(receivedSchema, "Received (also for repeats and unused types)") },
});

/** Stripe's event types the show object acts on, and what each says of the payment. */
const STRIPE_EVENT_MEANINGS: Record<string, ProviderEvent["says"]> = {
  "payment_intent.succeeded": "succeeded",
  "payment_intent.payment_failed": "failed",
  "charge.dispute.created": "disputed",
};

interface StripeObject {
  id?: string;
  object?: string;
  payment_intent?: string | null;
  metadata?: Record<string, string> | null;
}

export const paymentWebhookRoutes = apiRouter().openapi(stripeWebhook, async (c) => {
  const config = stripeConfig(c.env);
  if (!config?.webhookSecret) throw notFound("route", "/v1/payments/webhooks/stripe");
  const body = await c.req.text();
  const verified = await verifyStripeEvent(
    body,
    c.req.header("Stripe-Signature") ?? null,
    config.webhookSecret,
  );
  if (!verified.ok) throw invalidInput("Stripe-Signature", verified.reason);
  const { event } = verified;
  const object = event.data.object as StripeObject;
  const paymentId =
    object.object === "payment_intent" ? (object.id ?? null) : (object.payment_intent ?? null);
  const bookingId = object.metadata?.booking_id ?? (await bookingOfPayment(c.env, paymentId));
  const outcome = await toShowObject(c.env, bookingId, {
    provider: "stripe",
    eventId: event.id,
    type: event.type,
    says: STRIPE_EVENT_MEANINGS[event.type] ?? null,
    paymentId,
    attemptKey: object.metadata?.attempt_key ?? null,
  });
  return c.json({ received: true as const, outcome }, 200);
});

const razorpayWebhook = apiRoute({
  method: "post",
  path: "/v1/payments/webhooks/razorpay",
  tags: ["Payments"],
  summary: "Razorpay's signed webhook events (register this URL in Razorpay's dashboard)",
  description:
    "Verified with RAZORPAY_WEBHOOK_SECRET; 404 when Razorpay is not the configured provider. Events used: payment.captured, order.paid, payment.failed, payment.dispute.created.",
  access: "public",
  errors: [400, 404],
  request: {
    headers: z.object({
      "X-Razorpay-Signature": z.string().max(200).optional(),
      "X-Razorpay-Event-Id": z.string().max(200).optional(),
    }),
  },
  responses: { 200: jsonAnswer(receivedSchema, "Received (also for repeats and unused types)") },
});

/** Razorpay's event types the show object acts on, and what each says of the payment. */
const RAZORPAY_EVENT_MEANINGS: Record<string, ProviderEvent["says"]> = {
  "payment.captured": "succeeded",
  "order.paid": "succeeded",
  "payment.failed": "failed",
  "payment.dispute.created": "disputed",
};

export const razorpayWebhookRoutes = apiRouter().openapi(razorpayWebhook, async (c) => {
  const config = razorpayConfig(c.env);
  if (!config?.webhookSecret) throw notFound("route", "/v1/payments/webhooks/razorpay");
  const verified = await verifyRazorpayEvent(
    await c.req.text(),
    c.req.header("X-Razorpay-Signature") ?? null,
    c.req.header("X-Razorpay-Event-Id") ?? null,
    config.webhookSecret,
  );
  if (!verified.ok) throw invalidInput("X-Razorpay-Signature", verified.reason);
  const { event } = verified;
  // A payment's event carries the order's id but not its notes (our booking and attempt):
  // the order is read for them.
  const notes =
    event.notes.booking_id || !event.orderId
      ? event.notes
      : await orderNotes(config, paymentTimeoutMs(c.env), event.orderId);
  const bookingId = notes.booking_id ?? (await bookingOfPayment(c.env, event.paymentId));
  const outcome = await toShowObject(c.env, bookingId, {
    provider: "razorpay",
    eventId: event.id,
    type: event.type,
    says: RAZORPAY_EVENT_MEANINGS[event.type] ?? null,
    paymentId: event.paymentId ?? event.orderId,
    attemptKey: notes.attempt_key ?? null,
  });
  return c.json({ received: true as const, outcome }, 200);
});

/**
 * Hands a verified event to the show object of its booking: what the object did with it,
 * or "unmatched" for an event of no booking of this deployment (verified, so still 200, or
 * the provider would retry it and disable the endpoint: a payment of someone else's, or a
 * booking of a show another deployment sharing the account has).
 */
async function toShowObject(
  env: Env,
  bookingId: string | undefined,
  event: Omit<ProviderEvent, "bookingId">,
): Promise<string> {
  const showId = bookingId ? showIdOf("booking", bookingId) : undefined;
  const show = showId ? await existingShowOrNone(env, showId) : undefined;
  if (!bookingId || !show) {
    logLine("warn", "provider event for no booking", {
      provider: event.provider,
      event_id: event.eventId,
      type: event.type,
    });
    return "unmatched";
  }
  const applied = await show.applyProviderEvent({ ...event, bookingId });
  return applied.ok ? applied.value : "unmatched";
}

/** The notes of a Razorpay order (our booking and attempt), read from Razorpay. */
async function orderNotes(
  config: RazorpayConfig,
  timeoutMs: number,
  orderId: string,
): Promise<Record<string, string>> {
  const client = new RazorpayClient({ ...config, timeoutMs });
  const order = await client.get<RazorpayOrder>(`/v1/orders/${encodeURIComponent(orderId)}`);
  return notesOf(order.notes);
}

/** The show's client, or undefined for a show this deployment does not have. */
async function existingShowOrNone(env: Env, showId: string): Promise<ShowClient | undefined> {
  try {
    return await showClient(env, showId);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** The booking a payment paid for, from D1's record of payments (charges carry no metadata of ours). */
async function bookingOfPayment(env: Env, paymentId: string | null): Promise<string | undefined> {
  if (!paymentId) return undefined;
  const [row] = await database(env.DB)
    .select({ bookingId: payments.bookingId })
    .from(payments)
    .where(eq(payments.paymentId, paymentId))
    .limit(1);
  return row?.bookingId;
}
