import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import {
  adminToken,
  alarmOf,
  type BookingJson,
  bookingBody,
  call,
  card,
  createShow,
  d1CaughtUp,
  expectError,
  type LockJson,
  lockedSeats,
  lockSeats,
  newKey,
  postBooking,
  rowSeats,
  seatMap,
  tokenFor,
} from "../support/helpers.ts";
import { travelTo } from "../support/time.ts";
import {
  bookingStatus,
  bookWithStripe,
  d1Booking,
  intentsOf,
  refundsOf,
  runAlarm,
  seatStatuses,
  stripeBooking,
  stripeMethod,
  sweepLogsForStripeSecrets,
  useStandIn,
} from "./stripe-world.ts";

/**
 * Bookings paid through Stripe, end to end: the Worker's routes, the show object, the
 * official stripe package, and the stand-in answering as Stripe's API would
 * (docs/operations.md, "Going live with Stripe").
 */

const standIn = useStandIn();
sweepLogsForStripeSecrets();

const intentPosts = () =>
  standIn().requests.filter((r) => r.method === "POST" && r.path === "/v1/payment_intents");
const refundPosts = () =>
  standIn().requests.filter((r) => r.method === "POST" && r.path === "/v1/refunds");

describe("a booking paid with a Stripe PaymentMethod", () => {
  it("is confirmed with 201, paid by one PaymentIntent for its total in paise that names the booking", async () => {
    const ctx = await lockedSeats(2, "user_stripe_visa");

    const res = await bookWithStripe(ctx, "pm_card_visa");

    expect(res.status).toBe(201);
    const { booking } = (await res.json()) as { booking: BookingJson };
    const [intent, ...others] = standIn().intents;
    expect(others).toEqual([]);
    expect(intent).toMatchObject({
      // Two premium seats at 500 rupees: 1000 rupees, 100000 paise.
      amount: 100_000,
      amount_received: 100_000,
      currency: "inr",
      status: "succeeded",
      allowed_payment_method_types: ["card"],
      metadata: {
        booking_id: booking.booking_id,
        attempt_key: expect.stringMatching(new RegExp(`^${booking.booking_id}:\\d+$`)),
      },
    });
    expect(booking).toMatchObject({
      status: "confirmed",
      total_amount: 1000,
      payment_id: intent?.id,
      ticket_id: expect.stringMatching(/^ticket_/),
    });
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["booked", "booked"]);
    // Of the card only its brand and last four digits are kept, with the payment.
    await d1CaughtUp(ctx.showId);
    const payment = await env.DB.prepare(
      "SELECT payment_id, status, amount, currency, card_brand, card_last4 FROM payments WHERE booking_id = ?",
    )
      .bind(booking.booking_id)
      .first();
    expect(payment).toEqual({
      payment_id: intent?.id,
      status: "succeeded",
      amount: 1000,
      currency: "INR",
      card_brand: "visa",
      card_last4: "4242",
    });
    expect(standIn().refunds).toEqual([]);
  });

  it("is answered again with the same 201 for a retry under the same Idempotency-Key, and Stripe is asked once", async () => {
    const ctx = await lockedSeats(1, "user_stripe_retry");
    const key = newKey();

    const first = await bookWithStripe(ctx, "pm_card_visa", key);
    const firstBody = await first.text();
    const again = await bookWithStripe(ctx, "pm_card_visa", key);

    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await again.text()).toBe(firstBody);
    expect(standIn().intents).toHaveLength(1);
    expect(intentPosts()).toHaveLength(1);
    const { booking } = JSON.parse(firstBody) as { booking: BookingJson };
    expect(booking.payment_id).toBe(standIn().intents[0]?.id);
  });

  it.each([
    ["pm_card_chargeDeclined", "generic_decline", "0002"],
    ["pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds", "9995"],
  ])(
    "is refused with 422 PAYMENT_FAILED for %s (%s), keeps no booking and leaves the seats locked for another card",
    async (paymentMethod, declineCode, last4) => {
      const ctx = await lockedSeats(2, "user_stripe_declined");

      const declined = await bookWithStripe(ctx, paymentMethod);

      const error = await expectError(declined, 422, "PAYMENT_FAILED");
      expect(error.details).toMatchObject({
        field: "payment_method",
        reason: "card_declined",
        decline_code: declineCode,
        card_brand: "visa",
        card_last4: last4,
      });
      const [attempt, ...others] = standIn().intents;
      expect(others).toEqual([]);
      expect(attempt).toMatchObject({ status: "requires_payment_method", amount_received: 0 });
      // The booking the failed attempt was for is not kept, anywhere.
      const failedBooking = attempt?.metadata.booking_id ?? "";
      expect(failedBooking).toMatch(/^booking_/);
      expect(await bookingStatus(ctx.token, failedBooking)).toBe(404);
      await d1CaughtUp(ctx.showId);
      expect(await d1Booking(failedBooking)).toBeNull();
      expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["locked", "locked"]);

      const retry = await bookWithStripe(ctx, "pm_card_visa");

      expect(retry.status).toBe(201);
      const { booking } = (await retry.json()) as { booking: BookingJson };
      expect(booking.status).toBe("confirmed");
      expect(intentsOf(standIn(), booking.booking_id).map((i) => i.status)).toEqual(["succeeded"]);
      expect(standIn().charges.filter((c) => c.status === "succeeded")).toHaveLength(1);
      expect(standIn().refunds).toEqual([]);
      expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["booked", "booked"]);
    },
  );

  it("with card fields instead is refused with 400 naming payment_method, and nothing is sent to Stripe", async () => {
    const ctx = await lockedSeats(1, "user_stripe_card_fields");

    const res = await postBooking(ctx.token, bookingBody(ctx, { payment_method: card() }));

    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details).toMatchObject({
      field: "payment_method",
      reason: expect.stringMatching(/card data never reaches this server/),
    });
    expect(standIn().requests).toEqual([]);
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["locked"]);
  });

  it("is refused with 422 gateway_timeout when Stripe's answer does not come in time, and the intent made is refunded exactly once", async () => {
    const ctx = await lockedSeats(2, "user_stripe_timeout");
    vi.spyOn(console, "warn").mockImplementation(() => {});
    standIn().hangNext();

    const res = await bookWithStripe(ctx, "pm_card_visa");

    const error = await expectError(res, 422, "PAYMENT_FAILED");
    expect(error.details).toMatchObject({
      field: "payment_method",
      reason: "gateway_timeout",
      settled: true,
    });
    // Stripe made the intent (the answer was lost, not the request): it is given back.
    const [intent, ...others] = standIn().intents;
    expect(others).toEqual([]);
    expect(intent?.status).toBe("succeeded");
    expect(standIn().refunds).toEqual([
      expect.objectContaining({ payment_intent: intent?.id, amount: intent?.amount }),
    ]);
    expect(refundPosts()).toHaveLength(1);
    const failedBooking = intent?.metadata.booking_id ?? "";
    expect(await bookingStatus(ctx.token, failedBooking)).toBe(404);
    await d1CaughtUp(ctx.showId);
    expect(await d1Booking(failedBooking)).toBeNull();
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["locked", "locked"]);

    // The late answer goes nowhere (its caller gave up), and nothing more is refunded.
    await vi.waitFor(() => expect(standIn().hanging).toBe(0));
    standIn().release();
    await runAlarm(ctx.showId);
    expect(standIn().refunds).toHaveLength(1);
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["locked", "locked"]);
  });
});

