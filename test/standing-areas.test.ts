import { describe, expect, it } from "vitest";
import {
  type AreaLockJson,
  areaCounts,
  expectBalanced,
  festivalShow,
  festivalVenue,
} from "./support/area-helpers.ts";
import { adminToken, call, expectError, lockSeats, seatMap, tokenFor } from "./support/helpers.ts";

/**
 * Standing (general-admission) areas: a venue zone sold by the place up to its capacity,
 * locked by quantity alone or with seats, all or nothing, never oversold under a crowd.
 */

describe("a venue's standing area", () => {
  it("is a zone with a capacity and no seats, counted in the venue's places", async () => {
    const res = await call("POST", "/v1/venues", {
      token: await adminToken(),
      body: festivalVenue(5000),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { venue } = (await res.json()) as {
      venue: { total_seats: number; zones: unknown[]; seats: { zone: string }[] };
    };
    expect(venue.zones).toEqual([
      { name: "floor", seats: 0, general_admission: true, capacity: 5000 },
      { name: "stands", seats: 6 },
    ]);
    expect(venue.seats.every((seat) => seat.zone === "stands")).toBe(true);
    expect(venue.total_seats).toBe(5006);
  });

  it("refuses rows on a standing area, and one without a capacity", async () => {
    const token = await adminToken();
    const withRows = await call("POST", "/v1/venues", {
      token,
      body: {
        name: "Hall",
        city: "Pune",
        zones: [
          { name: "floor", general_admission: true, capacity: 10, rows: [{ row: "A", seats: 2 }] },
        ],
      },
    });
    expect((await expectError(withRows, 400, "INVALID_INPUT")).details).toMatchObject({
      field: "zones.0.rows",
    });
    const noCapacity = await call("POST", "/v1/venues", {
      token,
      body: { name: "Hall", city: "Pune", zones: [{ name: "floor", general_admission: true }] },
    });
    expect((await expectError(noCapacity, 400, "INVALID_INPUT")).details).toMatchObject({
      field: "zones.0.capacity",
    });
  });
});

describe("locking places of a standing area", () => {
  it("takes places by quantity, answers them with no seats, and shows the counts in every read", async () => {
    const { showId } = await festivalShow(100);
    const res = await lockSeats(await tokenFor("user_floor"), {
      show_id: showId,
      areas: [{ zone: "floor", quantity: 4 }],
    });

    expect(res.status, await res.clone().text()).toBe(200);
    const lock = (await res.json()) as AreaLockJson;
    expect(lock.seat_ids).toEqual([]);
    expect(lock.areas).toEqual([{ zone: "floor", quantity: 4 }]);
    const expected = { zone: "floor", capacity: 100, available: 96, locked: 4, held: 0, booked: 0 };
    expect(await areaCounts(showId)).toEqual([expected]);
    const map = await seatMap(showId);
    expect(map.seats.every((seat) => seat.zone === "stands")).toBe(true);
    const status = (await (await call("GET", `/v1/shows/${showId}/seats/status`)).json()) as {
      status: string;
      areas: unknown[];
    };
    expect(status.status).toHaveLength(6);
    expect(status.areas).toEqual([expected]);
  });

  it("locks seats and places all or nothing: a short area leaves the seats free", async () => {
    const { showId } = await festivalShow(3);
    const seats = (await seatMap(showId)).seats.slice(0, 2).map((s) => s.seat_id);
    const token = await tokenFor("user_mixed");

    const short = await lockSeats(token, {
      show_id: showId,
      seat_ids: seats,
      areas: [{ zone: "floor", quantity: 4 }],
    });
    const error = await expectError(short, 400, "SEATS_UNAVAILABLE");
    expect(error.details).toMatchObject({ available: 3, zone: "floor" });
    expect((await seatMap(showId)).seats.filter((s) => s.status !== "available")).toEqual([]);

    const both = await lockSeats(token, {
      show_id: showId,
      seat_ids: seats,
      areas: [{ zone: "floor", quantity: 3 }],
    });
    expect(both.status).toBe(200);
    const lock = (await both.json()) as AreaLockJson;
    expect(lock.seat_ids.sort()).toEqual([...seats].sort());
    expect((await areaCounts(showId))[0]).toMatchObject({ available: 0, locked: 3 });
  });

  it("sells at most the capacity to 200 concurrent buyers of 1-4 places each", async () => {
    const { showId } = await festivalShow(100);
    const wants = Array.from({ length: 200 }, (_, i) => 1 + (i % 4));
    const tokens = await Promise.all(wants.map((_, i) => tokenFor(`user_crowd_${i}`)));

    const answers = await Promise.all(
      wants.map((quantity, i) =>
        lockSeats(tokens[i] ?? "", { show_id: showId, areas: [{ zone: "floor", quantity }] }),
      ),
    );

    let locked = 0;
    for (const [i, res] of answers.entries()) {
      if (res.status === 200) {
        locked += wants[i] ?? 0;
        continue;
      }
      const error = await expectError(res, 400, "SEATS_UNAVAILABLE");
      expect(Number.isInteger(error.details?.available)).toBe(true);
      expect(error.details?.available).toBeLessThan(wants[i] ?? 0);
    }
    expect(locked).toBeLessThanOrEqual(100);
    expect(locked).toBeGreaterThan(96);
    const [floor] = await areaCounts(showId);
    expect(floor).toMatchObject({ locked, available: 100 - locked });
    expectBalanced(await areaCounts(showId));
  });

  it("refuses an area the show does not have, or a zone of seats, naming the field", async () => {
    const { showId } = await festivalShow(10);
    const token = await tokenFor("user_wrong_area");
    const unknown = await lockSeats(token, {
      show_id: showId,
      areas: [{ zone: "lawn", quantity: 1 }],
    });
    expect((await expectError(unknown, 400, "INVALID_INPUT")).details).toMatchObject({
      field: "areas.0.zone",
    });
    const seated = await lockSeats(token, {
      show_id: showId,
      areas: [{ zone: "stands", quantity: 1 }],
    });
    expect((await expectError(seated, 400, "INVALID_INPUT")).details).toMatchObject({
      field: "areas.0.zone",
    });
    const tooMany = await lockSeats(token, {
      show_id: showId,
      areas: [{ zone: "floor", quantity: 11 }],
    });
    await expectError(tooMany, 400, "INVALID_INPUT");
    const withBest = await lockSeats(token, {
      show_id: showId,
      quantity: 2,
      areas: [{ zone: "floor", quantity: 1 }],
    });
    expect((await expectError(withBest, 400, "INVALID_INPUT")).details).toMatchObject({
      field: "areas",
    });
  });
});

describe("a stadium-sized standing area", () => {
  it("keeps every read as small as a small area's: its places are counts, not rows", async () => {
    const small = await festivalShow(10);
    const huge = await festivalShow(50_000);
    const bytes = async (showId: string, path: string) =>
      (await (await call("GET", `/v1/shows/${showId}${path}`)).text()).length;

    for (const path of ["/seats", "/seats/status", "/layout"]) {
      const grows = (await bytes(huge.showId, path)) - (await bytes(small.showId, path));
      // Only the digits of the counts differ (and the ids' letters are the same length).
      expect(grows).toBeLessThanOrEqual(12);
    }
    const res = await lockSeats(await tokenFor("user_stadium"), {
      show_id: huge.showId,
      areas: [{ zone: "floor", quantity: 10 }],
    });
    expect(res.status).toBe(200);
    expect((await areaCounts(huge.showId))[0]).toMatchObject({ available: 49_990, locked: 10 });
  });
});
