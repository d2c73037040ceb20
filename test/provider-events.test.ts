import { describe, expect, it } from "vitest";
import type { ProviderEvent } from "../src/contract/provider-events.ts";
import { bookingBody, lockedSeats, postBooking, stubOf } from "./support/helpers.ts";
import { collectLogLines } from "./support/log-lines.ts";

/**
 * A payment provider's webhook events reach the booking's show object, which applies each
 * once by its id: a provider delivers at least once, in any order.
 */

const lines = collectLogLines<{ msg: string; level: string; event_id?: string }>();

async function confirmedBooking(user: string) {
  const ctx = await lockedSeats(1, user);
  const res = await postBooking(ctx.token, bookingBody(ctx));
  expect(res.status).toBe(201);
  const { booking } = (await res.json()) as { booking: { booking_id: string; payment_id: string } };
  return { ctx, booking };
}

/** What the Worker's route makes of each Stripe event type (routes/payment-webhooks.ts). */
const SAYS: Record<string, ProviderEvent["says"]> = {
  "payment_intent.succeeded": "succeeded",
  "charge.dispute.created": "disputed",
};

function eventFor(bookingId: string, paymentId: string, type: string, eventId: string) {
  return {
    provider: "stripe",
    eventId,
    type,
    says: SAYS[type] ?? null,
    paymentId,
    attemptKey: `${bookingId}:1`,
    bookingId,
  } satisfies ProviderEvent;
}

describe("a provider's event", () => {
  it("is recorded once: the same event delivered again changes nothing", async () => {
    const { ctx, booking } = await confirmedBooking("user_provider_event");
    const event = eventFor(
      booking.booking_id,
      booking.payment_id,
      "payment_intent.succeeded",
      "evt_once_1",
    );
    const show = stubOf(ctx.showId);
    expect(await show.applyProviderEvent(event)).toMatchObject({ ok: true, value: "recorded" });
    expect(await show.applyProviderEvent(event)).toMatchObject({ ok: true, value: "duplicate" });
    expect(
      lines.filter((l) => l.msg === "payment event" && l.event_id === "evt_once_1"),
    ).toHaveLength(1);
  });

  it("of a dispute is logged for an operator at level error", async () => {
    const { ctx, booking } = await confirmedBooking("user_provider_dispute");
    const event = eventFor(
      booking.booking_id,
      booking.payment_id,
      "charge.dispute.created",
      "evt_dispute_1",
    );
    await stubOf(ctx.showId).applyProviderEvent(event);
    expect(lines.find((l) => l.msg === "payment disputed")).toMatchObject({
      level: "error",
      event_id: "evt_dispute_1",
    });
  });
});
