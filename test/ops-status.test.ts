import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { PaymentSimulator, TEST_CARDS } from "../src/payments/payment-simulator.ts";
import {
  adminToken,
  bookingBody,
  call,
  card,
  createShow,
  lockedSeats,
  lockSeats,
  postBooking,
  rowSeats,
  seatMap,
  stubOf,
  tokenFor,
} from "./support/helpers.ts";
import { travelTo } from "./support/time.ts";

/**
 * GET /v1/admin/status lists what is unsettled now. Shows report to it from their alarm; a
 * report must not outlive the work it lists, and a cancelled show's refunds are listed.
 */

interface StuckShow {
  show_id: string;
  payments: { booking_id: string; status: string }[];
  refunds: { booking_id: string }[];
  cancellation: { reason: string; bookings: number; refunded: number; pending: number } | null;
}

async function stuckShow(showId: string): Promise<StuckShow | undefined> {
  const res = await call("GET", "/v1/admin/status", { token: await adminToken() });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { shows: StuckShow[] };
  return body.shows.find((s) => s.show_id === showId);
}

describe("a payment the alarm saw under way", () => {
  it("leaves the status as soon as it went through", async () => {
    const ctx = await lockedSeats(1, "user_ops_charging");
    // The charge waits for the test: the alarm runs while it is under way.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const charge = PaymentSimulator.prototype.charge;
    const charging = vi
      .spyOn(PaymentSimulator.prototype, "charge")
      .mockImplementation(async function (this: PaymentSimulator, input) {
        await held;
        return charge.call(this, input);
      });
    const booking = postBooking(ctx.token, bookingBody(ctx));
    await vi.waitFor(() => expect(charging).toHaveBeenCalled());
    expect(await runDurableObjectAlarm(stubOf(ctx.showId))).toBe(true);
    expect((await stuckShow(ctx.showId))?.payments).toEqual([
      expect.objectContaining({ status: "charging" }),
    ]);
    release();
    expect((await booking).status).toBe(201);
    // The show reports as soon as the listed payment ended, with no alarm run.
    await vi.waitFor(async () => expect(await stuckShow(ctx.showId)).toBeUndefined());
  });
});

describe("a cancelled show", () => {
  it("is listed with its refunds in progress until every booking is refunded", async () => {
    const { showId } = await createShow();
    const seats = rowSeats(await seatMap(showId), "A");
    const token = await tokenFor("user_ops_cancelled");
    for (const seatId of seats.slice(0, 2)) {
      const locked = await lockSeats(token, { show_id: showId, seat_ids: [seatId] });
      const { lock_id } = (await locked.json()) as { lock_id: string };
      const body = {
        show_id: showId,
        lock_id,
        seat_ids: [seatId],
        user_id: "user_ops_cancelled",
        payment_method: card(TEST_CARDS.success),
      };
      expect((await postBooking(token, body)).status).toBe(201);
    }
    const refund = vi.spyOn(PaymentSimulator.prototype, "refund").mockImplementation(async () => {
      throw new Error("provider down");
    });
    const cancel = await call("POST", `/v1/shows/${showId}/cancel`, {
      token: await adminToken(),
      body: { reason: "Venue flooded" },
    });
    expect(cancel.status).toBe(202);
    expect(await runDurableObjectAlarm(stubOf(showId))).toBe(true);
    const stuck = await stuckShow(showId);
    expect(stuck?.cancellation).toMatchObject({
      reason: "Venue flooded",
      bookings: 2,
      refunded: 0,
      pending: 2,
    });
    expect(stuck?.refunds).toHaveLength(2);

    refund.mockRestore();
    travelTo(Date.now() + 10 * 60_000);
    expect(await runDurableObjectAlarm(stubOf(showId))).toBe(true);
    vi.useRealTimers();
    expect(await stuckShow(showId)).toBeUndefined();
  });
});
