import { abortAllDurableObjects, evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { relayStub } from "../src/contract/object-stubs.ts";
import { createShow, rowSeats, seatMap } from "./support/helpers.ts";
import {
  expectChained,
  lockOneByOne,
  reaches,
  statusesSeenBy,
  watch,
} from "./support/live-viewer.ts";

/** A relay that loses its memory, and a deploy that drops every socket and object. */

const lockOne = (showId: string, seatId: string) => lockOneByOne(showId, [seatId], "user_restarts");

describe("a relay evicted mid-sale", () => {
  it("catches its viewers up from the version it last sent them, with no gap", async () => {
    const { showId } = await createShow();
    const viewer = await watch(showId);
    const seats = rowSeats(await seatMap(showId), "A");
    await reaches(viewer, await lockOne(showId, seats[0] ?? ""));
    // Evicted from memory while its (hibernatable) sockets stay: what it held is gone.
    await evictDurableObject(relayStub(env, showId, 0));
    await lockOne(showId, seats[1] ?? "");
    const version = await lockOne(showId, seats[2] ?? "");
    await reaches(viewer, version);
    expect(viewer.closed).toBeUndefined();
    expectChained(viewer);
    expect(viewer.messages.filter((m) => m.type === "snapshot")).toHaveLength(1);
    for (const seat of seats.slice(0, 3)) expect(statusesSeenBy(viewer).get(seat)).toBe("locked");
  });
});

describe("a viewer reconnecting after a deploy", () => {
  it("gets only what it missed when it comes back with since", async () => {
    const { showId } = await createShow();
    const viewer = await watch(showId);
    const seats = rowSeats(await seatMap(showId), "B");
    const seen = await lockOne(showId, seats[0] ?? "");
    await reaches(viewer, seen);
    // A deploy: every object restarts and every socket is dropped.
    await abortAllDurableObjects();
    await vi.waitFor(() => expect(viewer.closed).toBeDefined());
    const version = await lockOne(showId, seats[1] ?? "");
    const back = await watch(showId, `?since=${seen}`);
    await reaches(back, version);
    expect(back.messages[0]).toMatchObject({ type: "seats", from_version: seen, version });
    expect(back.messages[0]?.seats).toEqual([{ seat_id: seats[1], status: "locked" }]);
  });
});
