import { describe, expect, it } from "vitest";
import {
  adminToken,
  bookingBody,
  call,
  createShow,
  expectError,
  type LockJson,
  lockedSeats,
  lockSeats,
  postBooking,
  rowSeats,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";
import { reaches, watch } from "./support/live-viewer.ts";

/** POST/GET /v1/shows/{id}/holds and DELETE .../holds/{hold_id}: seats kept back from sale. */

async function hold(showId: string, seatIds: string[], reason = "wheelchair") {
  return call("POST", `/v1/shows/${showId}/holds`, {
    token: await adminToken(),
    body: { seat_ids: seatIds, reason, label: "Access row" },
  });
}

describe("held seats", () => {
  it("read held in the seat map, the compact status and the live feed, and cannot be locked", async () => {
    const { showId } = await createShow();
    const viewer = await watch(showId, "?format=compact");
    const seats = rowSeats(await seatMap(showId), "B").slice(0, 2);
    const res = await hold(showId, seats);
    expect(res.status).toBe(201);
    const { hold: created } = (await res.json()) as { hold: { hold_id: string } };
    const map = await seatMap(showId);
    expect(map.seats.filter((s) => s.status === "held").map((s) => s.seat_id)).toEqual(seats);
    const status = (await (await call("GET", `/v1/shows/${showId}/seats/status`)).json()) as {
      status: string;
    };
    expect([...status.status].filter((c) => c === "h")).toHaveLength(2);
    await reaches(viewer, map.version);
    expect(viewer.messages.at(-1)?.changes?.map(([, code]) => code)).toEqual(["h", "h"]);
    const refused = await lockSeats(await tokenFor("user_holds"), {
      show_id: showId,
      seat_ids: seats,
    });
    const error = await expectError(refused, 400, "SEATS_UNAVAILABLE");
    expect(error.details?.unavailable_seats).toEqual(seats);
    const list = await call("GET", `/v1/shows/${showId}/holds`, { token: await adminToken() });
    expect(((await list.json()) as { holds: { hold_id: string }[] }).holds).toEqual([
      expect.objectContaining({ hold_id: created.hold_id, seat_ids: seats, reason: "wheelchair" }),
    ]);
  });

  it("cannot be locked by 50 concurrent users, and are sold once released", async () => {
    const { showId } = await createShow();
    const seats = rowSeats(await seatMap(showId), "C").slice(0, 2);
    const { hold: created } = (await (await hold(showId, seats)).json()) as {
      hold: { hold_id: string };
    };
    const tokens = await Promise.all(
      Array.from({ length: 50 }, (_, i) => tokenFor(`user_rush_${i}`)),
    );
    const tries = await Promise.all(
      tokens.map((token) => lockSeats(token, { show_id: showId, seat_ids: [seats[0]] })),
    );
    expect(tries.map((r) => r.status)).toEqual(Array(50).fill(400));
    const released = await call("DELETE", `/v1/shows/${showId}/holds/${created.hold_id}`, {
      token: await adminToken(),
    });
    expect(released.status).toBe(200);
    const buyer = await tokenFor("user_after_hold");
    const lock = (await (
      await lockSeats(buyer, { show_id: showId, seat_ids: seats })
    ).json()) as LockJson;
    const booked = await postBooking(buyer, {
      ...bookingBody({ showId, user: "user_after_hold", token: buyer, lock, seats: lock.seat_ids }),
    });
    expect(booked.status).toBe(201);
  });

  it("are skipped by best available", async () => {
    const { showId } = await createShow();
    // Hold all of premium but two seats at the end of row B.
    const premium = (await seatMap(showId)).seats.filter((s) => s.zone === "premium");
    const kept = premium.slice(0, -2).map((s) => s.seat_id);
    expect((await hold(showId, kept)).status).toBe(201);
    const res = await lockSeats(await tokenFor("user_best"), {
      show_id: showId,
      quantity: 2,
      zone: "premium",
    });
    expect(res.status).toBe(200);
    const lock = (await res.json()) as LockJson;
    expect(lock.seat_ids.sort()).toEqual(
      premium
        .slice(-2)
        .map((s) => s.seat_id)
        .sort(),
    );
  });

  it("refuses to hold a locked or booked seat with 409 naming it", async () => {
    const ctx = await lockedSeats(2, "user_hold_conflict");
    const res = await hold(ctx.showId, ctx.seats);
    expect((await expectError(res, 409, "SEATS_UNAVAILABLE")).details?.unavailable_seats).toEqual(
      ctx.seats,
    );
    expect((await postBooking(ctx.token, bookingBody(ctx))).status).toBe(201);
    const again = await hold(ctx.showId, ctx.seats.slice(0, 1));
    await expectError(again, 409, "SEATS_UNAVAILABLE");
    const unknown = await hold(ctx.showId, ["seat_nowhere_1"]);
    expect((await expectError(unknown, 400, "INVALID_INPUT")).details?.field).toBe("seat_ids");
  });

  it("are counted as held in the sales report", async () => {
    const { showId } = await createShow();
    const seats = rowSeats(await seatMap(showId), "D").slice(0, 3);
    await hold(showId, seats);
    const res = await call("GET", `/v1/shows/${showId}/report`, { token: await adminToken() });
    const { report } = (await res.json()) as { report: { seats: { total: { held: number } } } };
    expect(report.seats.total.held).toBe(3);
  });
});
