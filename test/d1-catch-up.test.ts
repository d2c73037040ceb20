import { abortAllDurableObjects, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { D1Outbox } from "../src/show/d1/d1-outbox.ts";
import {
  alarmOf,
  bookingBody,
  call,
  d1BookingStatus,
  d1CaughtUp,
  lockedSeats,
  postBooking,
  stubOf,
} from "./support/helpers.ts";

describe("D1 writes queued when the object stops", () => {
  it("are sent after the object starts again, with no lock or request to wake it", async () => {
    const ctx = await lockedSeats(1);
    const created = await postBooking(ctx.token, bookingBody(ctx));
    expect(created.status).toBe(201);
    const { booking } = (await created.json()) as { booking: { booking_id: string } };
    await d1CaughtUp(ctx.showId);
    expect(await d1BookingStatus(booking.booking_id)).toBe("confirmed");
    // The lock's expiry alarm runs and finds nothing to do: no alarm is left armed.
    await runDurableObjectAlarm(stubOf(ctx.showId));

    // D1 never answers the flush of the cancellation; the object is stopped meanwhile.
    vi.spyOn(console, "error").mockImplementation(() => {});
    const hang = vi
      .spyOn(D1Outbox.prototype, "flush")
      .mockImplementation(() => new Promise<boolean>(() => {}));
    const cancelling = call("POST", `/v1/bookings/${booking.booking_id}/cancel`, {
      token: ctx.token,
    }).catch((err: unknown) => err);
    await vi.waitFor(() => expect(hang).toHaveBeenCalled());
    await abortAllDurableObjects();
    await cancelling;
    hang.mockRestore();
    expect(await d1BookingStatus(booking.booking_id)).toBe("confirmed");

    // Started again (any touch): its alarm is armed at once for the queued writes.
    expect(await alarmOf(ctx.showId)).not.toBeNull();
    expect(await runDurableObjectAlarm(stubOf(ctx.showId))).toBe(true);
    expect(await d1BookingStatus(booking.booking_id)).toBe("cancelled");
    const list = await call("GET", "/v1/bookings", { token: ctx.token });
    const { bookings } = (await list.json()) as {
      bookings: { booking_id: string; status: string }[];
    };
    expect(bookings.find((b) => b.booking_id === booking.booking_id)?.status).toBe("cancelled");
  });
});