describe("cancelling a booking paid through Stripe", () => {
  it("answers 200 cancelled after one refund of its PaymentIntent, and a second cancel changes nothing", async () => {
    const { ctx, booking, intent } = await stripeBooking(standIn(), "user_stripe_cancel", 2);
    const cancel = () =>
      call("POST", `/v1/bookings/${booking.booking_id}/cancel`, { token: ctx.token });

    const first = await cancel();

    expect(first.status).toBe(200);
    expect(((await first.json()) as { booking: { status: string } }).booking.status).toBe(
      "cancelled",
    );
    expect(standIn().refunds).toEqual([
      expect.objectContaining({ payment_intent: intent.id, amount: 100_000 }),
    ]);
    expect(standIn().charges[0]).toMatchObject({ refunded: true, amount_refunded: 100_000 });
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["available", "available"]);
    const payment = await env.DB.prepare("SELECT status FROM payments WHERE payment_id = ?")
      .bind(intent.id)
      .first();
    expect(payment).toEqual({ status: "refunded" });

    const requestsBefore = standIn().requests.length;
    const second = await cancel();

    expect(second.status).toBe(200);
    expect(((await second.json()) as { booking: { status: string } }).booking.status).toBe(
      "cancelled",
    );
    expect(standIn().refunds).toHaveLength(1);
    expect(standIn().requests).toHaveLength(requestsBefore);
  });

  it("answers 409 refund_pending when Stripe fails the refund, and the alarm refunds it once later", async () => {
    const { ctx, booking, intent } = await stripeBooking(standIn(), "user_stripe_refund_fails");
    vi.spyOn(console, "warn").mockImplementation(() => {});
    standIn().failNext(500);

    const first = await call("POST", `/v1/bookings/${booking.booking_id}/cancel`, {
      token: ctx.token,
    });

    const error = await expectError(first, 409, "REQUEST_IN_PROGRESS");
    expect(error.details).toMatchObject({
      reason: "refund_pending",
      booking_id: booking.booking_id,
    });
    expect(standIn().refunds).toEqual([]);
    expect(await bookingStatus(ctx.token, booking.booking_id)).toBe("confirmed");

    const armed = await alarmOf(ctx.showId);
    expect(armed).not.toBeNull();
    travelTo((armed ?? 0) + 1);
    await runAlarm(ctx.showId);

    await vi.waitFor(async () =>
      expect(await bookingStatus(ctx.token, booking.booking_id)).toBe("cancelled"),
    );
    expect(standIn().refunds).toEqual([
      expect.objectContaining({ payment_intent: intent.id, amount: intent.amount }),
    ]);
    expect(await seatStatuses(ctx.showId, ctx.seats)).toEqual(["available"]);
    // Another alarm run finds nothing left to refund.
    await runAlarm(ctx.showId);
    expect(standIn().refunds).toHaveLength(1);
  });
});

