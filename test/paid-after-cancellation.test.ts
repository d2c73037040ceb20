import { describe, expect, it } from "vitest";
import { holdCharges } from "./support/held-charges.ts";
import {
  adminToken,
  bookingBody,
  call,
  expectError,
  ledger,
  lockedSeats,
  postBooking,
  seatMap,
} from "./support/helpers.ts";

/**
 * A show cancelled while a buyer's charge is under way: the charge goes through, but the
 * buyer must hear that the show is cancelled (not 201 confirmed), and the money must be on
 * its way back before that answer, not at some later alarm.
 */

describe("a payment that goes through after its show was cancelled", () => {
  it("answers 409 SHOW_CANCELLED with the refund already made, and frees nothing twice", async () => {
    const ctx = await lockedSeats(2, "user_paid_late");
    const charges = holdCharges();
    const booking = postBooking(ctx.token, bookingBody(ctx));
    await charges.started();
    const cancel = await call("POST", `/v1/shows/${ctx.showId}/cancel`, {
      token: await adminToken(),
      body: { reason: "Storm warning" },
    });
    expect(cancel.status).toBe(202);
    charges.release();
    const error = await expectError(await booking, 409, "SHOW_CANCELLED");
    expect(error.details).toMatchObject({ refund: "started" });
    const bookingId = String(error.details?.booking_id);
    // Refunded before the answer: no alarm has run.
    const charge = (await ledger()).find((c) => c.reference === bookingId);
    expect(charge?.status).toBe("refunded");
    const read = await call("GET", `/v1/bookings/${bookingId}`, { token: ctx.token });
    expect(read.status).toBe(200);
    const { booking: after } = (await read.json()) as { booking: { status: string } };
    expect(after.status).toBe("cancelled");
    const map = await seatMap(ctx.showId);
    for (const seatId of ctx.seats) {
      expect(map.seats.find((s) => s.seat_id === seatId)?.status).toBe("available");
    }
  });

  it("replays the same 409 to a retry with the same Idempotency-Key, charging nothing more", async () => {
    const ctx = await lockedSeats(1, "user_paid_late_retry");
    const charges = holdCharges();
    const key = `late-${crypto.randomUUID()}`;
    const booking = postBooking(ctx.token, bookingBody(ctx), key);
    await charges.started();
    await call("POST", `/v1/shows/${ctx.showId}/cancel`, {
      token: await adminToken(),
      body: { reason: "Storm warning" },
    });
    charges.release();
    const first = await expectError(await booking, 409, "SHOW_CANCELLED");
    const retry = await postBooking(ctx.token, bookingBody(ctx), key);
    expect(retry.status).toBe(409);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    const charged = (await ledger()).filter((c) => c.reference === first.details?.booking_id);
    expect(charged).toHaveLength(1);
  });
});
