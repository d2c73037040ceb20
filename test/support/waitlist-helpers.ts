import { runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import type { WaitlistView as WaitlistJson } from "../../src/contract/show-views.ts";
import {
  adminToken,
  call,
  card,
  createShow,
  type LockJson,
  lockSeats,
  postBooking,
  seatMap,
  stubOf,
  tokenFor,
} from "./helpers.ts";

/** The waitlist's answer, as GET /v1/shows/{show_id}/waitlist/me gives it. */
export type { WaitlistView as WaitlistJson } from "../../src/contract/show-views.ts";

/** A venue of two zones of one row each: small enough to sell out in a few locks. */
export const smallVenue = {
  name: "Studio",
  city: "Pune",
  zones: [
    { name: "front", rows: [{ row: "A", seats: 4 }] },
    { name: "back", rows: [{ row: "B", seats: 4 }] },
  ],
};

/** A show of the small venue whose every seat is locked by `seller` (two locks per zone). */
export async function soldOutShow(seller = "user_seller") {
  const { showId } = await createShow({ front: 400, back: 200 }, smallVenue);
  const token = await tokenFor(seller);
  const seats = (await seatMap(showId)).seats.map((s) => s.seat_id);
  const locks: LockJson[] = [];
  for (let i = 0; i < seats.length; i += 2) {
    const res = await lockSeats(token, { show_id: showId, seat_ids: seats.slice(i, i + 2) });
    expect(res.status, await res.clone().text()).toBe(200);
    locks.push((await res.json()) as LockJson);
  }
  return { showId, seller, sellerToken: token, locks };
}

export async function joinWaitlist(
  showId: string,
  user: string,
  body: Record<string, unknown>,
): Promise<Response> {
  return call("POST", `/v1/shows/${showId}/waitlist`, { token: await tokenFor(user), body });
}

export async function myWaitlist(showId: string, user: string): Promise<Response> {
  return call("GET", `/v1/shows/${showId}/waitlist/me`, { token: await tokenFor(user) });
}

/** The user's entry; fails the test when they are not on the list. */
export async function entryOf(showId: string, user: string): Promise<WaitlistJson> {
  const res = await myWaitlist(showId, user);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { waitlist: WaitlistJson }).waitlist;
}

export async function releaseLock(token: string, lockId: string): Promise<void> {
  const res = await call("DELETE", `/v1/seats/lock/${lockId}`, { token });
  expect(res.status, await res.clone().text()).toBe(200);
}

export async function patchShow(showId: string, body: Record<string, unknown>): Promise<Response> {
  return call("PATCH", `/v1/shows/${showId}`, { token: await adminToken(), body });
}

/** Books a lock with a good card; answers the booking's id. */
export async function bookLock(showId: string, user: string, lock: LockJson): Promise<string> {
  const res = await postBooking(await tokenFor(user), {
    show_id: showId,
    lock_id: lock.lock_id,
    seat_ids: lock.seat_ids,
    user_id: user,
    payment_method: card(),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { booking: { booking_id: string } }).booking.booking_id;
}

/**
 * The show object's own invariants: no seat in two live locks, and the seat map's counts
 * adding up to the show's seats.
 */
export async function expectSeatBookConsistent(showId: string): Promise<void> {
  const live = await runInDurableObject(stubOf(showId), (_object, state) =>
    state.storage.sql
      .exec<{ seat_ids: string }>("SELECT seat_ids FROM locks WHERE status = 'locked'")
      .toArray(),
  );
  const seats = live.flatMap((row) => JSON.parse(row.seat_ids) as string[]);
  expect(new Set(seats).size).toBe(seats.length);
  const map = await seatMap(showId);
  const locked = map.seats.filter((seat) => seat.status === "locked").map((s) => s.seat_id);
  expect(locked.sort()).toEqual([...seats].sort());
}
