import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SeatRelay } from "../src/relay/seat-relay.ts";
import { createShow, lockSeats, rowSeats, seatMap, tokenFor } from "./helpers.ts";
import { expectChained, reaches, statusesSeenBy, watch } from "./live-viewer.ts";

/** A relay that loses its memory, and a deploy that drops every socket and object. */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function lockOne(showId: string, seatId: string): Promise<number> {
  const token = await tokenFor("user_restarts");
  expect((await lockSeats(token, { show_id: showId, seat_ids: [seatId] })).status).toBe(200);
  await sleep(40);
  return (await seatMap(showId)).version;
}

describe("a relay evicted mid-sale", () => {
  it("catches its viewers up from the version it last sent them, with no gap", async () => {
    const { showId } = await createShow();
    const viewer = await watch(showId);
    const seats = rowSeats(await seatMap(showId), "A");
    await reaches(viewer, await lockOne(showId, seats[0] ?? ""));
    // Evicted from memory while its (hibernatable) sockets stay: what it held is gone.
    const relay = env.SEAT_RELAY.get(env.SEAT_RELAY.idFromName(`${showId}:0`));
    await runInDurableObject(relay, (instance: SeatRelay) => {
      (instance as unknown as { seats: undefined }).seats = undefined;
    });
    await lockOne(showId, seats[1] ?? "");
    const version = await lockOne(showId, seats[2] ?? "");
    await reaches(viewer, version);
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
    await sleep(50);
    expect(viewer.closed).toBeDefined();
    const version = await lockOne(showId, seats[1] ?? "");
    const back = await watch(showId, `?since=${seen}`);
    await reaches(back, version);
    expect(back.messages[0]).toMatchObject({ type: "seats", from_version: seen, version });
    expect(back.messages[0]?.seats).toEqual([{ seat_id: seats[1], status: "locked" }]);
  });
});
