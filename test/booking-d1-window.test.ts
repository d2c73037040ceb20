import { abortAllDurableObjects, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { holdCharges } from "./support/held-charges.ts";
import {
  alarmOf,
  bookingBody,
  call,
  createShow,
  d1BookingStatus,
  d1CaughtUp,
  type LockJson,
  lockedSeats,
  lockSeats,
  postBooking,
  rowSeats,
  seatMap,
  stubOf,
  tokenFor,
} from "./support/helpers.ts";

/**
 * A booking is answered once the show object has stored it; D1 (the bookings list, the
 * organizer's lists) gets it with the show's other changes at the end of the batch window.
 */

async function listed(token: string): Promise<string[]> {
  const res = await call("GET", "/v1/bookings", { token });
  expect(res.status).toBe(200);
  const { bookings } = (await res.json()) as { bookings: { booking_id: string }[] };
  return bookings.map((b) => b.booking_id);
}

describe("a paid booking", () => {
  it("is answered before D1 has it, read by id at once, and listed once the window ends", async () => {
    const ctx = await lockedSeats(1, "user_d1_window");
    const created = await postBooking(ctx.token, bookingBody(ctx));
    expect(created.status).toBe(201);
    const { booking } = (await created.json()) as { booking: { booking_id: string } };
    // The 201 did not wait for D1: the batch window (100 ms) is still open.
    expect(await d1BookingStatus(booking.booking_id)).toBeUndefined();

    const read = await call("GET", `/v1/bookings/${booking.booking_id}`, { token: ctx.token });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { booking: { status: string } }).booking.status).toBe(
      "confirmed",
    );

    await vi.waitFor(async () => expect(await listed(ctx.token)).toContain(booking.booking_id), {
      timeout: 2_000,
    });
    expect(await d1BookingStatus(booking.booking_id)).toBe("confirmed");
  });

  it("reaches D1 by the alarm when the object stops before the window ends", async () => {
    const ctx = await lockedSeats(1, "user_d1_window_stop");
    const created = await postBooking(ctx.token, bookingBody(ctx));
    expect(created.status).toBe(201);
    const { booking } = (await created.json()) as { booking: { booking_id: string } };
    await abortAllDurableObjects();
    expect(await d1BookingStatus(booking.booking_id)).toBeUndefined();

    // Nothing but the alarm wakes it: the lock's expiry armed it, and it is still armed.
    expect(await alarmOf(ctx.showId)).not.toBeNull();
    expect(await runDurableObjectAlarm(stubOf(ctx.showId))).toBe(true);
    expect(await d1BookingStatus(booking.booking_id)).toBe("confirmed");
  });
});

describe("a show's bookings made together", () => {
  it("all reach D1 and their buyers' lists, each exactly once", async () => {
    const { showId } = await createShow();
    const seats = rowSeats(await seatMap(showId), "A").slice(0, 5);
    const buyers = await Promise.all(
      seats.map(async (seatId, n) => {
        const user = `user_d1_together_${n}`;
        const token = await tokenFor(user);
        const res = await lockSeats(token, { show_id: showId, seat_ids: [seatId] });
        expect(res.status).toBe(200);
        const lock = (await res.json()) as LockJson;
        return { showId, token, user, lock, seats: [seatId] };
      }),
    );
    const created = await Promise.all(
      buyers.map(async (ctx) => {
        const res = await postBooking(ctx.token, bookingBody(ctx));
        expect(res.status).toBe(201);
        return ((await res.json()) as { booking: { booking_id: string } }).booking.booking_id;
      }),
    );
    for (const [i, buyer] of buyers.entries()) {
      await vi.waitFor(async () => expect(await listed(buyer.token)).toEqual([created[i]]), {
        timeout: 2_000,
      });
    }
    const { n } = (await env.DB.prepare(
      "SELECT count(*) AS n FROM bookings WHERE show_id = ? AND status = 'confirmed'",
    )
      .bind(showId)
      .first<{ n: number }>()) ?? { n: 0 };
    expect(n).toBe(5);
  });
});

describe("a booking confirmed while no alarm is armed", () => {
  it("arms one behind the batch window, so a stop before the window ends loses nothing", async () => {
    const ctx = await lockedSeats(1, "user_d1_window_unarmed");
    const charges = holdCharges();
    const booking = postBooking(ctx.token, bookingBody(ctx));
    await charges.started();
    // The alarm runs while the charge is under way: the lock being paid cannot expire and
    // nothing else is due, so it arms no next one.
    expect(await runDurableObjectAlarm(stubOf(ctx.showId))).toBe(true);
    expect(await alarmOf(ctx.showId)).toBeNull();

    charges.release();
    const before = Date.now();
    const created = await booking;
    expect(created.status).toBe(201);
    // The confirmation's rows wait for the window: the alarm is armed behind it.
    const armed = await alarmOf(ctx.showId);
    expect(armed).toBeGreaterThanOrEqual(before + 5_000);
    expect(armed).toBeLessThanOrEqual(Date.now() + 5_100);
    const { booking: confirmed } = (await created.json()) as { booking: { booking_id: string } };
    await d1CaughtUp(ctx.showId);
    expect(await d1BookingStatus(confirmed.booking_id)).toBe("confirmed");
  });
});
