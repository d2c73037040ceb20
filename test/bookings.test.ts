import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { TEST_CARDS } from "../src/payments/payment-simulator.ts";
import {
  adminToken,
  type BookingJson,
  bookingBody,
  call,
  card,
  d1CaughtUp,
  expectError,
  ledger,
  lockedSeats,
  lockSeats,
  newKey,
  postBooking,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";
import { travelTo } from "./support/time.ts";

async function statuses(showId: string, seats: string[]): Promise<string[]> {
  const map = await seatMap(showId);
  return seats.map((id) => map.seats.find((s) => s.seat_id === id)?.status ?? "missing");
}

describe("POST /v1/bookings with a card", () => {
  it("charges, confirms and answers 201 with the documented booking", async () => {
    const ctx = await lockedSeats(3);
    const res = await postBooking(ctx.token, bookingBody(ctx));
    expect(res.status).toBe(201);
    const { booking } = (await res.json()) as { booking: BookingJson };
    expect(booking).toEqual({
      booking_id: expect.stringMatching(/^booking_/),
      show_id: ctx.showId,
      user_id: ctx.user,
      seats: ctx.seats.map((seat_id, i) => ({ seat_id, row: "A", number: i + 1, price: 500 })),
      total_amount: 1500,
      status: "confirmed",
      payment_id: expect.stringMatching(/^pay_/),
      ticket_id: expect.stringMatching(/^ticket_/),
      // One ticket per seat; the booking's ticket_id is the first's.
      tickets: ctx.seats.map((seat_id) => ({
        ticket_id: expect.stringMatching(/^ticket_/),
        seat_id,
        status: "valid",
        user_id: ctx.user,
      })),
      created_at: expect.any(String),
    });
    expect(booking.tickets[0]?.ticket_id).toBe(booking.ticket_id);
    expect(await statuses(ctx.showId, ctx.seats)).toEqual(["booked", "booked", "booked"]);

    // D1 has the booking, its seats and the payment (brand and last four only), once the
    // show's batch window ends.
    await d1CaughtUp(ctx.showId);
    const row = await env.DB.prepare(
      "SELECT status, total_amount, lock_id FROM bookings WHERE booking_id = ?",
    )
      .bind(booking.booking_id)
      .first();
    expect(row).toEqual({ status: "confirmed", total_amount: 1500, lock_id: ctx.lock.lock_id });
    const payment = await env.DB.prepare(
      "SELECT status, amount, card_brand, card_last4 FROM payments WHERE booking_id = ?",
    )
      .bind(booking.booking_id)
      .first();
    expect(payment).toEqual({
      status: "succeeded",
      amount: 1500,
      card_brand: "visa",
      card_last4: "1111",
    });
    const lockRows = await env.DB.prepare(
      "SELECT DISTINCT status FROM seat_locks WHERE lock_id = ?",
    )
      .bind(ctx.lock.lock_id)
      .all();
    expect(lockRows.results).toEqual([{ status: "confirmed" }]);
    // Exactly one charge, for this amount.
    const charges = (await ledger()).filter((c) => c.reference === booking.booking_id);
    expect(charges.map((c) => [c.status, c.amount_minor])).toEqual([["succeeded", 150_000]]);
  });

  it("refuses a user_id that is not the token's subject with 403", async () => {
    const ctx = await lockedSeats();
    const res = await postBooking(
      ctx.token,
      bookingBody(ctx, { user_id: "someone_else", payment_method: card() }),
    );
    await expectError(res, 403, "FORBIDDEN");
  });

  it("requires an Idempotency-Key of 1-255 characters", async () => {
    const ctx = await lockedSeats();
    const missing = await expectError(
      await postBooking(ctx.token, bookingBody(ctx), null),
      400,
      "INVALID_INPUT",
    );
    expect(missing.details?.field).toBe("Idempotency-Key");
    await expectError(
      await postBooking(ctx.token, bookingBody(ctx), "k".repeat(256)),
      400,
      "INVALID_INPUT",
    );
    expect(await statuses(ctx.showId, ctx.seats)).toEqual(["locked", "locked"]);
  });

  it("refuses another user's lock, naming lock_id", async () => {
    const ctx = await lockedSeats();
    const thief = await tokenFor("user_thief");
    const res = await postBooking(
      thief,
      bookingBody(ctx, { user_id: "user_thief", payment_method: card() }),
    );
    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details?.field).toBe("lock_id");
  });

  it("refuses seat_ids that are not exactly the lock's seats", async () => {
    const ctx = await lockedSeats(3);
    const res = await postBooking(
      ctx.token,
      bookingBody(ctx, { seat_ids: ctx.seats.slice(0, 2), payment_method: card() }),
    );
    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details).toMatchObject({ field: "seat_ids", locked_seats: ctx.seats });
    expect((await ledger()).some((c) => c.reference.endsWith(ctx.showId.slice(5)))).toBe(false);
  });

  it("answers LOCK_EXPIRED for a lock past its expiry", async () => {
    const ctx = await lockedSeats();
    travelTo(Date.parse(ctx.lock.expires_at) + 1000);
    const error = await expectError(
      await postBooking(ctx.token, bookingBody(ctx)),
      400,
      "LOCK_EXPIRED",
    );
    expect(error.details).toMatchObject({ lock_id: ctx.lock.lock_id });
  });

  it("answers 409 BOOKING_EXISTS to a second booking for the same lock", async () => {
    const ctx = await lockedSeats();
    const first = (await (await postBooking(ctx.token, bookingBody(ctx))).json()) as {
      booking: BookingJson;
    };
    const error = await expectError(
      await postBooking(ctx.token, bookingBody(ctx)),
      409,
      "BOOKING_EXISTS",
    );
    expect(error.details).toEqual({ field: "lock_id", booking_id: first.booking.booking_id });
  });

  it.each([
    [TEST_CARDS.declined, "card_declined"],
    [TEST_CARDS.insufficientFunds, "insufficient_funds"],
    ["4111111111111112", "invalid_card_number"],
  ])(
    "answers 422 PAYMENT_FAILED for card %s (%s); the lock holds and another card succeeds",
    async (number, reason) => {
      const ctx = await lockedSeats();
      const res = await postBooking(ctx.token, bookingBody(ctx, { payment_method: card(number) }));
      const error = await expectError(res, 422, "PAYMENT_FAILED");
      expect(error.details).toMatchObject({ reason, card_last4: number.slice(-4) });
      expect(await statuses(ctx.showId, ctx.seats)).toEqual(["locked", "locked"]);
      const retry = await postBooking(
        ctx.token,
        bookingBody(ctx, { payment_method: card(TEST_CARDS.successAlt) }),
      );
      expect(retry.status).toBe(201);
      expect(await statuses(ctx.showId, ctx.seats)).toEqual(["booked", "booked"]);
    },
  );

  it("declines an expired card", async () => {
    const ctx = await lockedSeats();
    const expired = { ...card(), expiry_year: 2020 };
    const error = await expectError(
      await postBooking(ctx.token, bookingBody(ctx, { payment_method: expired })),
      422,
      "PAYMENT_FAILED",
    );
    expect(error.details?.reason).toBe("expired_card");
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "a card number with letters",
      { card_number: "4111abcd11111111" },
      "payment_method.card_number",
    ],
    ["a month of 13", { expiry_month: 13 }, "payment_method.expiry_month"],
    ["a two-digit CVV", { cvv: "12" }, "payment_method.cvv"],
    ["an unknown type", { type: "cash" }, "payment_method.type"],
  ])("refuses %s with 400 naming %s, charging nothing", async (_name, patch, field) => {
    const ctx = await lockedSeats();
    const res = await postBooking(
      ctx.token,
      bookingBody(ctx, { payment_method: { ...card(), ...patch } }),
    );
    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details?.field).toBe(field);
    expect(await statuses(ctx.showId, ctx.seats)).toEqual(["locked", "locked"]);
  });
});

