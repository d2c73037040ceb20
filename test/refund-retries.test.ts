import { abortAllDurableObjects, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { PaymentSimulator } from "../src/payments/payment-simulator.ts";
import { MAX_REFUND_RETRY_MS, refundRetryDelay } from "../src/show/services/refund-retry.ts";
import {
  alarmOf,
  bookingBody,
  call,
  expectError,
  ledger,
  lockedSeats,
  postBooking,
  seatMap,
  stubOf,
} from "./support/helpers.ts";
import { travelTo } from "./support/time.ts";

/** The backoff itself (refundRetryDelay) is tested alone in test/unit/refund-backoff.test.ts. */

/** A confirmed booking (paid at once) and a cancellation of it while the provider is down. */
async function cancelWhileProviderIsDown() {
  const ctx = await lockedSeats(1);
  const booked = await postBooking(ctx.token, bookingBody(ctx));
  expect(booked.status).toBe(201);
  const { booking } = (await booked.json()) as { booking: { booking_id: string } };
  vi.spyOn(console, "error").mockImplementation(() => {});
  const refund = vi.spyOn(PaymentSimulator.prototype, "refund").mockImplementation(async () => {
    throw new Error("provider down");
  });
  const first = await call("POST", `/v1/bookings/${booking.booking_id}/cancel`, {
    token: ctx.token,
  });
  const error = await expectError(first, 409, "REQUEST_IN_PROGRESS");
  expect(error.details).toMatchObject({ reason: "refund_pending" });
  return { ctx, bookingId: booking.booking_id, refund };
}

async function statusOf(token: string, bookingId: string): Promise<string> {
  const read = await call("GET", `/v1/bookings/${bookingId}`, { token });
  return ((await read.json()) as { booking: { status: string } }).booking.status;
}

describe("a cancellation whose refund keeps failing", () => {
  it("keeps the alarm armed through failed retries until the refund goes through", async () => {
    const { ctx, bookingId, refund } = await cancelWhileProviderIsDown();
    let now = Date.now();
    for (let failures = 1; failures <= 3; failures++) {
      const armed = await alarmOf(ctx.showId);
      expect(armed).not.toBeNull();
      // Each wait is longer than the one before (backoff).
      expect(armed ?? 0).toBeGreaterThanOrEqual(now + refundRetryDelay(failures) - 1_000);
      now = (armed ?? 0) + 1;
      travelTo(now);
      expect(await runDurableObjectAlarm(stubOf(ctx.showId))).toBe(true);
      expect(await statusOf(ctx.token, bookingId)).toBe("confirmed");
    }
    expect(refund.mock.calls.length).toBeGreaterThanOrEqual(4);
    // The provider is back: the next try refunds and cancels.
    refund.mockRestore();
    travelTo(((await alarmOf(ctx.showId)) ?? 0) + 1);
    expect(await runDurableObjectAlarm(stubOf(ctx.showId))).toBe(true);
    expect(await statusOf(ctx.token, bookingId)).toBe("cancelled");
    expect((await ledger()).find((c) => c.reference === bookingId)?.status).toBe("refunded");
    expect(await alarmOf(ctx.showId)).toBeNull();
  });

  it("is retried after the object restarts, with no request to wake it", async () => {
    const { ctx, bookingId, refund } = await cancelWhileProviderIsDown();
    travelTo(((await alarmOf(ctx.showId)) ?? 0) + 1);
    await runDurableObjectAlarm(stubOf(ctx.showId)); // fails again
    await abortAllDurableObjects();
    refund.mockRestore();
    // Started again: the alarm is still armed, and once the next try is due its run
    // finishes the cancellation.
    expect(await alarmOf(ctx.showId)).not.toBeNull();
    travelTo(Date.now() + MAX_REFUND_RETRY_MS + 1);
    expect(await runDurableObjectAlarm(stubOf(ctx.showId))).toBe(true);
    expect(await statusOf(ctx.token, bookingId)).toBe("cancelled");
    const seat = (await seatMap(ctx.showId)).seats.find((s) => s.seat_id === ctx.seats[0]);
    expect(seat?.status).toBe("available");
  });
});
