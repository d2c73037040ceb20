import { eq } from "drizzle-orm";
import { z } from "zod";
import type { ProviderEvent } from "../contract/provider-events.ts";
import { showIdOf } from "../contract/scoped-ids.ts";
import { database } from "../db/database.ts";
import { payments } from "../db/schema.ts";
import { ApiError, invalidInput, notFound } from "../http/api-error.ts";
import { logLine } from "../observability/log.ts";
import { apiRoute, apiRouter, jsonAnswer } from "../openapi/api-route.ts";
import { stripeConfig } from "../payments/stripe-config.ts";
import { verifyStripeEvent } from "../payments/stripe-webhook.ts";
import { type ShowClient, showClient } from "../show-client/show-client.ts";

/**
 * Stripe's webhook events: the raw body's `Stripe-Signature` is verified (5 minutes of
 * tolerance), then the event goes to the show object of the booking it is about, which
 * applies it once by its id. Every verified event is answered 200, whatever it is (a
 * repeat, out of order, about something already settled, a type we do not use), so
 * Stripe stops sending it; only a missing or bad signature is 400.
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
  const showId = bookingId ? showIdOf("booking", bookingId) : undefined;
  const show = showId ? await existingShowOrNone(c.env, showId) : undefined;
  if (!bookingId || !show) {
    // Verified, so 200 (or Stripe would retry it and disable the endpoint): an intent of
    // someone else's, or a booking of a show this deployment does not have (another
    // deployment sharing the Stripe account).
    logLine("warn", "provider event for no booking", { event_id: event.id, type: event.type });
    return c.json({ received: true as const, outcome: "unmatched" }, 200);
  }
  const providerEvent: ProviderEvent = {
    provider: "stripe",
    eventId: event.id,
    type: event.type,
    paymentId,
    attemptKey: object.metadata?.attempt_key ?? null,
    bookingId,
  };
  const applied = await show.applyProviderEvent(providerEvent);
  return c.json(
    { received: true as const, outcome: applied.ok ? applied.value : "unmatched" },
    200,
  );
});

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