describe("POST /v1/bookings without a card, then POST /v1/payments", () => {
  async function pendingBooking() {
    const ctx = await lockedSeats(2);
    const res = await postBooking(ctx.token, bookingBody(ctx, {}));
    expect(res.status).toBe(201);
    const { booking } = (await res.json()) as { booking: BookingJson };
    return { ctx, booking };
  }

  function pay(token: string, body: Record<string, unknown>, key = newKey()) {
    return call("POST", "/v1/payments", { token, body, headers: { "Idempotency-Key": key } });
  }

  it("makes a pending booking that holds its seats", async () => {
    const { ctx, booking } = await pendingBooking();
    expect(booking.status).toBe("pending");
    expect(booking.payment_id).toBeNull();
    expect(booking.total_amount).toBe(1000);
    expect(await statuses(ctx.showId, ctx.seats)).toEqual(["locked", "locked"]);
  });

  it("pays it with the documented payment response and confirms it", async () => {
    const { ctx, booking } = await pendingBooking();
    const res = await pay(ctx.token, {
      booking_id: booking.booking_id,
      amount: 1000,
      payment_method: card(),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      payment_id: expect.stringMatching(/^pay_/),
      booking_id: booking.booking_id,
      status: "succeeded",
      amount: 1000,
      processed_at: expect.any(String),
      tickets: ctx.seats.map((seat_id) => ({
        ticket_id: expect.stringMatching(/^ticket_/),
        seat_id,
        status: "valid",
        user_id: ctx.user,
      })),
    });
    expect(await statuses(ctx.showId, ctx.seats)).toEqual(["booked", "booked"]);
    const read = await call("GET", `/v1/bookings/${booking.booking_id}`, { token: ctx.token });
    expect(((await read.json()) as { booking: { status: string } }).booking.status).toBe(
      "confirmed",
    );
  });

  it("refuses an amount that is not the booking's total, naming amount", async () => {
    const { ctx, booking } = await pendingBooking();
    const res = await pay(ctx.token, {
      booking_id: booking.booking_id,
      amount: 999,
      payment_method: card(),
    });
    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details?.field).toBe("amount");
  });

  it("keeps the booking pending after a decline, and a second card pays it", async () => {
    const { ctx, booking } = await pendingBooking();
    const declined = await pay(ctx.token, {
      booking_id: booking.booking_id,
      amount: 1000,
      payment_method: card(TEST_CARDS.declined),
    });
    await expectError(declined, 422, "PAYMENT_FAILED");
    const ok = await pay(ctx.token, {
      booking_id: booking.booking_id,
      amount: 1000,
      payment_method: card(),
    });
    expect(ok.status).toBe(200);
    const again = await pay(ctx.token, {
      booking_id: booking.booking_id,
      amount: 1000,
      payment_method: card(),
    });
    await expectError(again, 400, "INVALID_INPUT");
    const charges = (await ledger()).filter((c) => c.reference === booking.booking_id);
    expect(charges.filter((c) => c.status === "succeeded")).toHaveLength(1);
  });

  it("hides another user's booking with 404", async () => {
    const { booking } = await pendingBooking();
    const res = await pay(await tokenFor("user_other"), {
      booking_id: booking.booking_id,
      amount: 1000,
      payment_method: card(),
    });
    await expectError(res, 404, "NOT_FOUND");
  });

  it("expires the pending booking with its lock", async () => {
    const { ctx, booking } = await pendingBooking();
    travelTo(Date.parse(ctx.lock.expires_at) + 1000);
    const res = await pay(ctx.token, {
      booking_id: booking.booking_id,
      amount: 1000,
      payment_method: card(),
    });
    await expectError(res, 400, "LOCK_EXPIRED");
    await vi.waitFor(async () => {
      const row = await env.DB.prepare("SELECT status FROM bookings WHERE booking_id = ?")
        .bind(booking.booking_id)
        .first<{ status: string }>();
      expect(row?.status).toBe("expired");
    });
    const active = await env.DB.prepare(
      "SELECT DISTINCT active FROM booking_seats WHERE booking_id = ?",
    )
      .bind(booking.booking_id)
      .all();
    expect(active.results).toEqual([{ active: 0 }]);
  });
});

