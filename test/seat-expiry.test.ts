import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { ShowObject } from "../src/show/show-object.ts";
import {
  alarmOf,
  call,
  createShow,
  type LockJson,
  type LockStatusJson,
  lockSeats,
  rowSeats,
  type SeatMapJson,
  seatMap,
  stubOf,
  tokenFor,
} from "./support/helpers.ts";
import { travelTo } from "./support/time.ts";

async function d1LockStatuses(lockId: string): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT status FROM seat_locks WHERE lock_id = ? ORDER BY seat_id",
  )
    .bind(lockId)
    .all<{ status: string }>();
  return results.map((r) => r.status);
}

async function lockTwo(showId: string, duration = 60) {
  const seats = rowSeats(await seatMap(showId), "A").slice(0, 2);
  const res = await lockSeats(await tokenFor("user_a"), {
    show_id: showId,
    seat_ids: seats,
    lock_duration_seconds: duration,
  });
  expect(res.status).toBe(200);
  return { seats, lock: (await res.json()) as LockJson };
}

describe("lock expiry", () => {
  it("reads an expired lock's seats as available before the alarm has run", async () => {
    const { showId } = await createShow();
    const { seats, lock } = await lockTwo(showId);
    travelTo(Date.parse(lock.expires_at) + 1);
    const map = await seatMap(showId);
    expect(map.seats.filter((s) => seats.includes(s.seat_id)).map((s) => s.status)).toEqual([
      "available",
      "available",
    ]);
  });

  it("arms one alarm for the earliest expiry, and the alarm releases and records expired locks", async () => {
    const { showId } = await createShow();
    const stub = stubOf(showId);
    const { lock: long } = await lockTwo(showId, 600);
    const rowB = rowSeats(await seatMap(showId), "B");
    const short = (await (
      await lockSeats(await tokenFor("user_b"), {
        show_id: showId,
        seat_ids: [rowB[0]],
        lock_duration_seconds: 60,
      })
    ).json()) as LockJson;
    expect(await alarmOf(showId)).toBe(Date.parse(short.expires_at));

    travelTo(Date.parse(short.expires_at) + 1);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const map = await seatMap(showId);
    expect(map.seats.find((s) => s.seat_id === rowB[0])?.status).toBe("available");
    expect(
      map.seats
        .filter((s) => long.seat_ids.includes(s.seat_id))
        .every((s) => s.status === "locked"),
    ).toBe(true);
    // Re-armed for the next expiry, and D1 agrees.
    expect(await alarmOf(showId)).toBe(Date.parse(long.expires_at));
    await vi.waitFor(async () => expect(await d1LockStatuses(short.lock_id)).toEqual(["expired"]));
    expect(await d1LockStatuses(long.lock_id)).toEqual(["locked", "locked"]);
  });

  it("changes nothing when the alarm runs twice", async () => {
    const { showId } = await createShow();
    const stub = stubOf(showId);
    const { seats, lock } = await lockTwo(showId);
    travelTo(Date.parse(lock.expires_at) + 1);
    await runDurableObjectAlarm(stub);
    // Read from the object itself, not through the Worker's seat-map cache.
    const once = await stub.seatMap();
    await runInDurableObject(stub, (obj: ShowObject) => obj.alarm());
    const twice = await stub.seatMap();
    if (!once.ok || !twice.ok) throw new Error("the show object did not answer its seat map");
    expect(twice.value.version).toBe(once.value.version);
    expect(twice.value.json).toBe(once.value.json);
    const map = JSON.parse(twice.value.json ?? "{}") as SeatMapJson;
    expect(map.seats.filter((s) => seats.includes(s.seat_id)).map((s) => s.status)).toEqual([
      "available",
      "available",
    ]);
    await vi.waitFor(async () =>
      expect(await d1LockStatuses(lock.lock_id)).toEqual(["expired", "expired"]),
    );
    const token = await tokenFor("user_a");
    const res = await call("GET", `/v1/seats/lock/${lock.lock_id}`, { token });
    expect(((await res.json()) as LockStatusJson).status).toBe("expired");
  });

  it("lets another user lock seats whose lock expired, even before the alarm", async () => {
    const { showId } = await createShow();
    const { seats, lock } = await lockTwo(showId);
    travelTo(Date.parse(lock.expires_at) + 1);
    const res = await lockSeats(await tokenFor("user_b"), { show_id: showId, seat_ids: seats });
    expect(res.status).toBe(200);
    await vi.waitFor(async () =>
      expect(await d1LockStatuses(lock.lock_id)).toEqual(["expired", "expired"]),
    );
  });
});

describe("durability", () => {
  it("keeps its locks when the object is evicted", async () => {
    const { showId } = await createShow();
    const { seats, lock } = await lockTwo(showId, 600);
    const before = await seatMap(showId);
    await evictDurableObject(stubOf(showId));
    const after = await seatMap(showId);
    expect(after).toEqual(before);
    expect(
      after.seats.filter((s) => seats.includes(s.seat_id)).every((s) => s.status === "locked"),
    ).toBe(true);
    // The lock still belongs to its owner and still blocks others.
    const res = await lockSeats(await tokenFor("user_b"), { show_id: showId, seat_ids: seats });
    expect(res.status).toBe(400);
    const owner = await call("GET", `/v1/seats/lock/${lock.lock_id}`, {
      token: await tokenFor("user_a"),
    });
    expect(((await owner.json()) as LockStatusJson).status).toBe("locked");
  });

  it("records each lock in D1 seat_locks, one row per seat", async () => {
    const { showId } = await createShow();
    const { lock } = await lockTwo(showId);
    await vi.waitFor(async () =>
      expect(await d1LockStatuses(lock.lock_id)).toEqual(["locked", "locked"]),
    );
    await call("DELETE", `/v1/seats/lock/${lock.lock_id}`, { token: await tokenFor("user_a") });
    await vi.waitFor(async () =>
      expect(await d1LockStatuses(lock.lock_id)).toEqual(["released", "released"]),
    );
  });
});
