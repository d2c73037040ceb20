import { describe, expect, it } from "vitest";
import {
  call,
  createShow,
  expectError,
  type LockJson,
  type LockStatusJson,
  lockSeats,
  rowSeats,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";

describe("POST /v1/seats/lock", () => {
  it("locks the seats and answers with the documented lock response", async () => {
    const { showId } = await createShow();
    const map = await seatMap(showId);
    const seats = rowSeats(map, "A").slice(0, 3);
    const before = Date.now();
    const res = await lockSeats(await tokenFor("user_a"), {
      show_id: showId,
      seat_ids: seats,
      lock_duration_seconds: 120,
    });
    expect(res.status).toBe(200);
    const lock = (await res.json()) as LockJson;
    expect(Object.keys(lock).sort()).toEqual(
      ["areas", "expires_at", "lock_id", "locked_at", "seat_ids", "show_id"].sort(),
    );
    expect(lock.lock_id).toMatch(/^lock_/);
    expect(lock.show_id).toBe(showId);
    expect(lock.seat_ids).toEqual(seats);
    const lockedAt = Date.parse(lock.locked_at);
    expect(lockedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(lock.expires_at) - lockedAt).toBe(120_000);

    const after = await seatMap(showId);
    for (const seat of after.seats) {
      expect(seat.status).toBe(seats.includes(seat.seat_id) ? "locked" : "available");
    }
    expect(after.version).toBeGreaterThan(map.version);
  });

  it("defaults the lock duration to 300 seconds", async () => {
    const { showId } = await createShow();
    const seat = rowSeats(await seatMap(showId), "B")[0];
    const res = await lockSeats(await tokenFor("user_a"), { show_id: showId, seat_ids: [seat] });
    const lock = (await res.json()) as LockJson;
    expect(Date.parse(lock.expires_at) - Date.parse(lock.locked_at)).toBe(300_000);
  });

  it("refuses seats held by another user with SEATS_ALREADY_LOCKED naming them, locking none", async () => {
    const { showId } = await createShow();
    const [s1, s2, s3] = rowSeats(await seatMap(showId), "A");
    expect(
      (await lockSeats(await tokenFor("user_a"), { show_id: showId, seat_ids: [s2] })).status,
    ).toBe(200);
    const res = await lockSeats(await tokenFor("user_b"), {
      show_id: showId,
      seat_ids: [s1, s2, s3],
    });
    const error = await expectError(res, 400, "SEATS_ALREADY_LOCKED");
    expect(error.details).toEqual({ unavailable_seats: [s2] });
    const map = await seatMap(showId);
    const status = (id?: string) => map.seats.find((s) => s.seat_id === id)?.status;
    expect([status(s1), status(s2), status(s3)]).toEqual(["available", "locked", "available"]);
  });

  it("refuses seats the caller already holds in another lock", async () => {
    const { showId } = await createShow();
    const [s1] = rowSeats(await seatMap(showId), "A");
    const token = await tokenFor("user_a");
    expect((await lockSeats(token, { show_id: showId, seat_ids: [s1] })).status).toBe(200);
    await expectError(
      await lockSeats(token, { show_id: showId, seat_ids: [s1] }),
      400,
      "SEATS_ALREADY_LOCKED",
    );
  });

  it("refuses seat ids that are not in the show with INVALID_INPUT naming them", async () => {
    const { showId } = await createShow();
    const [s1] = rowSeats(await seatMap(showId), "A");
    const before = await seatMap(showId);
    const res = await lockSeats(await tokenFor("user_a"), {
      show_id: showId,
      seat_ids: [s1, "seat_nowhere_Z_1"],
    });
    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details).toMatchObject({ field: "seat_ids", unknown_seats: ["seat_nowhere_Z_1"] });
    expect((await seatMap(showId)).version).toBe(before.version);
  });

  it("answers 404 for an unknown show", async () => {
    const res = await lockSeats(await tokenFor("user_a"), {
      show_id: "show_doesnotexist",
      seat_ids: ["seat_x_A_1"],
    });
    await expectError(res, 404, "NOT_FOUND");
  });

  it("needs a token", async () => {
    const res = await call("POST", "/v1/seats/lock", {
      body: { show_id: "show_x", seat_ids: ["seat_1"] },
    });
    await expectError(res, 401, "UNAUTHENTICATED");
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["duplicate seat ids", { seat_ids: ["SEAT0", "SEAT0"] }, "seat_ids.1"],
    ["no seats", { seat_ids: [] }, "seat_ids"],
    [
      "11 seats",
      { seat_ids: Array.from({ length: 11 }, (_, i) => `seat_q_A_${i + 1}`) },
      "seat_ids",
    ],
    ["duration 0", { seat_ids: ["SEAT0"], lock_duration_seconds: 0 }, "lock_duration_seconds"],
    [
      "duration 100000",
      { seat_ids: ["SEAT0"], lock_duration_seconds: 100000 },
      "lock_duration_seconds",
    ],
    ["duration 59", { seat_ids: ["SEAT0"], lock_duration_seconds: 59 }, "lock_duration_seconds"],
    [
      "duration as a string",
      { seat_ids: ["SEAT0"], lock_duration_seconds: "300" },
      "lock_duration_seconds",
    ],
    ["seat ids as a string", { seat_ids: "SEAT0" }, "seat_ids"],
    ["a seat id of the wrong type", { seat_ids: [42] }, "seat_ids.0"],
    ["neither seats nor quantity", {}, "seat_ids"],
    ["both seats and quantity", { seat_ids: ["SEAT0"], quantity: 2 }, "seat_ids"],
    ["quantity 0", { quantity: 0 }, "quantity"],
    ["quantity 11", { quantity: 11 }, "quantity"],
    ["a show id of the wrong type", { show_id: 7, seat_ids: ["SEAT0"] }, "show_id"],
  ])("refuses %s with 400 naming %s and changes nothing", async (_name, patch, field) => {
    const { showId } = await createShow();
    const before = await seatMap(showId);
    const seat0 = rowSeats(before, "A")[0] ?? "";
    const body = JSON.parse(
      JSON.stringify({ show_id: showId, ...patch }).replaceAll("SEAT0", seat0),
    );
    const error = await expectError(
      await lockSeats(await tokenFor("user_a"), body),
      400,
      "INVALID_INPUT",
    );
    expect(error.details?.field).toBe(field);
    const after = await seatMap(showId);
    expect(after.version).toBe(before.version);
    expect(after.seats.every((s) => s.status === "available")).toBe(true);
  });

  it("lets 50 concurrent lockers of overlapping seats leave each seat with at most one holder", async () => {
    const { showId } = await createShow();
    const rowA = rowSeats(await seatMap(showId), "A"); // 10 seats
    // Each locker wants 3 consecutive seats starting at a different place: heavy overlap.
    const requests = Array.from({ length: 50 }, (_, i) => {
      const start = i % 8;
      return { user: `user_${i}`, seats: rowA.slice(start, start + 3) };
    });
    const tokens = await Promise.all(requests.map((r) => tokenFor(r.user)));
    const responses = await Promise.all(
      requests.map((r, i) => lockSeats(tokens[i] ?? "", { show_id: showId, seat_ids: r.seats })),
    );
    const holder = new Map<string, string>();
    let winners = 0;
    for (const [i, res] of responses.entries()) {
      const request = requests[i];
      if (!request) continue;
      const body = (await res.json()) as LockJson & {
        error?: { code: string; details: { unavailable_seats: string[] } };
      };
      if (res.status === 200) {
        winners++;
        for (const seat of body.seat_ids) {
          expect(holder.has(seat), `${seat} locked twice`).toBe(false);
          holder.set(seat, request.user);
        }
      } else {
        expect(res.status).toBe(400);
        expect(body.error?.code).toBe("SEATS_ALREADY_LOCKED");
        const blocking = body.error?.details.unavailable_seats ?? [];
        expect(blocking.length).toBeGreaterThan(0);
        // Every seat named is one the loser asked for, held by a winner.
        for (const seat of blocking) {
          expect(request.seats).toContain(seat);
        }
      }
    }
    expect(winners).toBeGreaterThanOrEqual(3);
    // Each loser's blocking seats really are held (checked after all winners are known).
    for (const [i, res] of responses.entries()) {
      if (res.status === 200) continue;
      const request = requests[i];
      const conflict = request?.seats.some((seat) => holder.has(seat));
      expect(conflict).toBe(true);
    }
    const map = await seatMap(showId);
    const locked = map.seats.filter((s) => s.status === "locked").map((s) => s.seat_id);
    expect(locked.sort()).toEqual([...holder.keys()].sort());
  });
});

