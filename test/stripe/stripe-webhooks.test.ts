import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import {
  type BookingJson,
  d1CaughtUp,
  expectError,
  lockedSeats,
  stubOf,
} from "../support/helpers.ts";
import { collectLogLines } from "../support/log-lines.ts";
import { hmacHex } from "../support/stand-in-crypto.ts";
import {
  bookingStatus,
  bookWithStripe,
  d1Booking,
  deliverEvent,
  eventOutcome,
  intentObject,
  intentsOf,
  type SignedEvent,
  seatStatuses,
  signedEvent,
  stripeBooking,
  sweepLogsForStripeSecrets,
  useStandIn,
  WEBHOOK_SECRET,
} from "./stripe-world.ts";

/**
 * Stripe's webhook events at POST /v1/payments/webhooks/stripe, signed as Stripe signs
 * them (the stand-in's signedEvent, with the project's STRIPE_WEBHOOK_SECRET): verified,
 * then recorded once by their id at the show object of the booking they are about
 * (docs/operations.md, "Going live with Stripe").
 */

const standIn = useStandIn();
sweepLogsForStripeSecrets();

interface Line {
  level: string;
  msg: string;
  event_id?: string;
  type?: string;
  booking_id?: string;
  payment_id?: string | null;
  attempt_status?: string | null;
}

const lines = collectLogLines<Line>();

/** An event about `object`, signed with the endpoint's secret unless told otherwise. */
function signed(
  type: string,
  object: Record<string, unknown>,
  options: { timestamp?: number; secret?: string } = {},
): Promise<SignedEvent> {
  return signedEvent(standIn(), type, object, options);
}

const deliver = deliverEvent;

/** A Stripe-Signature for `body` made now with the endpoint's secret. */
async function signWithEndpointSecret(body: string): Promise<string> {
  const timestamp = Math.floor(Date.now() / 1000);
  return `t=${timestamp},v1=${await hmacHex(WEBHOOK_SECRET, `${timestamp}.${body}`)}`;
}

const outcomeOf = eventOutcome;

const asObject = intentObject;

describe("a payment_intent.succeeded event for a confirmed booking", () => {
  it("is answered 200 recorded, and the same event again 200 duplicate, changing nothing", async () => {
    const { ctx, booking, intent } = await stripeBooking(standIn(), "user_hook_succeeded");
    const event = await signed("payment_intent.succeeded", asObject(intent));

    const first = await deliver(event.body, event.header);
    const again = await deliver(event.body, event.header);

    expect(await outcomeOf(first)).toEqual({ received: true, outcome: "recorded" });
    expect(await outcomeOf(again)).toEqual({ received: true, outcome: "duplicate" });
    const recorded = lines.filter((l) => l.event_id === event.event.id);
    expect(recorded).toEqual([
      expect.objectContaining({
        level: "info",
        msg: "payment event",
        type: "payment_intent.succeeded",
        booking_id: booking.booking_id,
        payment_id: intent.id,
        attempt_status: "succeeded",
      }),
    ]);
    expect(await bookingStatus(ctx.token, booking.booking_id)).toBe("confirmed");
    expect(standIn().intents).toHaveLength(1);
    expect(standIn().refunds).toEqual([]);
  });
});

describe("an event whose signature does not hold", () => {
  it("is refused with 400 INVALID_INPUT naming Stripe-Signature when signed with another secret, and is not recorded", async () => {
    const { intent } = await stripeBooking(standIn(), "user_hook_forged");
    const forged = await signed("payment_intent.succeeded", asObject(intent), {
      secret: "whsec_someone_elses_endpoint",
    });

    const error = await expectError(
      await deliver(forged.body, forged.header),
      400,
      "INVALID_INPUT",
    );

    expect(error.details).toMatchObject({
      field: "Stripe-Signature",
      reason: "the signature does not match the body",
    });
    // The very same body, signed with the endpoint's secret, is new to the object: the
    // forged delivery left no trace.
    const resigned = await signWithEndpointSecret(forged.body);
    expect(await outcomeOf(await deliver(forged.body, resigned))).toEqual({
      received: true,
      outcome: "recorded",
    });
  });

  it("is refused with 400 INVALID_INPUT naming Stripe-Signature when the header is missing", async () => {
    const { intent } = await stripeBooking(standIn(), "user_hook_unsigned");
    const event = await signed("payment_intent.succeeded", asObject(intent));

    const error = await expectError(await deliver(event.body, null), 400, "INVALID_INPUT");

    expect(error.details).toMatchObject({
      field: "Stripe-Signature",
      reason: "the Stripe-Signature header is missing",
    });
  });

  it("is refused with 400 INVALID_INPUT when it was signed more than 5 minutes ago", async () => {
    const { intent } = await stripeBooking(standIn(), "user_hook_stale");
    const stale = await signed("payment_intent.succeeded", asObject(intent), {
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });

    const error = await expectError(await deliver(stale.body, stale.header), 400, "INVALID_INPUT");

    expect(error.details).toMatchObject({
      field: "Stripe-Signature",
      reason: "the signature is older than 5 minutes",
    });
    expect(lines.filter((l) => l.event_id === stale.event.id)).toEqual([]);
  });
});

