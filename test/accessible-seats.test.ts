import { describe, expect, it } from "vitest";
import {
  adminToken,
  call,
  createShow,
  expectError,
  type LockJson,
  lockSeats,
  type SeatMapJson,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";

/**
 * Wheelchair spaces and companion seats (docs/api.md, "Accessible seats"): kept from plain
 * best available while the rest of their zone is on sale, sold together on request, and
 * released to everyone once the zone is otherwise sold or the organizer says so.
 */

/** Premium: row A has companions at 2 and 5 around wheelchair spaces 3 and 4; row B none. */
const venue = {
  name: "Accessible Hall",
  city: "Pune",
  zones: [
    {
      name: "premium",
      rows: [
        { row: "A", seats: 6, accessibility: { wheelchair: [3, 4], companion: [2, 5] } },
        { row: "B", seats: 6 },
      ],
    },
    { name: "standard", rows: [{ row: "C", seats: 4, accessibility: { aisle: [1] } }] },
  ],
};

async function accessibleShow() {
  const { showId } = await createShow({ premium: 500, standard: 300 }, venue);
  const map = await seatMap(showId);
  const id = (row: string, number: number) => {
    const seat = map.seats.find((s) => s.row === row && s.number === number);
    if (!seat) throw new Error(`no seat ${row}${number}`);
    return seat.seat_id;
  };
  return { showId, map, id };
}

function kindsOf(map: SeatMapJson, seatIds: readonly string[]) {
  return seatIds.map((id) => map.seats.find((s) => s.seat_id === id)?.accessibility);
}

async function lock(user: string, body: Record<string, unknown>) {
  return lockSeats(await tokenFor(user), body);
}

describe("accessible seats", () => {
  it("are shown in the seat map with what each offers", async () => {
    const { map, id } = await accessibleShow();

    expect(kindsOf(map, [id("A", 1), id("A", 2), id("A", 3), id("C", 1), id("B", 1)])).toEqual([
      null,
      "companion",
      "wheelchair",
      "aisle",
      null,
    ]);
  });

  it("are left out of plain best available while the rest of their zone is on sale", async () => {
    const { showId, map } = await accessibleShow();

    const six = await lock("user_plain_six", { show_id: showId, quantity: 6, zone: "premium" });
    const two = await lock("user_plain_two", { show_id: showId, quantity: 2, zone: "premium" });

    expect(six.status).toBe(200);
    const picked = ((await six.json()) as LockJson).seat_ids;
    expect(kindsOf(map, picked)).toEqual([null, null, null, null, null, null]);
    // Row A's free seats apart from the kept ones (1 and 6) are not adjacent.
    await expectError(two, 400, "SEATS_UNAVAILABLE");
  });

  it("are locked together on request: wheelchair spaces with companion seats next to them", async () => {
    const { showId, map } = await accessibleShow();

    const res = await lock("user_wheelchair", {
      show_id: showId,
      accessible: { wheelchair: 2, companions: 1 },
    });

    expect(res.status).toBe(200);
    const seats = ((await res.json()) as LockJson).seat_ids;
    const numbers = seats.map((id) => map.seats.find((s) => s.seat_id === id)?.number);
    expect(numbers).toEqual([2, 3, 4]);
    expect(kindsOf(map, seats)).toEqual(["companion", "wheelchair", "wheelchair"]);
  });

  it("refuses a companion seat locked without a wheelchair space, but not a wheelchair space alone", async () => {
    const { showId, id } = await accessibleShow();

    const companion = await lock("user_companion", { show_id: showId, seat_ids: [id("A", 2)] });
    const space = await lock("user_space", { show_id: showId, seat_ids: [id("A", 3)] });

    const error = await expectError(companion, 400, "SEATS_UNAVAILABLE");
    expect(error.details).toMatchObject({
      reason: "companion_requires_wheelchair",
      unavailable_seats: [id("A", 2)],
    });
    expect(space.status).toBe(200);
    expect((await seatMap(showId)).seats.find((s) => s.seat_id === id("A", 2))?.status).toBe(
      "available",
    );
  });

  it("go on plain sale once every other seat of their zone is held or booked", async () => {
    const { showId, id } = await accessibleShow();
    const others = [id("A", 1), id("A", 6), ...[1, 2, 3, 4, 5, 6].map((n) => id("B", n))];
    const held = await call("POST", `/v1/shows/${showId}/holds`, {
      token: await adminToken(),
      body: { seat_ids: others, reason: "house" },
    });
    expect(held.status).toBe(201);

    const plain = await lock("user_after_sellout", {
      show_id: showId,
      quantity: 2,
      zone: "premium",
    });
    const companion = await lock("user_companion_late", {
      show_id: showId,
      seat_ids: [id("A", 5)],
    });

    expect(plain.status).toBe(200);
    expect(companion.status).toBe(200);
  });

  it("go on plain sale when the organizer releases them, and are kept again when asked", async () => {
    const { showId, id } = await accessibleShow();
    const patch = (reserved: boolean) =>
      adminToken().then((token) =>
        call("PATCH", `/v1/shows/${showId}`, {
          token,
          body: { accessible_seats_reserved: reserved },
        }),
      );

    expect((await patch(false)).status).toBe(200);
    const released = await lock("user_released", { show_id: showId, seat_ids: [id("A", 2)] });
    expect((await patch(true)).status).toBe(200);
    const kept = await lock("user_kept", { show_id: showId, seat_ids: [id("A", 5)] });

    expect(released.status).toBe(200);
    await expectError(kept, 400, "SEATS_UNAVAILABLE");
  });

  it("refuses a quantity that is not the sum of the accessible request, naming quantity", async () => {
    const { showId } = await accessibleShow();

    const res = await lock("user_bad_quantity", {
      show_id: showId,
      quantity: 3,
      accessible: { wheelchair: 1, companions: 1 },
    });

    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details?.field).toBe("quantity");
  });
});