describe("cancelling a show with bookings paid through Stripe", () => {
  it("refunds every booking exactly once from the alarm", async () => {
    const { showId } = await createShow();
    const rowA = rowSeats(await seatMap(showId), "A");
    const buyers = [
      { user: "user_stripe_show_1", seats: rowA.slice(0, 2) },
      { user: "user_stripe_show_2", seats: rowA.slice(2, 3) },
    ];
    const bookings: { token: string; booking: BookingJson }[] = [];
    for (const { user, seats } of buyers) {
      const token = await tokenFor(user);
      const lock = (await (
        await lockSeats(token, { show_id: showId, seat_ids: seats })
      ).json()) as LockJson;
      const res = await postBooking(
        token,
        bookingBody({ showId, user, token, lock, seats }, stripeMethod("pm_card_visa")),
      );
      expect(res.status).toBe(201);
      bookings.push({ token, booking: ((await res.json()) as { booking: BookingJson }).booking });
    }
    vi.spyOn(console, "warn").mockImplementation(() => {});

    const cancelled = await call("POST", `/v1/shows/${showId}/cancel`, {
      token: await adminToken(),
      body: { reason: "Artist ill" },
    });

    expect(cancelled.status).toBe(202);
    await runAlarm(showId);
    await vi.waitFor(async () => {
      for (const { token, booking } of bookings) {
        expect(await bookingStatus(token, booking.booking_id)).toBe("cancelled");
      }
    });
    for (const { booking } of bookings) {
      expect(refundsOf(standIn(), booking.booking_id).map((r) => r.amount)).toEqual([
        booking.total_amount * 100,
      ]);
    }
    expect(standIn().refunds).toHaveLength(2);
    // The alarm again, and the cancel again: nothing more is given back.
    await runAlarm(showId);
    const again = await call("POST", `/v1/shows/${showId}/cancel`, {
      token: await adminToken(),
      body: { reason: "Artist ill" },
    });
    expect(again.status).toBe(202);
    await runAlarm(showId);
    expect(standIn().refunds).toHaveLength(2);
    expect(refundPosts().filter((r) => !r.replayed)).toHaveLength(2);
  });
});