describe("best available", () => {
  it("picks adjacent seats in one row near the middle of the best zone", async () => {
    const { showId } = await createShow();
    const res = await lockSeats(await tokenFor("user_a"), { show_id: showId, quantity: 4 });
    expect(res.status).toBe(200);
    const lock = (await res.json()) as LockJson;
    const map = await seatMap(showId);
    const seats = lock.seat_ids.map((id) => map.seats.find((s) => s.seat_id === id));
    expect(new Set(seats.map((s) => s?.row)).size).toBe(1);
    expect(seats.every((s) => s?.zone === "premium")).toBe(true);
    const numbers = seats.map((s) => s?.number ?? 0).sort((a, b) => a - b);
    expect(numbers).toEqual([4, 5, 6, 7]);
  });

  it("keeps to the zone asked for", async () => {
    const { showId } = await createShow();
    const res = await lockSeats(await tokenFor("user_a"), {
      show_id: showId,
      quantity: 2,
      zone: "standard",
    });
    const lock = (await res.json()) as LockJson;
    const map = await seatMap(showId);
    for (const id of lock.seat_ids) {
      expect(map.seats.find((s) => s.seat_id === id)?.zone).toBe("standard");
    }
  });

  it("answers SEATS_UNAVAILABLE when no row has that many adjacent seats", async () => {
    const { showId } = await createShow();
    const map = await seatMap(showId);
    // Break every premium row into runs shorter than 6 (lock seat 5 of rows A and B).
    const token = await tokenFor("user_a");
    const fifth = map.seats
      .filter((s) => s.zone === "premium" && s.number === 5)
      .map((s) => s.seat_id);
    expect((await lockSeats(token, { show_id: showId, seat_ids: fifth })).status).toBe(200);
    const res = await lockSeats(await tokenFor("user_b"), {
      show_id: showId,
      quantity: 6,
      zone: "premium",
    });
    const error = await expectError(res, 400, "SEATS_UNAVAILABLE");
    expect(error.details).toMatchObject({ quantity: 6, zone: "premium" });
  });

  it("refuses a zone the show does not have", async () => {
    const { showId } = await createShow();
    const res = await lockSeats(await tokenFor("user_a"), {
      show_id: showId,
      quantity: 2,
      zone: "balcony",
    });
    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details?.field).toBe("zone");
  });
});

