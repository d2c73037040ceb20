import { abortAllDurableObjects, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { z } from "zod";
import type { showResponse } from "../src/openapi/response-schemas.ts";
import { PaymentSimulator } from "../src/payments/payment-simulator.ts";
import {
  adminToken,
  bookingBody,
  call,
  createShow,
  expectError,
  type LockJson,
  ledger,
  lockSeats,
  newKey,
  postBooking,
  rowSeats,
  seatMap,
  stubOf,
  tokenFor,
} from "./support/helpers.ts";
import { watch } from "./support/live-viewer.ts";
import { travelTo } from "./support/time.ts";

/** PATCH /v1/shows/{id} and POST /v1/shows/{id}/cancel. */

async function patch(showId: string, body: unknown): Promise<Response> {
  return call("PATCH", `/v1/shows/${showId}`, { token: await adminToken(), body });
}

async function getShow(showId: string) {
  const res = await call("GET", `/v1/shows/${showId}`);
  return ((await res.json()) as z.infer<typeof showResponse>).show;
}

async function buy(showId: string, user: string, seatIds: string[]) {
  const token = await tokenFor(user);
  const lock = (await (
    await lockSeats(token, { show_id: showId, seat_ids: seatIds })
  ).json()) as LockJson;
  const res = await postBooking(token, {
    ...bookingBody({ showId, user, token, lock, seats: lock.seat_ids }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { booking: { booking_id: string } }).booking.booking_id;
}

describe("closing and reopening a show's sale", () => {
  it("refuses locks while closed, sells again once reopened, and tells live viewers", async () => {
    const { showId } = await createShow();
    const viewer = await watch(showId, "?format=compact");
    const seats = rowSeats(await seatMap(showId), "A");
    const closed = await patch(showId, { status: "closed" });
    expect(closed.status).toBe(200);
    expect((await getShow(showId)).status).toBe("closed");
    const token = await tokenFor("user_closed");
    await expectError(
      await lockSeats(token, { show_id: showId, seat_ids: [seats[0]] }),
      400,
      "SHOW_CLOSED",
    );
    await vi.waitFor(() => expect(viewer.messages.some((m) => m.type === "show")).toBe(true));
    expect((await patch(showId, { status: "scheduled" })).status).toBe(200);
    expect((await lockSeats(token, { show_id: showId, seat_ids: [seats[0]] })).status).toBe(200);
  });

  it("moves the show to a new time in the future, and refuses one in the past", async () => {
    const { showId } = await createShow();
    const later = new Date(Date.now() + 14 * 24 * 3600_000).toISOString();
    expect((await patch(showId, { show_time: later })).status).toBe(200);
    expect(Date.parse((await getShow(showId)).show_time)).toBe(Date.parse(later));
    const past = await patch(showId, { show_time: "2020-01-01T00:00:00Z" });
    expect((await expectError(past, 400, "INVALID_INPUT")).details?.field).toBe("show_time");
    const unknown = await patch(showId, { seats: 10, status: "closed" });
    expect((await expectError(unknown, 400, "INVALID_INPUT")).details?.field).toBeDefined();
    await expectError(await patch("show_nowhere", { status: "closed" }), 404, "NOT_FOUND");
  });
});

describe("cancelling a sold show", () => {
  it("refunds every paid booking exactly once, through provider failures and a restart", async () => {
    const { showId } = await createShow();
    const rowA = rowSeats(await seatMap(showId), "A");
    const paid = [
      await buy(showId, "user_cx_1", rowA.slice(0, 2)),
      await buy(showId, "user_cx_2", rowA.slice(2, 3)),
      await buy(showId, "user_cx_3", rowA.slice(3, 5)),
    ];
    // A pending booking (no card) and a live lock.
    const holder = await tokenFor("user_cx_4");
    const lock = (await (
      await lockSeats(holder, { show_id: showId, seat_ids: [rowA[6]] })
    ).json()) as LockJson;
    const pending = await call("POST", "/v1/bookings", {
      token: holder,
      headers: { "Idempotency-Key": newKey() },
      body: {
        show_id: showId,
        lock_id: lock.lock_id,
        seat_ids: lock.seat_ids,
        user_id: "user_cx_4",
      },
    });
    expect(pending.status).toBe(201);
    await lockSeats(holder, { show_id: showId, seat_ids: [rowA[8]] });

    vi.spyOn(console, "error").mockImplementation(() => {});
    const refund = vi.spyOn(PaymentSimulator.prototype, "refund").mockImplementation(async () => {
      throw new Error("provider down");
    });
    const admin = await adminToken();
    const cancel = () =>
      call("POST", `/v1/shows/${showId}/cancel`, { token: admin, body: { reason: "Artist ill" } });
    expect((await cancel()).status).toBe(202);
    expect((await getShow(showId)).cancellation).toMatchObject({
      bookings: 3,
      refunded: 0,
      pending: 3,
    });
    await expectError(
      await lockSeats(await tokenFor("user_cx_5"), { show_id: showId, seat_ids: [rowA[9]] }),
      400,
      "SHOW_CLOSED",
    );
    // The locks are gone at once; the paid seats stay booked until refunded.
    const during = await seatMap(showId);
    expect(during.seats.filter((s) => s.status === "locked")).toEqual([]);

    // The provider stays down for a while, the object restarts, then the provider recovers.
    await runDurableObjectAlarm(stubOf(showId));
    await abortAllDurableObjects();
    refund.mockRestore();
    travelTo(Date.now() + 60 * 60_000);
    expect(await runDurableObjectAlarm(stubOf(showId))).toBe(true);
    vi.useRealTimers();

    expect((await cancel()).status).toBe(202);
    const after = await getShow(showId);
    expect(after.status).toBe("cancelled");
    expect(after.cancellation).toMatchObject({ bookings: 3, refunded: 3, pending: 0 });
    const charges = (await ledger()).filter((c) => paid.includes(c.reference));
    expect(charges).toHaveLength(3);
    expect(charges.every((c) => c.status === "refunded")).toBe(true);
    for (const bookingId of paid) {
      const res = await call("GET", `/v1/bookings/${bookingId}`, { token: admin });
      expect(((await res.json()) as { booking: { status: string } }).booking.status).toBe(
        "cancelled",
      );
    }
    const map = await seatMap(showId);
    expect(map.seats.every((s) => s.status === "available")).toBe(true);
    await expectError(await patch(showId, { status: "scheduled" }), 409, "SHOW_CANCELLED");
  });
});

describe("a price change", () => {
  it("applies to locks made after it, while a live lock's booking keeps its prices", async () => {
    const { showId } = await createShow();
    const seats = rowSeats(await seatMap(showId), "A");
    const early = await tokenFor("user_price_early");
    const before = (await (
      await lockSeats(early, { show_id: showId, seat_ids: seats.slice(0, 2) })
    ).json()) as LockJson;
    const changed = await patch(showId, { prices: { premium: 750 } });
    expect(changed.status).toBe(200);
    expect((await getShow(showId)).prices?.premium).toBe(750);
    const layout = (await (await call("GET", `/v1/shows/${showId}/layout`)).json()) as {
      seats: { zone: string; price: number }[];
    };
    expect(layout.seats.find((s) => s.zone === "premium")?.price).toBe(750);

    const booked = await postBooking(early, {
      ...bookingBody({
        showId,
        user: "user_price_early",
        token: early,
        lock: before,
        seats: before.seat_ids,
      }),
    });
    const { booking } = (await booked.json()) as {
      booking: { total_amount: number; seats: { price: number }[] };
    };
    expect(booking.total_amount).toBe(1000);
    expect(booking.seats.map((s) => s.price)).toEqual([500, 500]);

    const late = await tokenFor("user_price_late");
    const after = (await (
      await lockSeats(late, { show_id: showId, seat_ids: seats.slice(2, 4) })
    ).json()) as LockJson;
    const lateBooking = await postBooking(late, {
      ...bookingBody({
        showId,
        user: "user_price_late",
        token: late,
        lock: after,
        seats: after.seat_ids,
      }),
    });
    expect(
      ((await lateBooking.json()) as { booking: { total_amount: number } }).booking.total_amount,
    ).toBe(1500);
    const bad = await patch(showId, { prices: { balcony: 10 } });
    expect((await expectError(bad, 400, "INVALID_INPUT")).details?.field).toBe("prices.balcony");
  });
});

describe("webhooks of show changes", () => {
  it("record show.updated and show.cancelled with the change, for the webhooks that asked", async () => {
    const { showId } = await createShow();
    const admin = await adminToken();
    const created = await call("POST", "/v1/webhooks", {
      token: admin,
      body: { url: "https://crm.example.com/shows", events: ["show.updated", "show.cancelled"] },
    });
    const { webhook } = (await created.json()) as { webhook: { webhook_id: string } };
    expect((await patch(showId, { status: "closed" })).status).toBe(200);
    const cancel = await call("POST", `/v1/shows/${showId}/cancel`, {
      token: admin,
      body: { reason: "Venue flooded" },
    });
    expect(cancel.status).toBe(202);
    await vi.waitFor(async () => {
      const res = await call("GET", `/v1/webhooks/${webhook.webhook_id}/deliveries`, {
        token: admin,
      });
      const { deliveries } = (await res.json()) as { deliveries: { type: string }[] };
      expect(deliveries.map((d) => d.type).sort()).toEqual(["show.cancelled", "show.updated"]);
    });
    // No receiver listens in tests: stop the retries.
    await call("DELETE", `/v1/webhooks/${webhook.webhook_id}`, { token: admin });
  });
});
