import { describe, expect, it, vi } from "vitest";
import {
  adminToken,
  bookingBody,
  call,
  expectError,
  type LockJson,
  ledger,
  lockedSeats,
  lockSeats,
  newKey,
  postBooking,
  rowSeats,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";

/** GET /v1/shows/{id}/report and GET /v1/shows/{id}/bookings, for organizers. */

interface Report {
  seats: {
    zones: Record<string, Record<string, number>>;
    total: Record<string, number>;
  };
  bookings: Record<string, number>;
  gross: number;
  refunds: number;
  net: number;
  currency: string;
}

async function reportOf(showId: string): Promise<Report> {
  const res = await call("GET", `/v1/shows/${showId}/report`, { token: await adminToken() });
  expect(res.status).toBe(200);
  return ((await res.json()) as { report: Report }).report;
}

/** A show with two paid bookings (one cancelled since), a pending one and a live lock. */
async function soldShow() {
  const ctx = await lockedSeats(2, "user_report_a");
  const paid = await postBooking(ctx.token, bookingBody(ctx));
  const { booking } = (await paid.json()) as { booking: { booking_id: string } };
  const seats = rowSeats(await seatMap(ctx.showId), "C");
  const buyer = await tokenFor("user_report_b");
  const lockB = await lockSeats(buyer, { show_id: ctx.showId, seat_ids: seats.slice(0, 3) });
  const b = (await lockB.json()) as LockJson;
  const second = await postBooking(buyer, {
    ...bookingBody({ ...ctx, user: "user_report_b", lock: b, seats: b.seat_ids }),
  });
  expect(second.status).toBe(201);
  const cancel = await call("POST", `/v1/bookings/${booking.booking_id}/cancel`, {
    token: ctx.token,
  });
  expect(cancel.status).toBe(200);
  const pendingLock = await lockSeats(buyer, { show_id: ctx.showId, seat_ids: [seats[5]] });
  const p = (await pendingLock.json()) as { lock_id: string; seat_ids: string[] };
  const pending = await call("POST", "/v1/bookings", {
    token: buyer,
    headers: { "Idempotency-Key": newKey() },
    body: {
      show_id: ctx.showId,
      lock_id: p.lock_id,
      seat_ids: p.seat_ids,
      user_id: "user_report_b",
    },
  });
  expect(pending.status).toBe(201);
  await lockSeats(buyer, { show_id: ctx.showId, seat_ids: [seats[7]] });
  return ctx.showId;
}

describe("the sales report", () => {
  it("agrees with the seat map and the payment ledger", async () => {
    const showId = await soldShow();
    const [report, map, charges] = await Promise.all([reportOf(showId), seatMap(showId), ledger()]);
    for (const zone of Object.keys(map.zones)) {
      const seats = map.seats.filter((s) => s.zone === zone);
      const count = (status: string) => seats.filter((s) => s.status === status).length;
      expect(report.seats.zones[zone]).toEqual({
        available: count("available"),
        locked: count("locked"),
        held: 0,
        booked: count("booked"),
        resale: count("resale"),
        total: seats.length,
      });
    }
    expect(report.seats.total.booked).toBe(3);
    expect(report.seats.total.locked).toBe(2);
    expect(report.bookings).toEqual({ pending: 1, confirmed: 1, cancelled: 1, expired: 0 });
    const ofShow = charges.filter((c) => c.reference.endsWith(showId.slice("show_".length)));
    const minor = (list: typeof ofShow) => list.reduce((sum, c) => sum + c.amount_minor, 0) / 100;
    expect(report.gross).toBe(minor(ofShow.filter((c) => c.status !== "declined")));
    expect(report.refunds).toBe(minor(ofShow.filter((c) => c.status === "refunded")));
    expect(report.net).toBe(report.gross - report.refunds);
    expect(report.gross).toBe(1000 + 900);
    expect(report.currency).toBe("INR");
  });

  it("is for admins only, and 404 for a show that does not exist", async () => {
    const { showId } = await lockedSeats(1, "user_report_c");
    const user = await tokenFor("user_report_c");
    await expectError(
      await call("GET", `/v1/shows/${showId}/report`, { token: user }),
      403,
      "FORBIDDEN",
    );
    await expectError(
      await call("GET", "/v1/shows/show_nowhere/report", { token: await adminToken() }),
      404,
      "NOT_FOUND",
    );
  });
});

describe("the show's bookings", () => {
  it("lists them newest first, filtered by status", async () => {
    const showId = await soldShow();
    const admin = await adminToken();
    // The list reads D1, which has a show's changes within its batch window.
    await vi.waitFor(async () => {
      const all = await call("GET", `/v1/shows/${showId}/bookings`, { token: admin });
      const { bookings } = (await all.json()) as { bookings: { status: string }[] };
      expect(bookings.map((b) => b.status).sort()).toEqual(["cancelled", "confirmed", "pending"]);
    });
    const confirmed = await call("GET", `/v1/shows/${showId}/bookings?status=confirmed`, {
      token: admin,
    });
    const only = (await confirmed.json()) as { bookings: { status: string }[] };
    expect(only.bookings.map((b) => b.status)).toEqual(["confirmed"]);
    const bad = await call("GET", `/v1/shows/${showId}/bookings?status=sold`, { token: admin });
    expect((await expectError(bad, 400, "INVALID_INPUT")).details?.field).toBe("status");
  });
});