describe("GET /v1/bookings/{booking_id} and GET /v1/bookings", () => {
  it("shows the owner the documented booking, with its show and ticket URL", async () => {
    const ctx = await lockedSeats(2);
    const { booking } = (await (await postBooking(ctx.token, bookingBody(ctx))).json()) as {
      booking: BookingJson;
    };
    const res = await call("GET", `/v1/bookings/${booking.booking_id}`, { token: ctx.token });
    expect(res.status).toBe(200);
    const { booking: read } = (await res.json()) as { booking: Record<string, unknown> };
    expect(read).toMatchObject({
      booking_id: booking.booking_id,
      show: {
        show_id: ctx.showId,
        event_name: "Avengers: Endgame",
        show_time: expect.any(String),
        venue: "PVR Cinemas",
      },
      seats: booking.seats,
      total_amount: 1000,
      status: "confirmed",
      ticket_url: `https://tickets.example.com/tickets/${booking.ticket_id}`,
    });
  });

  it("hides a booking from other users with 404 but shows it to an admin", async () => {
    const ctx = await lockedSeats();
    const { booking } = (await (await postBooking(ctx.token, bookingBody(ctx))).json()) as {
      booking: BookingJson;
    };
    const other = await call("GET", `/v1/bookings/${booking.booking_id}`, {
      token: await tokenFor("user_z"),
    });
    await expectError(other, 404, "NOT_FOUND");
    const admin = await call("GET", `/v1/bookings/${booking.booking_id}`, {
      token: await adminToken(),
    });
    expect(admin.status).toBe(200);
  });

  it("lists the caller's bookings newest first, a page at a time", async () => {
    const user = `user_list_${Date.now()}`;
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ctx = await lockedSeats(1, user);
      const { booking } = (await (await postBooking(ctx.token, bookingBody(ctx))).json()) as {
        booking: BookingJson;
      };
      made.push(booking.booking_id);
      await d1CaughtUp(ctx.showId);
    }
    const token = await tokenFor(user);
    const first = (await (await call("GET", "/v1/bookings?limit=2", { token })).json()) as {
      bookings: { booking_id: string }[];
      next_cursor: string;
    };
    const second = (await (
      await call("GET", `/v1/bookings?limit=2&cursor=${first.next_cursor}`, { token })
    ).json()) as {
      bookings: { booking_id: string }[];
      next_cursor: string | null;
    };
    expect([...first.bookings, ...second.bookings].map((b) => b.booking_id)).toEqual(
      [...made].reverse(),
    );
    expect(second.next_cursor).toBeNull();
    const stranger = (await (
      await call("GET", "/v1/bookings", { token: await tokenFor("user_nobody") })
    ).json()) as {
      bookings: unknown[];
    };
    expect(stranger.bookings).toEqual([]);
  });
});

