import { describe, expect, it, vi } from "vitest";
import { PaymentSimulator, TEST_CARDS } from "../src/payments/payment-simulator.ts";
import {
  bookingBody,
  call,
  card,
  expectError,
  lockedSeats,
  postBooking,
} from "./support/helpers.ts";
import { collectLogLines } from "./support/log-lines.ts";

/**
 * An operator looking for a buyer's payment has what the buyer has: the request id of the
 * answer, the lock, and the booking when one was shown. Every money event a request causes
 * names them, and never a booking the buyer was not shown (one deleted with its failed
 * payment).
 */

interface Line {
  msg: string;
  request_id?: string;
  lock_id?: string;
  booking_id?: string;
}

const lines = collectLogLines<Line>();

describe("a declined payment's events", () => {
  it("name the request id and the lock the buyer has, and no booking", async () => {
    const ctx = await lockedSeats(1, "user_declined_events");
    const res = await postBooking(
      ctx.token,
      bookingBody(ctx, { payment_method: card(TEST_CARDS.declined) }),
    );
    const error = await expectError(res, 422, "PAYMENT_FAILED");
    for (const msg of ["payment declined", "booking failed"]) {
      const line = lines.find((l) => l.msg === msg);
      expect(line, msg).toMatchObject({ request_id: error.request_id, lock_id: ctx.lock.lock_id });
      expect(line?.booking_id, msg).toBeUndefined();
    }
  });
});

describe("an unknown payment outcome's events", () => {
  it("name the request id and the lock, and the refund that settled it too", async () => {
    const ctx = await lockedSeats(1, "user_unknown_events");
    const res = await postBooking(
      ctx.token,
      bookingBody(ctx, { payment_method: card(TEST_CARDS.timeout) }),
    );
    const error = await expectError(res, 422, "PAYMENT_FAILED");
    for (const msg of ["payment outcome unknown", "refund done"]) {
      const line = lines.find((l) => l.msg === msg);
      expect(line, msg).toMatchObject({ request_id: error.request_id, lock_id: ctx.lock.lock_id });
      expect(line?.booking_id, msg).toBeUndefined();
    }
  });
});

describe("a confirmed booking's events", () => {
  it("name the request id, the lock and the booking of the 201", async () => {
    const ctx = await lockedSeats(1, "user_confirmed_events");
    const res = await postBooking(ctx.token, bookingBody(ctx));
    expect(res.status).toBe(201);
    const { booking } = (await res.json()) as {
      booking: { booking_id: string; payment_id: string };
    };
    // One line for the charge and the confirmation, with the charge's fields.
    expect(lines.filter((l) => l.msg === "booking confirmed")).toEqual([
      expect.objectContaining({
        request_id: res.headers.get("X-Request-Id"),
        lock_id: ctx.lock.lock_id,
        booking_id: booking.booking_id,
        payment_id: booking.payment_id,
        card_brand: "visa",
      }),
    ]);
  });
});

describe("a cancellation's refund events", () => {
  it("name the cancel request's id, the lock and the booking, also when the refund waits", async () => {
    const ctx = await lockedSeats(1, "user_cancel_events");
    const booked = await postBooking(ctx.token, bookingBody(ctx));
    const { booking } = (await booked.json()) as { booking: { booking_id: string } };
    vi.spyOn(PaymentSimulator.prototype, "refund").mockRejectedValueOnce(new Error("down"));
    const cancel = await call("POST", `/v1/bookings/${booking.booking_id}/cancel`, {
      token: ctx.token,
    });
    await expectError(cancel, 409, "REQUEST_IN_PROGRESS");
    const expected = {
      request_id: cancel.headers.get("X-Request-Id"),
      lock_id: ctx.lock.lock_id,
      booking_id: booking.booking_id,
    };
    expect(lines.find((l) => l.msg === "refund requested")).toMatchObject(expected);
    expect(lines.find((l) => l.msg === "refund retrying")).toMatchObject(expected);
  });
});
