import { describe, expect, it } from "vitest";
import {
  bookingBody,
  call,
  createShow,
  expectError,
  lockedSeats,
  lockSeats,
  postBooking,
  rowSeats,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";
import { reaches, watch } from "./support/live-viewer.ts";

/** The layout, the compact status, the compact live feed and the seat map by zone. */

interface Layout {
  show_id: string;
  seats: { seat_id: string; row: string; number: number; price: number; zone: string }[];
}

async function layoutOf(showId: string): Promise<Layout> {
  const res = await call("GET", `/v1/shows/${showId}/layout`);
  expect(res.status).toBe(200);
  return (await res.json()) as Layout;
}

async function statusOf(showId: string): Promise<{ version: number; status: string }> {
  const res = await call("GET", `/v1/shows/${showId}/seats/status`);
  expect(res.status).toBe(200);
  return (await res.json()) as { version: number; status: string };
}

const CODES: Record<string, string> = { available: "a", locked: "l", booked: "b" };

describe("the compact status", () => {
  it("agrees seat for seat with the full seat map, in layout order", async () => {
    const ctx = await lockedSeats(2, "user_compact");
    expect((await postBooking(ctx.token, bookingBody(ctx))).status).toBe(201);
    const other = rowSeats(await seatMap(ctx.showId), "D");
    await lockSeats(await tokenFor("user_other"), { show_id: ctx.showId, seat_ids: [other[0]] });
    const [layout, status, map] = await Promise.all([
      layoutOf(ctx.showId),
      statusOf(ctx.showId),
      seatMap(ctx.showId),
    ]);
    expect(status.version).toBe(map.version);
    expect(layout.seats.map((s) => s.seat_id)).toEqual(map.seats.map((s) => s.seat_id));
    expect(status.status).toBe(map.seats.map((s) => CODES[s.status]).join(""));
    expect(status.status).toMatch(/b.*l|l.*b/);
  });

  it("answers 304 to If-None-Match with its version's ETag", async () => {
    const { showId } = await createShow();
    const first = await call("GET", `/v1/shows/${showId}/seats/status`);
    const etag = first.headers.get("ETag") ?? "";
    expect(etag).toMatch(/^"v\d+"$/);
    const again = await call("GET", `/v1/shows/${showId}/seats/status`, {
      headers: { "If-None-Match": etag },
    });
    expect(again.status).toBe(304);
  });
});

describe("the layout", () => {
  it("is cacheable, with an ETag that answers 304", async () => {
    const { showId } = await createShow();
    const res = await call("GET", `/v1/shows/${showId}/layout`);
    expect(res.headers.get("Cache-Control")).toContain("public");
    const layout = (await res.json()) as Layout;
    expect(layout.seats[0]).toEqual({
      seat_id: expect.any(String),
      row: "A",
      number: 1,
      price: 500,
      zone: "premium",
      accessibility: null,
    });
    const again = await call("GET", `/v1/shows/${showId}/layout`, {
      headers: { "If-None-Match": res.headers.get("ETag") ?? "" },
    });
    expect(again.status).toBe(304);
  });
});

describe("the compact live feed", () => {
  it("sends the status string, then changes as [layout index, code]", async () => {
    const { showId } = await createShow();
    const layout = await layoutOf(showId);
    const viewer = await watch(showId, "?format=compact");
    const start = (await statusOf(showId)).version;
    await reaches(viewer, start);
    expect(viewer.messages[0]).toMatchObject({ type: "status", version: start });
    expect(viewer.messages[0]?.status).toHaveLength(layout.seats.length);
    const seat = rowSeats(await seatMap(showId), "C")[3] ?? "";
    const res = await lockSeats(await tokenFor("user_compact_feed"), {
      show_id: showId,
      seat_ids: [seat],
    });
    expect(res.status).toBe(200);
    await reaches(viewer, start + 1);
    const index = layout.seats.findIndex((s) => s.seat_id === seat);
    expect(viewer.messages[1]).toEqual({
      type: "seats",
      from_version: start,
      version: start + 1,
      changes: [[index, "l"]],
    });
  });
});

describe("the seat map by zone", () => {
  it("holds that zone's seats only", async () => {
    const { showId } = await createShow();
    const res = await call("GET", `/v1/shows/${showId}/seats?zone=standard`);
    expect(res.status).toBe(200);
    const map = (await res.json()) as { seats: { zone: string }[]; zones: object };
    expect(map.seats).toHaveLength(24);
    expect(new Set(map.seats.map((s) => s.zone))).toEqual(new Set(["standard"]));
    expect(Object.keys(map.zones)).toEqual(["standard"]);
  });

  it("refuses a zone the show does not have with 400 naming it", async () => {
    const { showId } = await createShow();
    const res = await call("GET", `/v1/shows/${showId}/seats?zone=balcony`);
    expect((await expectError(res, 400, "INVALID_INPUT")).details?.field).toBe("zone");
  });
});