describe("POST /v1/bookings/{booking_id}/cancel", () => {
  it("refunds, cancels and frees the seats; a repeat answers the same", async () => {
    const ctx = await lockedSeats(2);
    const { booking } = (await (await postBooking(ctx.token, bookingBody(ctx))).json()) as {
      booking: BookingJson;
    };
    const res = await call("POST", `/v1/bookings/${booking.booking_id}/cancel`, {
      token: ctx.token,
    });
    expect(res.status).toBe(200);
    const { booking: cancelled } = (await res.json()) as {
      booking: { status: string; cancelled_at: string; ticket_url: string | null };
    };
    expect(cancelled.status).toBe("cancelled");
    expect(Date.parse(cancelled.cancelled_at)).toBeGreaterThan(0);
    expect(cancelled.ticket_url).toBeNull();
    expect(await statuses(ctx.showId, ctx.seats)).toEqual(["available", "available"]);
    const charge = (await ledger()).find((c) => c.reference === booking.booking_id);
    expect(charge?.status).toBe("refunded");
    const again = await call("POST", `/v1/bookings/${booking.booking_id}/cancel`, {
      token: ctx.token,
    });
    expect(again.status).toBe(200);
    await vi.waitFor(async () => {
      const row = await env.DB.prepare(
        "SELECT b.status, p.status AS payment FROM bookings b JOIN payments p USING (booking_id) WHERE booking_id = ?",
      )
        .bind(booking.booking_id)
        .first();
      expect(row).toEqual({ status: "cancelled", payment: "refunded" });
    });
    // The seats can be sold again.
    const relock = await lockSeats(await tokenFor("user_next"), {
      show_id: ctx.showId,
      seat_ids: ctx.seats,
    });
    expect(relock.status).toBe(200);
  });

  it("cancels a pending booking and releases its lock", async () => {
    const ctx = await lockedSeats(2);
    const { booking } = (await (await postBooking(ctx.token, bookingBody(ctx, {}))).json()) as {
      booking: BookingJson;
    };
    const res = await call("POST", `/v1/bookings/${booking.booking_id}/cancel`, {
      token: ctx.token,
    });
    expect(res.status).toBe(200);
    expect(await statuses(ctx.showId, ctx.seats)).toEqual(["available", "available"]);
  });

  it("hides the booking from other users with 404", async () => {
    const ctx = await lockedSeats();
    const { booking } = (await (await postBooking(ctx.token, bookingBody(ctx))).json()) as {
      booking: BookingJson;
    };
    const res = await call("POST", `/v1/bookings/${booking.booking_id}/cancel`, {
      token: await tokenFor("user_x"),
    });
    await expectError(res, 404, "NOT_FOUND");
    expect(await statuses(ctx.showId, ctx.seats)).toEqual(["booked", "booked"]);
  });
});
