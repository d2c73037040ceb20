import { describe, expect, it } from "vitest";
import {
  type BookingJson,
  call,
  card,
  createShow,
  expectError,
  lockedSeats,
  lockSeats,
  postBooking,
  rowSeats,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";
import { travelTo } from "./support/time.ts";

/** Moves the clock past the show's start (createShow schedules it a week ahead). */
function afterTheShowStarts(): void {
  travelTo(Date.now() + 8 * 24 * 3600 * 1000);
}

describe("once the show has started", () => {
  it("refuses new locks with 400 SHOW_CLOSED and locks nothing", async () => {
    const { showId } = await createShow();
    const seat = rowSeats(await seatMap(showId), "A")[0];
    afterTheShowStarts();
    const error = await expectError(
      await lockSeats(await tokenFor("user_late"), { show_id: showId, seat_ids: [seat] }),
      400,
      "SHOW_CLOSED",
    );
    expect(error.details).toMatchObject({ show_id: showId, status: "scheduled" });
    expect((await seatMap(showId)).seats.find((s) => s.seat_id === seat)?.status).toBe("available");
  });

  it("refuses to cancel a booking with 400 SHOW_CLOSED and keeps it confirmed", async () => {
    const ctx = await lockedSeats(1);
    const res = await postBooking(ctx.token, {
      show_id: ctx.showId,
      lock_id: ctx.lock.lock_id,
      seat_ids: ctx.seats,
      user_id: ctx.user,
      payment_method: card(),
    });
    const { booking } = (await res.json()) as { booking: BookingJson };
    afterTheShowStarts();
    const token = await tokenFor(ctx.user); // the first one has expired by now
    await expectError(
      await call("POST", `/v1/bookings/${booking.booking_id}/cancel`, { token }),
      400,
      "SHOW_CLOSED",
    );
    const read = await call("GET", `/v1/bookings/${booking.booking_id}`, { token });
    expect(((await read.json()) as { booking: { status: string } }).booking.status).toBe(
      "confirmed",
    );
  });
});
