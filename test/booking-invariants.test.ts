import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { simulatorStub } from "../src/contract/object-stubs.ts";
import { TEST_CARDS } from "../src/payments/payment-simulator.ts";
import type { ShowObject } from "../src/show/show-object.ts";
import {
  alarmOf,
  type BookingJson,
  bookingBody,
  call,
  card,
  d1BookingStatus,
  d1CaughtUp,
  expectError,
  ledger,
  lockedSeats,
  lockSeats,
  newKey,
  postBooking,
  seatMap,
  stubOf,
  tokenFor,
} from "./support/helpers.ts";
import { travelTo } from "./support/time.ts";

async function chargesFor(showId: string) {
  const suffix = `_${showId.slice("show_".length)}`;
  return (await ledger()).filter((c) => c.reference.endsWith(suffix));
}

describe("Idempotency-Key", () => {
  it("turns 20 concurrent identical requests into one booking and one charge", async () => {
    const ctx = await lockedSeats(2);
    const key = newKey();
    const body = bookingBody(ctx, { payment_method: card(TEST_CARDS.slow) });
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => postBooking(ctx.token, body, key)),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    for (const res of responses.filter((r) => r.status === 409)) {
      await expectError(res, 409, "REQUEST_IN_PROGRESS");
    }
    const created = await Promise.all(
      responses.filter((r) => r.status === 201).map((r) => r.text()),
    );
    expect(new Set(created).size).toBe(1);
    const charges = await chargesFor(ctx.showId);
    expect(charges.map((c) => c.status)).toEqual(["succeeded"]);
    await d1CaughtUp(ctx.showId);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM bookings WHERE lock_id = ?")
      .bind(ctx.lock.lock_id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(1);
  });

  it("replays the first response byte for byte, marked Idempotent-Replayed", async () => {
    const ctx = await lockedSeats(2);
    const key = newKey();
    const first = await postBooking(ctx.token, bookingBody(ctx), key);
    const firstText = await first.text();
    expect(first.status).toBe(201);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    // Once from the show object's log, once from KV (written in the background).
    for (let i = 0; i < 2; i++) {
      const again = await postBooking(ctx.token, bookingBody(ctx), key);
      expect(again.status).toBe(201);
      expect(again.headers.get("Idempotent-Replayed")).toBe("true");
      expect(await again.text()).toBe(firstText);
    }
    expect(await chargesFor(ctx.showId)).toHaveLength(1);
  });

  it("refuses the same key with a different request with 422", async () => {
    const ctx = await lockedSeats(2);
    const key = newKey();
    expect(
      (
        await postBooking(
          ctx.token,
          bookingBody(ctx, { payment_method: card(TEST_CARDS.declined) }),
          key,
        )
      ).status,
    ).toBe(422);
    const other = await postBooking(
      ctx.token,
      bookingBody(ctx, { payment_method: card(TEST_CARDS.success) }),
      key,
    );
    await expectError(other, 422, "IDEMPOTENCY_KEY_REUSED");
    expect((await chargesFor(ctx.showId)).filter((c) => c.status === "succeeded")).toHaveLength(0);
  });

  it("scopes keys by user: another user's same key is a new request", async () => {
    const a = await lockedSeats(1, "user_key_a");
    const b = await lockedSeats(1, "user_key_b");
    const key = newKey();
    expect((await postBooking(a.token, bookingBody(a), key)).status).toBe(201);
    expect((await postBooking(b.token, bookingBody(b), key)).status).toBe(201);
  });

  it("makes seat locks replayable too", async () => {
    const ctx = await lockedSeats(1);
    const map = await seatMap(ctx.showId);
    const seat = map.seats.find((s) => s.row === "B")?.seat_id;
    const key = newKey();
    const headers = { "Idempotency-Key": key };
    const body = { show_id: ctx.showId, seat_ids: [seat] };
    const first = await call("POST", "/v1/seats/lock", { token: ctx.token, body, headers });
    const again = await call("POST", "/v1/seats/lock", { token: ctx.token, body, headers });
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await again.text()).toBe(await first.text());
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
});

describe("payment failures", () => {
  it("keeps the confirmation when D1 fails after the charge, and D1 gets it from the retry", async () => {
    const ctx = await lockedSeats(2);
    await env.DB.prepare(
      "CREATE TRIGGER inject_d1_failure BEFORE INSERT ON bookings BEGIN SELECT RAISE(ABORT, 'injected D1 failure'); END",
    ).run();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await postBooking(ctx.token, bookingBody(ctx));
    expect(res.status).toBe(201);
    const { booking } = (await res.json()) as { booking: BookingJson };
    expect(await d1BookingStatus(booking.booking_id)).toBeUndefined();
    // Meanwhile the booking reads from its show object, and its seats are sold.
    const read = await call("GET", `/v1/bookings/${booking.booking_id}`, { token: ctx.token });
    expect(((await read.json()) as { booking: { status: string } }).booking.status).toBe(
      "confirmed",
    );
    expect(
      (await seatMap(ctx.showId)).seats
        .filter((s) => ctx.seats.includes(s.seat_id))
        .map((s) => s.status),
    ).toEqual(["booked", "booked"]);

    await env.DB.prepare("DROP TRIGGER inject_d1_failure").run();
    const stub = stubOf(ctx.showId);
    expect(await alarmOf(ctx.showId)).not.toBeNull();
    await runDurableObjectAlarm(stub);
    expect(await d1BookingStatus(booking.booking_id)).toBe("confirmed");
    const seats = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM booking_seats WHERE booking_id = ? AND active = 1",
    )
      .bind(booking.booking_id)
      .first<{ n: number }>();
    expect(seats?.n).toBe(2);
    expect((await chargesFor(ctx.showId)).map((c) => c.status)).toEqual(["succeeded"]);
  });

  it("leaves no charge without a booking when the gateway times out", async () => {
    const ctx = await lockedSeats(2);
    const res = await postBooking(
      ctx.token,
      bookingBody(ctx, { payment_method: card(TEST_CARDS.timeout) }),
    );
    const error = await expectError(res, 422, "PAYMENT_FAILED");
    expect(error.details).toMatchObject({ reason: "gateway_timeout", settled: true });
    // The provider did take the charge, late: it has been refunded.
    await vi.waitFor(async () =>
      expect((await chargesFor(ctx.showId)).map((c) => c.status)).toEqual(["refunded"]),
    );
    // The lock still holds, and another card completes the booking.
    const retry = await postBooking(ctx.token, bookingBody(ctx));
    expect(retry.status).toBe(201);
    const charges = await chargesFor(ctx.showId);
    expect(charges.filter((c) => c.status === "succeeded")).toHaveLength(1);
  });

  it("refunds a charge the provider took before failing", async () => {
    const ctx = await lockedSeats(1);
    const res = await postBooking(
      ctx.token,
      bookingBody(ctx, { payment_method: card(TEST_CARDS.failAfterCharge) }),
    );
    const error = await expectError(res, 422, "PAYMENT_FAILED");
    expect(error.details).toMatchObject({ reason: "gateway_error", settled: true });
    expect((await chargesFor(ctx.showId)).map((c) => c.status)).toEqual(["refunded"]);
    expect((await seatMap(ctx.showId)).seats.find((s) => s.seat_id === ctx.seats[0])?.status).toBe(
      "locked",
    );
  });

  it("does not sell the seats twice when the lock expires mid-payment", async () => {
    const ctx = await lockedSeats(2);
    // The slow card takes ~200 ms to answer; meanwhile the clock passes the lock's expiry.
    const booking = postBooking(
      ctx.token,
      bookingBody(ctx, { payment_method: card(TEST_CARDS.slow) }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    travelTo(Date.parse(ctx.lock.expires_at) + 5_000);
    const rival = await tokenFor("user_rival");
    await expectError(
      await lockSeats(rival, { show_id: ctx.showId, seat_ids: ctx.seats }),
      400,
      "SEATS_ALREADY_LOCKED",
    );
    await runDurableObjectAlarm(stubOf(ctx.showId));
    await expectError(
      await lockSeats(rival, { show_id: ctx.showId, seat_ids: ctx.seats }),
      400,
      "SEATS_ALREADY_LOCKED",
    );
    const res = await booking;
    expect(res.status).toBe(201);
    const map = await seatMap(ctx.showId);
    expect(map.seats.filter((s) => ctx.seats.includes(s.seat_id)).map((s) => s.status)).toEqual([
      "booked",
      "booked",
    ]);
    await expectError(
      await lockSeats(rival, { show_id: ctx.showId, seat_ids: ctx.seats }),
      400,
      "SEATS_UNAVAILABLE",
    );
    expect((await chargesFor(ctx.showId)).map((c) => c.status)).toEqual(["succeeded"]);
  });

  it("keeps the lock held for a payment under way while the alarm settles an older one", async () => {
    const ctx = await lockedSeats(1);
    // An earlier attempt on this lock whose outcome was never settled (its refund failed).
    await runInDurableObject(stubOf(ctx.showId), (_o: ShowObject, state) => {
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
    travelTo(Date.parse(ctx.lock.expires_at) + 5_000);
    await runDurableObjectAlarm(stubOf(ctx.showId)); // settles the earlier attempt
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

  it("re-arms the expiry alarm when a payment fails after an alarm ran meanwhile", async () => {
    const ctx = await lockedSeats(1);
    const failing = postBooking(
      ctx.token,
      bookingBody(ctx, { payment_method: card(TEST_CARDS.timeout) }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await runDurableObjectAlarm(stubOf(ctx.showId)); // while the lock is paying
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

describe("a show object stopped mid-payment", () => {
  it("settles the payment on restart: no charge is left without a booking", async () => {
    const ctx = await lockedSeats(1);
    // The cut-off request itself ends in a logged 500.
    vi.spyOn(console, "error").mockImplementation(() => {});
    const cutOff = postBooking(
      ctx.token,
      bookingBody(ctx, { payment_method: card(TEST_CARDS.timeout) }),
    ).catch((err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await abortAllDurableObjects();
    await cutOff;
    const stub = stubOf(ctx.showId);
    // Restarted: the lock is held until the alarm has settled the payment.
    expect((await seatMap(ctx.showId)).seats.find((s) => s.seat_id === ctx.seats[0])?.status).toBe(
      "locked",
    );
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const attempts = await runInDurableObject(stub, (_o: ShowObject, state) =>
      state.storage.sql.exec<{ status: string }>("SELECT status FROM payment_attempts").toArray(),
    );
    expect(attempts.map((a) => a.status)).not.toContain("charging");
    expect(attempts.map((a) => a.status)).not.toContain("unknown");
    expect((await chargesFor(ctx.showId)).filter((c) => c.status === "succeeded")).toEqual([]);
    // The lock is the user's again, to pay with another card.
    const retry = await postBooking(ctx.token, bookingBody(ctx));
    expect(retry.status).toBe(201);
  });
});

describe("card data", () => {
  it("never stores or logs a card number or CVV", async () => {
    const logged: string[] = [];
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logged.push(args.map(String).join(" "));
      });
    }
    const number = TEST_CARDS.successAlt;
    const cvv = "9876";
    const ctx = await lockedSeats(2);
    const body = {
      ...bookingBody(ctx, { payment_method: card(number) }),
      payment_method: { ...card(number), cvv },
    };
    expect((await postBooking(ctx.token, body)).status).toBe(201);
    // And the paths that fail: a decline and a provider error.
    const other = await lockedSeats(1);
    await postBooking(other.token, {
      ...bookingBody(other, { payment_method: card(TEST_CARDS.declined) }),
    });
    await postBooking(other.token, {
      ...bookingBody(other, { payment_method: card(TEST_CARDS.failAfterCharge) }),
    });

    const haystacks: string[] = [...logged];
    // D1: every table, every row.
    const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{
      name: string;
    }>();
    for (const { name } of tables.results) {
      if (name.startsWith("_cf") || name.startsWith("sqlite")) continue;
      const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
      haystacks.push(JSON.stringify(rows.results));
    }
    // KV: every idempotency record.
    const keys = await env.IDEMPOTENCY.list();
    for (const key of keys.keys)
      haystacks.push(key.name, (await env.IDEMPOTENCY.get(key.name)) ?? "");
    // The show object's and the provider's own storage.
    const dump = (sql: SqlStorage) =>
      sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf%'",
        )
        .toArray()
        .map(({ name }) => JSON.stringify(sql.exec(`SELECT * FROM "${name}"`).toArray()))
        .join("\n");
    haystacks.push(
      await runInDurableObject(stubOf(ctx.showId), (_o: ShowObject, state) =>
        dump(state.storage.sql),
      ),
    );
    const provider = simulatorStub(env);
    haystacks.push(await runInDurableObject(provider, (_o, state) => dump(state.storage.sql)));

    const all = haystacks.join("\n");
    expect(all).toContain("booking_"); // the dump did see the data
    // The CVV quoted, as any JSON or SQL text value holding it would show it: four bare
    // digits also turn up by chance inside hex hashes and random ids.
    const secrets = [number, TEST_CARDS.declined, TEST_CARDS.failAfterCharge, `"cvv"`, `"${cvv}"`];
    for (const secret of secrets) {
      expect(all).not.toContain(secret);
    }
  });
});
