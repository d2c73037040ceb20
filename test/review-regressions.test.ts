import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TEST_CARDS } from "../src/payments/payment-simulator.ts";
import { showStub } from "../src/show/show-client.ts";
import type { ShowObject } from "../src/show/show-object.ts";
import {
  BASE,
  bookingBody,
  card,
  expectError,
  ledger,
  lockedSeats,
  lockSeats,
  newKey,
  postBooking,
  rowSeats,
  seatMap,
  tokenFor,
} from "./helpers.ts";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const alarmOf = (showId: string) =>
  runInDurableObject(showStub(env, showId), (_o: ShowObject, state) => state.storage.getAlarm());

describe("payments that overlap on one lock", () => {
  it("keeps the lock held for a payment under way while the alarm settles an older one", async () => {
    const ctx = await lockedSeats(1);
    // An earlier attempt on this lock whose outcome was never settled (its refund failed).
    await runInDurableObject(showStub(env, ctx.showId), (_o: ShowObject, state) => {
      state.storage.sql.exec(
        "INSERT INTO payment_attempts (charge_key, booking_id, lock_id, amount_minor, status, started_at) VALUES (?, ?, ?, 50000, 'unknown', ?)",
        `booking_earlier_${ctx.showId}:1`,
        `booking_earlier_${ctx.showId}`,
        ctx.lock.lock_id,
        Date.now(),
      );
    });
    const paying = postBooking(
      ctx.token,
      bookingBody(ctx, { payment_method: card(TEST_CARDS.slow) }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.parse(ctx.lock.expires_at) + 5_000);
    await runDurableObjectAlarm(showStub(env, ctx.showId)); // settles the earlier attempt
    const rival = await lockSeats(await tokenFor("user_rival"), {
      show_id: ctx.showId,
      seat_ids: ctx.seats,
    });
    await expectError(rival, 400, "SEATS_ALREADY_LOCKED");
    expect((await paying).status).toBe(201);
    expect((await seatMap(ctx.showId)).seats.find((s) => s.seat_id === ctx.seats[0])?.status).toBe(
      "booked",
    );
  });

  it("does not keep 'retry shortly' as the answer for an Idempotency-Key", async () => {
    const ctx = await lockedSeats(1);
    const first = postBooking(
      ctx.token,
      bookingBody(ctx, { payment_method: card(TEST_CARDS.slow) }),
      newKey(),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const otherKey = newKey();
    await expectError(
      await postBooking(ctx.token, bookingBody(ctx), otherKey),
      409,
      "REQUEST_IN_PROGRESS",
    );
    expect((await first).status).toBe(201);
    // The retry with the same key now runs, and meets the finished booking.
    const retry = await postBooking(ctx.token, bookingBody(ctx), otherKey);
    expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
    await expectError(retry, 409, "BOOKING_EXISTS");
  });

  it("re-arms the expiry alarm when a payment fails after an alarm ran meanwhile", async () => {
    const ctx = await lockedSeats(1);
    const failing = postBooking(
      ctx.token,
      bookingBody(ctx, { payment_method: card(TEST_CARDS.timeout) }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await runDurableObjectAlarm(showStub(env, ctx.showId)); // while the lock is paying
    expect((await failing).status).toBe(422);
    await vi.waitFor(async () =>
      expect(await alarmOf(ctx.showId)).toBe(Date.parse(ctx.lock.expires_at)),
    );
    expect(
      (await ledger()).filter(
        (c) => c.reference.endsWith(ctx.showId.slice(4)) && c.status === "succeeded",
      ),
    ).toEqual([]);
  });
});

describe("the live seat map", () => {
  it("starts a new viewer's updates at its snapshot's version, even mid-burst", async () => {
    const ctx = await lockedSeats(1);
    const seats = rowSeats(await seatMap(ctx.showId), "B");
    // A change still inside the coalescing window when the viewer connects.
    await lockSeats(await tokenFor("user_burst_1"), { show_id: ctx.showId, seat_ids: [seats[0]] });
    const res = await exports.default.fetch(`${BASE}/v1/shows/${ctx.showId}/seats/live`, {
      headers: { Upgrade: "websocket" },
    });
    const ws = res.webSocket;
    if (!ws) throw new Error("no WebSocket");
    const messages: { type: string; version: number; from_version?: number }[] = [];
    ws.addEventListener("message", (event) => {
      messages.push(JSON.parse(String(event.data)));
    });
    ws.accept();
    await vi.waitFor(() => expect(messages.length).toBeGreaterThan(0));
    await lockSeats(await tokenFor("user_burst_2"), { show_id: ctx.showId, seat_ids: [seats[1]] });
    await vi.waitFor(() => expect(messages.length).toBeGreaterThan(1));
    expect(messages[0]?.type).toBe("snapshot");
    expect(messages[1]?.from_version).toBe(messages[0]?.version);
    ws.close(1000);
  });
});

describe("a cancellation whose refund cannot be confirmed at once", () => {
  it("is retried by the alarm until the refund goes through, then the booking is cancelled", async () => {
    const { PaymentSimulator } = await import("../src/payments/payment-simulator.ts");
    const ctx = await lockedSeats(1);
    const booked = await postBooking(ctx.token, bookingBody(ctx));
    const { booking } = (await booked.json()) as { booking: { booking_id: string } };
    vi.spyOn(console, "error").mockImplementation(() => {});
    const refund = vi
      .spyOn(PaymentSimulator.prototype, "refund")
      .mockImplementationOnce(async () => {
        throw new Error("provider down");
      });
    const { call } = await import("./helpers.ts");
    const first = await call("POST", `/v1/bookings/${booking.booking_id}/cancel`, {
      token: ctx.token,
    });
    const error = await expectError(first, 409, "REQUEST_IN_PROGRESS");
    expect(error.details).toMatchObject({ reason: "refund_pending" });
    expect(refund).toHaveBeenCalledTimes(1);
    expect((await seatMap(ctx.showId)).seats.find((s) => s.seat_id === ctx.seats[0])?.status).toBe(
      "booked",
    );
    await runDurableObjectAlarm(showStub(env, ctx.showId));
    const read = await call("GET", `/v1/bookings/${booking.booking_id}`, { token: ctx.token });
    expect(((await read.json()) as { booking: { status: string } }).booking.status).toBe(
      "cancelled",
    );
    // The alarm changed the show outside any request: cached seat maps catch up within 250 ms.
    await vi.waitFor(async () => {
      const map = await seatMap(ctx.showId);
      expect(map.seats.find((s) => s.seat_id === ctx.seats[0])?.status).toBe("available");
    });
    expect((await ledger()).find((c) => c.reference === booking.booking_id)?.status).toBe(
      "refunded",
    );
  });
});