describe("GET and DELETE /v1/seats/lock/{lock_id}", () => {
  it("shows the owner the lock and its status", async () => {
    const { showId } = await createShow();
    const token = await tokenFor("user_a");
    const [s1] = rowSeats(await seatMap(showId), "A");
    const lock = (await (
      await lockSeats(token, { show_id: showId, seat_ids: [s1] })
    ).json()) as LockJson;
    const res = await call("GET", `/v1/seats/lock/${lock.lock_id}`, { token });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ...lock, status: "locked" });
  });

  it("hides the lock from other users with 404", async () => {
    const { showId } = await createShow();
    const [s1] = rowSeats(await seatMap(showId), "A");
    const lock = (await (
      await lockSeats(await tokenFor("user_a"), { show_id: showId, seat_ids: [s1] })
    ).json()) as LockJson;
    const other = await tokenFor("user_b");
    await expectError(
      await call("GET", `/v1/seats/lock/${lock.lock_id}`, { token: other }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call("DELETE", `/v1/seats/lock/${lock.lock_id}`, { token: other }),
      404,
      "NOT_FOUND",
    );
    expect((await seatMap(showId)).seats.find((s) => s.seat_id === s1)?.status).toBe("locked");
  });

  it("releases early, frees the seats, and answers the same when repeated", async () => {
    const { showId } = await createShow();
    const token = await tokenFor("user_a");
    const seats = rowSeats(await seatMap(showId), "B").slice(0, 2);
    const lock = (await (
      await lockSeats(token, { show_id: showId, seat_ids: seats })
    ).json()) as LockJson;
    const first = await call("DELETE", `/v1/seats/lock/${lock.lock_id}`, { token });
    expect(first.status).toBe(200);
    expect(((await first.json()) as LockStatusJson).status).toBe("released");
    const version = (await seatMap(showId)).version;
    const second = await call("DELETE", `/v1/seats/lock/${lock.lock_id}`, { token });
    expect(second.status).toBe(200);
    expect(((await second.json()) as LockStatusJson).status).toBe("released");
    const map = await seatMap(showId);
    expect(map.version).toBe(version);
    expect(map.seats.filter((s) => seats.includes(s.seat_id)).map((s) => s.status)).toEqual([
      "available",
      "available",
    ]);
    // Someone else can now take them.
    expect(
      (await lockSeats(await tokenFor("user_b"), { show_id: showId, seat_ids: seats })).status,
    ).toBe(200);
  });

  it("answers 404 for a lock id that is not one", async () => {
    const token = await tokenFor("user_a");
    await expectError(
      await call("GET", "/v1/seats/lock/lock_abcdefghjkmnpqrstvwx_nothere", { token }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call("GET", "/v1/seats/lock/nonsense", { token }),
      400,
      "INVALID_INPUT",
    );
  });
});
