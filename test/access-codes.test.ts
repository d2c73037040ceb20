import { describe, expect, it } from "vitest";
import {
  adminToken,
  call,
  card,
  createShow,
  expectError,
  type LockJson,
  lockSeats,
  rowSeats,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";

/**
 * Access codes and allocations (docs/api.md, "Access codes and allocations"): decided in
 * the show object with the lock, so a crowd racing for a code gets at most its uses.
 */

async function makeCode(showId: string, body: Record<string, unknown>) {
  const res = await call("POST", `/v1/shows/${showId}/access-codes`, {
    token: await adminToken(),
    body,
  });
  if (res.status !== 201) throw new Error(`code ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { access_code: { access_code_id: string; code: string } })
    .access_code;
}

async function lockWith(user: string, body: Record<string, unknown>) {
  return lockSeats(await tokenFor(user), body);
}

describe("an access code", () => {
  it("is answered with its text once, and listed with its uses but without it", async () => {
    const { showId } = await createShow();
    const made = await makeCode(showId, { code: "FANCLUB-2026", max_uses: 5 });

    const res = await call("GET", `/v1/shows/${showId}/access-codes`, {
      token: await adminToken(),
    });

    expect(made.code).toBe("FANCLUB-2026");
    const text = await res.text();
    expect(text).not.toContain("FANCLUB");
    expect(JSON.parse(text)).toMatchObject({
      access_codes: [{ access_code_id: made.access_code_id, max_uses: 5, uses: 0 }],
    });
  });

  it("admits at most max_uses of a racing crowd, and a released lock gives its use back", async () => {
    const { showId } = await createShow();
    await makeCode(showId, { code: "RACE20", max_uses: 20 });

    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        lockWith(`user_race_${i}`, { show_id: showId, quantity: 1, access_code: "race20" }),
      ),
    );

    const ok = answers.filter((res) => res.status === 200);
    expect(ok).toHaveLength(20);
    for (const res of answers.filter((r) => r.status !== 200)) {
      const error = await expectError(res, 403, "ACCESS_CODE_INVALID");
      expect(error.details).toMatchObject({ field: "access_code", reason: "used_up" });
    }
    const first = answers.findIndex((res) => res.status === 200);
    const lock = (await ok[0]?.json()) as LockJson;
    await call("DELETE", `/v1/seats/lock/${lock.lock_id}`, {
      token: await tokenFor(`user_race_${first}`),
    });
    const again = await lockWith("user_race_late", {
      show_id: showId,
      quantity: 1,
      access_code: "RACE20",
    });
    expect(again.status).toBe(200);
  });

  it("lets its holder lock before sales_start, within its own window, while others wait", async () => {
    const { showId } = await createShow();
    await call("PATCH", `/v1/shows/${showId}`, {
      token: await adminToken(),
      body: { sales_start: new Date(Date.now() + 86_400_000).toISOString() },
    });
    await makeCode(showId, { code: "PRESALE1", max_uses: 10 });

    const publicLock = await lockWith("user_public", { show_id: showId, quantity: 1 });
    const presale = await lockWith("user_presale", {
      show_id: showId,
      quantity: 1,
      access_code: "PRESALE1",
    });

    await expectError(publicLock, 400, "SALE_NOT_STARTED");
    expect(presale.status).toBe(200);
  });

  it.each([
    ["unknown", { code: "REAL1", max_uses: 1 }, "WRONG1"],
    [
      "not_yet_valid",
      { code: "LATER1", max_uses: 1, valid_from: "2031-01-01T00:00:00Z" },
      "LATER1",
    ],
    ["expired", { code: "OLD123", max_uses: 1, valid_until: "2020-01-01T00:00:00Z" }, "OLD123"],
  ])("is refused with 403 ACCESS_CODE_INVALID reason %s", async (reason, body, given) => {
    const { showId } = await createShow();
    await makeCode(showId, body);

    const res = await lockWith("user_bad_code", {
      show_id: showId,
      quantity: 1,
      access_code: given,
    });

    const error = await expectError(res, 403, "ACCESS_CODE_INVALID");
    expect(error.details?.reason).toBe(reason);
  });

  it("is refused once revoked", async () => {
    const { showId } = await createShow();
    const made = await makeCode(showId, { code: "REVOKE1", max_uses: 3 });
    const revoked = await call(
      "DELETE",
      `/v1/shows/${showId}/access-codes/${made.access_code_id}`,
      { token: await adminToken() },
    );

    const res = await lockWith("user_revoked", {
      show_id: showId,
      quantity: 1,
      access_code: "REVOKE1",
    });

    expect(revoked.status).toBe(200);
    const error = await expectError(res, 403, "ACCESS_CODE_INVALID");
    expect(error.details?.reason).toBe("revoked");
  });

  it("keeps its locks to its zones and charges its price", async () => {
    const { showId } = await createShow();
    await makeCode(showId, {
      code: "PREMIUM1",
      max_uses: 5,
      zones: ["premium"],
      price_override: 100,
    });
    const map = await seatMap(showId);
    const standard = rowSeats(map, "C").slice(0, 1);
    const premium = rowSeats(map, "A").slice(0, 2);

    const outside = await lockWith("user_zone", {
      show_id: showId,
      seat_ids: standard,
      access_code: "PREMIUM1",
    });
    const token = await tokenFor("user_zone_ok");
    const inside = await lockSeats(token, {
      show_id: showId,
      seat_ids: premium,
      access_code: "PREMIUM1",
    });
    const lock = (await inside.json()) as LockJson;
    const booked = await call("POST", "/v1/bookings", {
      token,
      headers: { "Idempotency-Key": `code-price-${showId}` },
      body: {
        show_id: showId,
        lock_id: lock.lock_id,
        seat_ids: lock.seat_ids,
        user_id: "user_zone_ok",
        payment_method: card(),
      },
    });

    const error = await expectError(outside, 400, "INVALID_INPUT");
    expect(error.details?.field).toBe("seat_ids");
    expect(booked.status).toBe(201);
    expect(
      ((await booked.json()) as { booking: { total_amount: number } }).booking.total_amount,
    ).toBe(200);
  });
});

describe("an allocation", () => {
  it("holds its seats from the public, opens them to its code, and puts the unsold back on release", async () => {
    const { showId } = await createShow();
    const seats = rowSeats(await seatMap(showId), "B").slice(0, 3);
    const made = await call("POST", `/v1/shows/${showId}/allocations`, {
      token: await adminToken(),
      body: { name: "sponsor", seat_ids: seats },
    });
    expect(made.status).toBe(201);
    const { allocation } = (await made.json()) as { allocation: { allocation_id: string } };
    await makeCode(showId, { code: "SPONSOR1", max_uses: 2, allocation: "sponsor" });

    const statuses = (await seatMap(showId)).seats.filter((s) => seats.includes(s.seat_id));
    const publicLock = await lockWith("user_public_alloc", {
      show_id: showId,
      seat_ids: seats.slice(0, 1),
    });
    const sponsor = await lockWith("user_sponsor", {
      show_id: showId,
      seat_ids: seats.slice(0, 1),
      access_code: "SPONSOR1",
    });
    const twice = await lockWith("user_sponsor_2", {
      show_id: showId,
      seat_ids: seats.slice(0, 1),
      access_code: "SPONSOR1",
    });
    const released = await call(
      "DELETE",
      `/v1/shows/${showId}/allocations/${allocation.allocation_id}`,
      {
        token: await adminToken(),
      },
    );
    const after = (await seatMap(showId)).seats.filter((s) => seats.includes(s.seat_id));

    expect(statuses.map((s) => s.status)).toEqual(["held", "held", "held"]);
    const error = await expectError(publicLock, 400, "SEATS_UNAVAILABLE");
    expect(error.details?.unavailable_seats).toEqual(seats.slice(0, 1));
    expect(sponsor.status).toBe(200);
    await expectError(twice, 400, "SEATS_ALREADY_LOCKED");
    expect(released.status).toBe(200);
    expect(after.map((s) => s.status)).toEqual(["locked", "available", "available"]);
  });
});

describe("a code's uses", () => {
  it("come back when a booking made with the code is cancelled", async () => {
    const { showId } = await createShow();
    await makeCode(showId, { code: "ONCE01", max_uses: 1 });
    const token = await tokenFor("user_once");
    const locked = await lockSeats(token, { show_id: showId, quantity: 1, access_code: "ONCE01" });
    const lock = (await locked.json()) as LockJson;
    const booked = await call("POST", "/v1/bookings", {
      token,
      headers: { "Idempotency-Key": `once-${showId}` },
      body: {
        show_id: showId,
        lock_id: lock.lock_id,
        seat_ids: lock.seat_ids,
        user_id: "user_once",
        payment_method: card(),
      },
    });
    const { booking } = (await booked.json()) as { booking: { booking_id: string } };
    const usedUp = await lockWith("user_once_2", {
      show_id: showId,
      quantity: 1,
      access_code: "ONCE01",
    });

    const cancelled = await call("POST", `/v1/bookings/${booking.booking_id}/cancel`, { token });
    const again = await lockWith("user_once_3", {
      show_id: showId,
      quantity: 1,
      access_code: "ONCE01",
    });

    const error = await expectError(usedUp, 403, "ACCESS_CODE_INVALID");
    expect(error.details?.reason).toBe("used_up");
    expect(cancelled.status).toBe(200);
    expect(again.status).toBe(200);
  });

  it("end with the allocation: its code is refused once the allocation is released", async () => {
    const { showId } = await createShow();
    const seats = rowSeats(await seatMap(showId), "B").slice(0, 1);
    const made = await call("POST", `/v1/shows/${showId}/allocations`, {
      token: await adminToken(),
      body: { name: "box office", seat_ids: seats },
    });
    const { allocation } = (await made.json()) as { allocation: { allocation_id: string } };
    await makeCode(showId, { code: "BOXOFFICE", max_uses: 5, allocation: "box office" });
    await call("DELETE", `/v1/shows/${showId}/allocations/${allocation.allocation_id}`, {
      token: await adminToken(),
    });

    const res = await lockWith("user_box", {
      show_id: showId,
      quantity: 1,
      access_code: "BOXOFFICE",
    });

    const error = await expectError(res, 403, "ACCESS_CODE_INVALID");
    expect(error.details?.reason).toBe("revoked");
  });

  it("are an allocation's alone: a plain hold cannot take the allocation reason", async () => {
    const { showId } = await createShow();
    const seats = rowSeats(await seatMap(showId), "B").slice(0, 1);

    const res = await call("POST", `/v1/shows/${showId}/holds`, {
      token: await adminToken(),
      body: { seat_ids: seats, reason: "allocation", label: "VIP" },
    });

    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details?.field).toBe("reason");
  });
});
