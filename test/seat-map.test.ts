import { describe, expect, it, vi } from "vitest";
import {
  call,
  createShow,
  expectError,
  type LockJson,
  lockedSeats,
  lockSeats,
  rowSeats,
  type SeatMapJson,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";
import { expectChained, reaches, upgrade, watch } from "./support/live-viewer.ts";

describe("GET /v1/shows/{show_id}/seats", () => {
  it("answers the documented seat map, readable without a token", async () => {
    const { showId, venueId } = await createShow();
    const res = await call("GET", `/v1/shows/${showId}/seats`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("application/json");
    const map = (await res.json()) as SeatMapJson;
    expect(map.show_id).toBe(showId);
    expect(map.venue).toEqual({ venue_id: venueId, name: "PVR Cinemas", total_seats: 44 });
    expect(map.zones).toEqual({
      premium: { price: 500, seats: 20 },
      standard: { price: 300, seats: 24 },
    });
    expect(map.seats).toHaveLength(44);
    expect(map.seats[0]).toEqual({
      seat_id: expect.stringMatching(/^seat_/),
      row: "A",
      number: 1,
      status: "available",
      price: 500,
      zone: "premium",
      accessibility: null,
    });
    expect(map.seats.find((s) => s.row === "C")?.price).toBe(300);
    expect(typeof map.version).toBe("number");
  });

  it("sends an ETag and answers 304 to a matching If-None-Match", async () => {
    const { showId } = await createShow();
    const first = await call("GET", `/v1/shows/${showId}/seats`);
    const etag = first.headers.get("ETag");
    expect(etag).toMatch(/^"v\d+"$/);
    const again = await call("GET", `/v1/shows/${showId}/seats`, {
      headers: { "If-None-Match": etag ?? "" },
    });
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(etag);
    expect(await again.text()).toBe("");
  });

  it("moves the version and ETag on with every change", async () => {
    const { showId } = await createShow();
    const first = await call("GET", `/v1/shows/${showId}/seats`);
    const etag = first.headers.get("ETag") ?? "";
    const v1 = ((await first.json()) as SeatMapJson).version;
    const seat = rowSeats(await seatMap(showId), "A")[0];
    const token = await tokenFor("user_a");
    const lock = (await (
      await lockSeats(token, { show_id: showId, seat_ids: [seat] })
    ).json()) as LockJson;
    const afterLock = await call("GET", `/v1/shows/${showId}/seats`, {
      headers: { "If-None-Match": etag },
    });
    expect(afterLock.status).toBe(200);
    expect(afterLock.headers.get("ETag")).not.toBe(etag);
    expect(((await afterLock.json()) as SeatMapJson).version).toBe(v1 + 1);
    await call("DELETE", `/v1/seats/lock/${lock.lock_id}`, { token });
    expect((await seatMap(showId)).version).toBe(v1 + 2);
  });

  it("answers 404 for an unknown show and 400 for a malformed id", async () => {
    await expectError(await call("GET", "/v1/shows/show_unknown/seats"), 404, "NOT_FOUND");
    const error = await expectError(await call("GET", "/v1/shows/123/seats"), 400, "INVALID_INPUT");
    expect(error.details?.field).toBe("show_id");
  });
});

describe("GET /v1/shows/{show_id}/seats/live", () => {
  it("sends a snapshot, then every change with consecutive versions and only changed seats", async () => {
    const { showId } = await createShow();
    const viewer = await watch(showId);
    await vi.waitFor(() => expect(viewer.messages.length).toBeGreaterThan(0));
    const [snapshot] = viewer.messages;
    expect(snapshot?.type).toBe("snapshot");
    expect(snapshot?.seats).toHaveLength(44);
    const start = snapshot?.version ?? Number.NaN;

    const rowA = rowSeats(await seatMap(showId), "A");
    const token = await tokenFor("user_a");
    const first = (await (
      await lockSeats(token, { show_id: showId, seat_ids: rowA.slice(0, 2) })
    ).json()) as LockJson;
    await vi.waitFor(() => expect(viewer.messages.length).toBeGreaterThan(1));
    expect(viewer.messages[1]).toEqual({
      type: "seats",
      from_version: start,
      version: start + 1,
      seats: rowA.slice(0, 2).map((seat_id) => ({ seat_id, status: "locked" })),
    });

    // A burst: three changes close together. However they are grouped, versions chain
    // without gaps and the last state of each seat arrives.
    await lockSeats(await tokenFor("user_b"), { show_id: showId, seat_ids: [rowA[5]] });
    await call("DELETE", `/v1/seats/lock/${first.lock_id}`, { token });
    await lockSeats(await tokenFor("user_c"), { show_id: showId, seat_ids: [rowA[0]] });
    const finalVersion = start + 4;
    await reaches(viewer, finalVersion);
    expectChained(viewer);
    const latest = new Map<string, string>();
    for (const update of viewer.messages.slice(1)) {
      for (const seat of update.seats ?? []) latest.set(seat.seat_id, seat.status);
    }
    expect(Object.fromEntries(latest)).toEqual({
      [rowA[0] ?? ""]: "locked",
      [rowA[1] ?? ""]: "available",
      [rowA[5] ?? ""]: "locked",
    });
    expect((await seatMap(showId)).version).toBe(finalVersion);
    viewer.ws.close(1000, "done");
  });

  it("starts a new viewer's updates at its snapshot's version, even mid-burst", async () => {
    const ctx = await lockedSeats(1);
    const seats = rowSeats(await seatMap(ctx.showId), "B");
    // A change still inside the coalescing window when the viewer connects.
    await lockSeats(await tokenFor("user_burst_1"), { show_id: ctx.showId, seat_ids: [seats[0]] });
    const viewer = await watch(ctx.showId);
    const { messages } = viewer;
    await vi.waitFor(() => expect(messages.length).toBeGreaterThan(0));
    await lockSeats(await tokenFor("user_burst_2"), { show_id: ctx.showId, seat_ids: [seats[1]] });
    await vi.waitFor(() => expect(messages.length).toBeGreaterThan(1));
    expect(messages[0]?.type).toBe("snapshot");
    expect(messages[1]?.from_version).toBe(messages[0]?.version);
    viewer.ws.close(1000);
  });

  it("answers ping with pong", async () => {
    const { showId } = await createShow();
    const viewer = await watch(showId);
    await vi.waitFor(() => expect(viewer.texts.length).toBeGreaterThan(0));
    viewer.ws.send("ping");
    await vi.waitFor(() => expect(viewer.texts).toContain("pong"));
    viewer.ws.close(1000);
  });

  it("reciprocates a close from the viewer", async () => {
    const { showId } = await createShow();
    const viewer = await watch(showId);
    await vi.waitFor(() => expect(viewer.messages.length).toBeGreaterThan(0));
    viewer.ws.close(1000, "bye");
    await vi.waitFor(() => expect(viewer.closed).toBe(1000));
  });

  it("refuses a plain GET with 426 and an unknown show with 404", async () => {
    const { showId } = await createShow();
    await expectError(await call("GET", `/v1/shows/${showId}/seats/live`), 426, "UPGRADE_REQUIRED");
    await expectError(await upgrade("show_unknown"), 404, "NOT_FOUND");
  });
});
