import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import {
  createShow,
  expectError,
  lockSeats,
  rowSeats,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";
import { upgrade, type Viewer, watch } from "./support/live-viewer.ts";
import { sleep } from "./support/time.ts";

/** A viewer that has had its first snapshot. */
async function connect(showId: string): Promise<Viewer> {
  const viewer = await watch(showId);
  await vi.waitFor(() => expect(viewer.messages.length).toBe(1));
  return viewer;
}

const snapshots = (viewer: Viewer) => viewer.messages.filter((m) => m.type === "snapshot");

describe("a viewer flooding the live seat map", () => {
  it("gets at most one snapshot a second: resyncs within the second are answered once", async () => {
    const { showId } = await createShow();
    const viewer = await connect(showId);
    for (let i = 0; i < 5; i++) viewer.ws.send("resync");
    // A negative check, over a bounded wait: no snapshot comes in the next 300 ms.
    await sleep(300);
    // The first snapshot came with the connection, less than a second ago: the asks wait.
    expect(snapshots(viewer)).toHaveLength(1);
    // Then they are answered once.
    await vi.waitFor(() => expect(snapshots(viewer)).toHaveLength(2), { timeout: 2_000 });
    // A negative check again: no third snapshot in the next 300 ms.
    await sleep(300);
    expect(snapshots(viewer)).toHaveLength(2);
    expect(viewer.closed).toBeUndefined();
    viewer.ws.close(1000);
  });

  it("is closed with 1008 when it keeps asking for resyncs before its snapshot is due", async () => {
    const { showId } = await createShow();
    const flooder = await connect(showId);
    for (let i = 0; i < 200; i++) flooder.ws.send("resync");
    await vi.waitFor(() => expect(flooder.closed).toBe(1008));
    expect(snapshots(flooder)).toHaveLength(1);
  });

  it("sends other viewers nothing, and locks still answer", async () => {
    const { showId } = await createShow();
    const flooder = await connect(showId);
    const bystander = await connect(showId);
    for (let i = 0; i < 100; i++) flooder.ws.send("resync");
    const seats = rowSeats(await seatMap(showId), "A");
    const lock = await lockSeats(await tokenFor("user_calm"), {
      show_id: showId,
      seat_ids: [seats[0]],
    });
    expect(lock.status).toBe(200);
    await vi.waitFor(() => expect(bystander.messages).toHaveLength(2));
    // A negative check, over a bounded wait: nothing more reaches the bystander.
    await sleep(100);
    // The bystander got its snapshot and the one change: a flood forced nothing on it.
    expect(bystander.messages.map((m) => m.type)).toEqual(["snapshot", "seats"]);
    expect(bystander.messages[1]?.from_version).toBe(bystander.messages[0]?.version);
    flooder.ws.close(1000);
    bystander.ws.close(1000);
  });

  it("is closed with 1008 when it keeps sending messages the feed does not understand", async () => {
    const { showId } = await createShow();
    const viewer = await connect(showId);
    viewer.ws.send("x".repeat(100_000));
    for (let i = 0; i < 20; i++) viewer.ws.send(`hello ${i}`);
    await vi.waitFor(() => expect(viewer.closed).toBe(1008));
    // Nothing it sent was answered.
    expect(viewer.messages.map((m) => m.type)).toEqual(["snapshot"]);
  });

  it("ignores a few unknown messages and keeps the viewer", async () => {
    const { showId } = await createShow();
    const viewer = await connect(showId);
    viewer.ws.send("hello");
    viewer.ws.send(new Uint8Array([1, 2, 3]));
    // A negative check, over a bounded wait: the viewer is not closed.
    await sleep(100);
    expect(viewer.closed).toBeUndefined();
    viewer.ws.close(1000);
  });
});

describe("the cap on a show's viewers", () => {
  it("refuses a viewer past VIEWERS_PER_SHOW with 503 VIEWERS_LIMIT_REACHED", async () => {
    const cap = Number(env.VIEWERS_PER_SHOW);
    const { showId } = await createShow();
    const viewers = [];
    for (let i = 0; i < cap; i++) viewers.push(await connect(showId));
    const refused = await upgrade(showId);
    const error = await expectError(refused, 503, "VIEWERS_LIMIT_REACHED");
    expect(error.details).toMatchObject({ limit: cap });
    expect(refused.headers.get("Retry-After")).toBeTruthy();
    // A place frees up when a viewer leaves.
    viewers[0]?.ws.close(1000);
    await vi.waitFor(async () => {
      const probe = await watch(showId); // throws (and is tried again) while refused
      probe.ws.close(1000);
    });
    for (const viewer of viewers.slice(1)) viewer.ws.close(1000);
  });
});
