import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../src/app.ts";
import { showStub } from "../src/show/show-client.ts";
import {
  createShow,
  type LockJson,
  lockSeats,
  rowSeats,
  type SeatMapJson,
  seatMap,
  tokenFor,
} from "./helpers.ts";

afterEach(() => {
  vi.useRealTimers();
});

/** Locks a seat through the show object directly, as another isolate's request would. */
async function lockElsewhere(showId: string, seatId: string) {
  const reply = await showStub(env, showId).lock(
    showId,
    { userId: "user_elsewhere", durationSeconds: 60, selection: { seatIds: [seatId] } },
    { requestId: "req_elsewhere" },
  );
  expect(reply.status).toBe(200);
  return JSON.parse(reply.body) as LockJson;
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
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.parse(lock.expires_at) - 100);
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