describe("an event about no booking of ours", () => {
  const foreign = {
    id: "pi_3ForeignIntentOfAnotherApp",
    object: "payment_intent",
    amount: 4_200,
    currency: "inr",
    status: "succeeded",
    metadata: { order: "shop-4711" },
  };

  it("is answered 200 unmatched for an intent, or a charge of one, with none of our metadata", async () => {
    const foreignCharge = {
      id: "ch_3ForeignChargeOfAnotherApp",
      object: "charge",
      payment_intent: foreign.id,
      refunded: true,
      metadata: {},
    };
    vi.spyOn(console, "warn").mockImplementation(() => {});

    for (const [type, object] of [
      ["payment_intent.succeeded", foreign],
      ["charge.refunded", foreignCharge],
    ] as const) {
      const event = await signed(type, object);
      expect(await outcomeOf(await deliver(event.body, event.header)), type).toEqual({
        received: true,
        outcome: "unmatched",
      });
    }
  });

  it("is answered 200 unmatched for a booking id of a show this deployment does not have", async () => {
    // Another deployment's booking, on a Stripe account both use (staging and a laptop in
    // test mode): Stripe sends every endpoint of the account every event.
    const elsewhere = {
      ...foreign,
      id: "pi_3IntentOfAnotherDeployment",
      metadata: {
        booking_id: "booking_abcdefghij0123456789_elsewhere",
        attempt_key: "booking_abcdefghij0123456789_elsewhere:1",
      },
    };
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const event = await signed("payment_intent.succeeded", elsewhere);

    const res = await deliver(event.body, event.header);

    expect(await outcomeOf(res)).toEqual({ received: true, outcome: "unmatched" });
  });
});

describe("a charge.dispute.created event for a booking's payment", () => {
  it("is answered 200 and logged as payment disputed at level error, for an operator", async () => {
    const { ctx, booking, intent } = await stripeBooking(standIn(), "user_hook_dispute");
    // A dispute comes days later: D1, where its payment is looked up, has the booking.
    await d1CaughtUp(ctx.showId);
    vi.spyOn(console, "error").mockImplementation(() => {});
    // A dispute carries the charge and its intent, none of our metadata: the booking is
    // found by its payment.
    const dispute = {
      id: "dp_1DisputeOfTheBooking",
      object: "dispute",
      amount: intent.amount,
      currency: "inr",
      charge: intent.latest_charge,
      payment_intent: intent.id,
      reason: "fraudulent",
      status: "needs_response",
      metadata: {},
    };
    const event = await signed("charge.dispute.created", dispute);

    const res = await deliver(event.body, event.header);

    expect(await outcomeOf(res)).toEqual({ received: true, outcome: "recorded" });
    expect(lines.filter((l) => l.msg === "payment disputed")).toEqual([
      expect.objectContaining({
        level: "error",
        event_id: event.event.id,
        type: "charge.dispute.created",
        booking_id: booking.booking_id,
        payment_id: intent.id,
      }),
    ]);
  });
});

describe("a payment_intent.payment_failed event for a declined attempt", () => {
  it("is recorded at the show and brings back no booking: the seats stay locked", async () => {
    const ctx = await lockedSeats(1, "user_hook_declined");
    const declined = await bookWithStripe(ctx, "pm_card_chargeDeclined");
    await expectError(declined, 422, "PAYMENT_FAILED");
    const [attempt] = standIn().intents;
    if (!attempt) throw new Error("the declined attempt made no intent");
    const event = await signed("payment_intent.payment_failed", asObject(attempt));

    const res = await deliver(event.body, event.header);

    expect(await outcomeOf(res)).toEqual({ received: true, outcome: "recorded" });
    expect(lines.find((l) => l.event_id === event.event.id)).toMatchObject({
      attempt_status: "declined",
    });
    expect(await bookingStatus(ctx.token, attempt.metadata.booking_id ?? "")).toBe(404);
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["locked"]);
  });
});

describe("a payment_intent.succeeded event arriving before the API call's own answer", () => {
  it("is recorded, and the booking ends confirmed exactly once, paid by one intent", async () => {
    const ctx = await lockedSeats(2, "user_hook_early");
    standIn().hangNext();

    // Stripe has made the intent; its answer to the show object is held.
    const booking = bookWithStripe(ctx, "pm_card_visa");
    await vi.waitFor(
      () => {
        expect(standIn().hanging).toBe(1);
        expect(standIn().intents).toHaveLength(1);
      },
      { interval: 5 },
    );
    const [intent] = standIn().intents;
    if (!intent) throw new Error("no intent");
    const event = await signed("payment_intent.succeeded", asObject(intent));
    const early = await deliver(event.body, event.header);
    // The held answer is the show object's: it is released from the object's own context
    // (workerd refuses to settle one object's I/O from another context).
    await runInDurableObject(stubOf(ctx.showId), () => standIn().release());
    const res = await booking;

    expect(await outcomeOf(early)).toEqual({ received: true, outcome: "recorded" });
    expect(res.status).toBe(201);
    const { booking: confirmed } = (await res.json()) as { booking: BookingJson };
    expect(confirmed).toMatchObject({
      booking_id: intent.metadata.booking_id,
      status: "confirmed",
      payment_id: intent.id,
    });
    expect(lines.find((l) => l.event_id === event.event.id)).toMatchObject({
      booking_id: confirmed.booking_id,
      attempt_status: "charging",
    });
    expect(
      lines.filter((l) => l.msg === "booking confirmed" && l.booking_id === confirmed.booking_id),
    ).toHaveLength(1);
    expect(intentsOf(standIn(), confirmed.booking_id)).toHaveLength(1);
    expect(standIn().intents).toHaveLength(1);
    expect(standIn().refunds).toEqual([]);
    await d1CaughtUp(ctx.showId);
    expect(await d1Booking(confirmed.booking_id)).toEqual({ status: "confirmed" });
    const payments = await env.DB.prepare("SELECT payment_id FROM payments WHERE booking_id = ?")
      .bind(confirmed.booking_id)
      .all();
    expect(payments.results).toEqual([{ payment_id: intent.id }]);
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["booked", "booked"]);
  });
});
