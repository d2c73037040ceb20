import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { app } from "../src/app.ts";
import { newId } from "../src/lib/ids.ts";
import {
  beginSeatMapRead,
  forgetSeatMap,
  freshSeatMap,
  lastSeatMap,
  rememberSeatMap,
} from "../src/show-client/seat-map-cache.ts";
import {
  createShow,
  type LockJson,
  lockSeats,
  rowSeats,
  type SeatMapJson,
  seatMap,
  stubOf,
  tokenFor,
} from "./support/helpers.ts";
import { travelTo } from "./support/time.ts";

/** A seat-map answer of the show object at `version` (the JSON only needs to differ). */
function answer(version: number) {
  return { version, json: JSON.stringify({ version }), changesBy: null };
}

/** Locks a seat through the show object directly, as another isolate's request would. */
async function lockElsewhere(showId: string, seatId: string) {
  const result = await stubOf(showId).lock(
    { userId: "user_elsewhere", durationSeconds: 60, selection: { seatIds: [seatId] } },
    { requestId: "req_elsewhere" },
  );
  if (!result.ok) throw new Error(`lock refused: ${JSON.stringify(result)}`);
  return result.value satisfies LockJson;
}

function statusOf(map: SeatMapJson, seatId: string | undefined) {
  return map.seats.find((s) => s.seat_id === seatId)?.status;
}

describe("the seat-map cache", () => {
  it("shows a change made through another isolate within the cache time", async () => {
    const { showId } = await createShow();
    const before = await seatMap(showId);
    const seat = rowSeats(before, "B")[0];
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    vi.setSystemTime(start);
    await seatMap(showId); // cached now
    await lockElsewhere(showId, seat ?? "");
    expect(statusOf(await seatMap(showId), seat)).toBe("available"); // still the cached map
    vi.setSystemTime(start + 251);
    const after = await seatMap(showId);
    expect(statusOf(after, seat)).toBe("locked");
    expect(after.version).toBe(before.version + 1);
  });

  it("never serves a lock past its expiry, however fresh the entry", async () => {
    const { showId } = await createShow();
    const seat = rowSeats(await seatMap(showId), "A")[0];
    const lock = (await (
      await lockSeats(await tokenFor("user_cache"), {
        show_id: showId,
        seat_ids: [seat],
        lock_duration_seconds: 60,
      })
    ).json()) as LockJson;
    travelTo(Date.parse(lock.expires_at) - 100);
    expect(statusOf(await seatMap(showId), seat)).toBe("locked"); // cached, fresh for 250 ms…
    vi.setSystemTime(Date.parse(lock.expires_at) + 1); // …but not past the expiry
    expect(statusOf(await seatMap(showId), seat)).toBe("available");
  });

  it("is off with SEAT_MAP_CACHE_MS = 0", async () => {
    const { showId } = await createShow();
    const read = async () =>
      (await (
        await app.request(
          `https://api.test/v1/shows/${showId}/seats`,
          {},
          { ...env, SEAT_MAP_CACHE_MS: "0" },
        )
      ).json()) as SeatMapJson;
    const seat = rowSeats(await read(), "C")[0];
    await lockElsewhere(showId, seat ?? "");
    expect(statusOf(await read(), seat)).toBe("locked");
  });
});

describe("the seat-map cache's ordering", () => {
  const ttlMs = 250;

  it("does not keep a map read before a change through this isolate as fresh", () => {
    const showId = newId("show");
    const now = Date.now();
    rememberSeatMap(showId, answer(4), { startedAt: beginSeatMapRead(), now, ttlMs });
    const racingRead = beginSeatMapRead(); // asks the object, which answers version 4…
    forgetSeatMap(showId); // …while a lock through this isolate makes version 5
    const stale = rememberSeatMap(showId, answer(4), { startedAt: racingRead, now, ttlMs });
    expect(stale.version).toBe(4); // the racing read itself answers what it read
    expect(freshSeatMap(showId, now + 1)).toBeUndefined(); // the next read asks the object
    rememberSeatMap(showId, answer(5), { startedAt: beginSeatMapRead(), now, ttlMs });
    expect(freshSeatMap(showId, now + 1)?.version).toBe(5);
  });

  it("never replaces a cached map with an older version", () => {
    const showId = newId("show");
    const now = Date.now();
    const slowRead = beginSeatMapRead();
    const quickRead = beginSeatMapRead();
    rememberSeatMap(showId, answer(7), { startedAt: quickRead, now, ttlMs });
    rememberSeatMap(showId, answer(6), { startedAt: slowRead, now, ttlMs });
    expect(freshSeatMap(showId, now + 1)?.version).toBe(7);
  });

  it("keeps the last map after a change, so an unchanged version needs no new body", () => {
    const showId = newId("show");
    const now = Date.now();
    rememberSeatMap(showId, answer(3), { startedAt: beginSeatMapRead(), now, ttlMs });
    forgetSeatMap(showId);
    expect(freshSeatMap(showId, now + 1)).toBeUndefined();
    expect(lastSeatMap(showId)?.version).toBe(3);
  });

  it("shows the user their own lock when a read that raced the lock answers after it", async () => {
    const { showId } = await createShow();
    const url = `https://api.test/v1/shows/${showId}/seats`;
    const seat = rowSeats(await seatMap(showId), "D")[0];
    // The clock stands still: the stale map could otherwise age out of the cache by itself.
    travelTo(Date.now() + 1_000);

    // A read whose answer from the object is held back until the lock has gone through.
    const answered = Promise.withResolvers<void>();
    const release = Promise.withResolvers<void>();
    const heldShows = {
      idFromName: (name: string) => env.SHOW.idFromName(name),
      get: (id: DurableObjectId) => {
        const stub = env.SHOW.get(id);
        return {
          seatMap: async (knownVersion?: number) => {
            const read = await stub.seatMap(knownVersion);
            answered.resolve();
            await release.promise;
            return read;
          },
        };
      },
    };
    // Only the two methods the seat-map route uses are provided.
    const racingEnv = { ...env, SHOW: heldShows as unknown as Env["SHOW"] };
    const racingRead = app.request(url, {}, racingEnv);
    await answered.promise;

    const lock = await app.request(
      "https://api.test/v1/seats/lock",
      {
        method: "POST",
        headers: {
          Authorization: `Bearer ${await tokenFor("user_racer")}`,
          "Content-Type": "application/json",
        },
        body: JSON.stringify({ show_id: showId, seat_ids: [seat] }),
      },
      env,
    );
    expect(lock.status).toBe(200);
    release.resolve();
    const raced = (await (await racingRead).json()) as SeatMapJson;
    expect(statusOf(raced, seat)).toBe("available"); // it read before the lock

    const next = (await (await app.request(url, {}, env)).json()) as SeatMapJson;
    expect(statusOf(next, seat)).toBe("locked");
    expect(next.version).toBe(raced.version + 1);
  });
});
