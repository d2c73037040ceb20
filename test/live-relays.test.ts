import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { relayStub } from "../src/contract/object-stubs.ts";
import { SeatRelay } from "../src/relay/seat-relay.ts";
import type { ShowObject } from "../src/show/show-object.ts";
import { createShow, rowSeats, seatMap, stubOf } from "./support/helpers.ts";
import {
  expectChained,
  lockOneByOne,
  reaches,
  statusesSeenBy,
  watch,
} from "./support/live-viewer.ts";
import { sleep } from "./support/time.ts";

/**
 * The live feed through relays (VIEWERS_PER_RELAY is 2 and VIEWERS_PER_SHOW 4 in the test
 * config): viewers spread over relays, the show object publishes once per relay, and
 * every viewer gets every change in order, even when a relay missed one.
 */

/** How many of the show's first three relays exist (have been created). */
async function relaysOf(showId: string): Promise<number> {
  const existing = await listDurableObjectIds(env.SEAT_RELAY);
  const found = [0, 1, 2].filter((i) => {
    const id = relayStub(env, showId, i).id;
    return existing.some((other) => other.equals(id));
  });
  return found.length;
}

/** The relays in the show's feed, as the show object keeps them (its live_relays table). */
function relaysInFeed(showId: string): Promise<number> {
  return runInDurableObject(
    stubOf(showId),
    (_object: ShowObject, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM live_relays").one().n,
  );
}

describe("viewers on relays", () => {
  it("are spread over relays of VIEWERS_PER_RELAY, and all get every change in order", async () => {
    const { showId } = await createShow();
    const viewers = [];
    for (let i = 0; i < 4; i++) viewers.push(await watch(showId));
    expect(await relaysOf(showId)).toBe(2);
    const version = await lockOneByOne(showId, rowSeats(await seatMap(showId), "A").slice(0, 4));
    const truth = new Map((await seatMap(showId)).seats.map((s) => [s.seat_id, s.status]));
    for (const viewer of viewers) {
      await reaches(viewer, version);
      expectChained(viewer);
      expect(statusesSeenBy(viewer)).toEqual(truth);
    }
  });

  it("cost the show object one publish per relay per change, not one per viewer", async () => {
    const { showId } = await createShow();
    const viewers = [];
    for (let i = 0; i < 4; i++) viewers.push(await watch(showId));
    const published = vi.spyOn(SeatRelay.prototype, "publish");
    const before = (await seatMap(showId)).version;
    const version = await lockOneByOne(showId, rowSeats(await seatMap(showId), "B").slice(0, 3));
    for (const viewer of viewers) await reaches(viewer, version);
    expect(version - before).toBe(3);
    expect(published).toHaveBeenCalledTimes(3 * 2);
    expect(await relaysInFeed(showId)).toBe(2);
  });

  it("catch up with no gap when their relay missed a publish", async () => {
    const { showId } = await createShow();
    const viewer = await watch(showId);
    await reaches(viewer, (await seatMap(showId)).version);
    const seats = rowSeats(await seatMap(showId), "C");
    // The relay misses the next change (a failed call), then gets the one after it.
    const original = SeatRelay.prototype.publish;
    vi.spyOn(SeatRelay.prototype, "publish").mockImplementationOnce(async () => {
      throw new Error("relay unreachable");
    });
    const version = await lockOneByOne(showId, seats.slice(0, 2));
    expect(SeatRelay.prototype.publish).not.toBe(original);
    await reaches(viewer, version);
    expectChained(viewer);
    expect(statusesSeenBy(viewer).get(seats[0] ?? "")).toBe("locked");
    expect(statusesSeenBy(viewer).get(seats[1] ?? "")).toBe("locked");
  });

  it("leave the show's feed when their last viewer goes", async () => {
    const { showId } = await createShow();
    const viewer = await watch(showId);
    await reaches(viewer, (await seatMap(showId)).version);
    viewer.ws.close(1000);
    await vi.waitFor(async () => expect(await relaysInFeed(showId)).toBe(0));
  });
});

describe("resuming with since", () => {
  it("gets only the changes after `since` when the relay holds them", async () => {
    const { showId } = await createShow();
    const first = await watch(showId);
    const start = (await seatMap(showId)).version;
    await reaches(first, start);
    const version = await lockOneByOne(showId, rowSeats(await seatMap(showId), "D").slice(0, 2));
    await reaches(first, version);
    const resumed = await watch(showId, `?since=${start}`);
    await reaches(resumed, version);
    expect(resumed.messages[0]).toMatchObject({ type: "seats", from_version: start, version });
    expect(resumed.messages.some((m) => m.type === "snapshot")).toBe(false);
  });

  it("gets nothing until the next change when `since` is current, then a message from it", async () => {
    const { showId } = await createShow();
    const first = await watch(showId);
    const start = (await seatMap(showId)).version;
    await reaches(first, start);
    const resumed = await watch(showId, `?since=${start}`);
    // A negative check: nothing is sent within a bounded wait (anything sent on joining
    // would come at once, before the change below).
    await sleep(100);
    expect(resumed.messages).toEqual([]);
    const version = await lockOneByOne(showId, rowSeats(await seatMap(showId), "D").slice(0, 1));
    await reaches(resumed, version);
    expect(resumed.messages[0]).toMatchObject({ from_version: start, version });
  });

  it("gets a snapshot when the changes since then cannot be had", async () => {
    const { showId } = await createShow();
    await lockOneByOne(showId, rowSeats(await seatMap(showId), "A").slice(0, 2));
    const version = (await seatMap(showId)).version;
    // A version this show never had (another show's, or a corrupted one): no one holds it.
    const viewer = await watch(showId, `?since=${version + 5}`);
    await reaches(viewer, version);
    expect(viewer.messages[0]?.type).toBe("snapshot");
  });

  it("refuses a `since` that is not a version with 400 naming it", async () => {
    const { showId } = await createShow();
    const viewer = watch(showId, "?since=-1");
    await expect(viewer).rejects.toThrow(/400/);
  });
});

describe("viewers arriving together", () => {
  it("are spread over relays even while the first relay is still joining the feed", async () => {
    const { showId } = await createShow();
    const viewers = await Promise.all([0, 1, 2, 3].map(() => watch(showId)));
    expect(await relaysOf(showId)).toBe(2);
    for (const viewer of viewers) await reaches(viewer, (await seatMap(showId)).version);
  });
});

describe("a relay behind on its fan-out", () => {
  it("sends the changes that queued up meanwhile as one message that chains", async () => {
    const { showId } = await createShow();
    const viewer = await watch(showId, "?format=compact");
    const version = (await seatMap(showId)).version;
    await reaches(viewer, version);
    const relay = relayStub(env, showId, 0);
    // Three changes arriving back to back, as they do while a big fan-out runs.
    await Promise.all([
      relay.publish({ from: version, to: version + 1, changes: [[0, "l"]] }),
      relay.publish({ from: version + 1, to: version + 2, changes: [[1, "l"]] }),
      relay.publish({ from: version + 2, to: version + 3, changes: [[0, "a"]] }),
    ]);
    await reaches(viewer, version + 3);
    expect(viewer.messages.slice(1)).toEqual([
      {
        type: "seats",
        from_version: version,
        version: version + 3,
        changes: [
          [0, "a"],
          [1, "l"],
        ],
      },
    ]);
  });
});
