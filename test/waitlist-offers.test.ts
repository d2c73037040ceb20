import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  adminToken,
  call,
  expectError,
  lockSeats,
  seatMap,
  stubOf,
  tokenFor,
} from "./support/helpers.ts";
import { travelTo } from "./support/time.ts";
import {
  bookLock,
  entryOf,
  expectSeatBookConsistent,
  joinWaitlist,
  myWaitlist,
  patchShow,
  releaseLock,
  soldOutShow,
} from "./support/waitlist-helpers.ts";

/**
 * Seats that come back to a sold-out show go to its waitlist in the same step: locked for
 * the first buyers in line whose request fits, never seen free by the public; an offer
 * that ends unbooked passes to the next.
 */

describe("waitlist offers", () => {
  it("offers released seats to the first in line whose request fits, in join order", async () => {
    const { showId, sellerToken, locks } = await soldOutShow();
    await joinWaitlist(showId, "user_wants3", { quantity: 3 });
    await joinWaitlist(showId, "user_wants2", { quantity: 2 });
    await joinWaitlist(showId, "user_wants1", { quantity: 1 });
    const freed = locks[0];
    if (!freed) throw new Error("no lock");

    await releaseLock(sellerToken, freed.lock_id);

    expect(await entryOf(showId, "user_wants3")).toMatchObject({ status: "waiting", offer: null });
    const offered = await entryOf(showId, "user_wants2");
    expect(offered).toMatchObject({ position: 2, status: "offered" });
    expect([...(offered.offer?.seat_ids ?? [])].sort()).toEqual([...freed.seat_ids].sort());
    expect(await entryOf(showId, "user_wants1")).toMatchObject({ status: "waiting" });
    await expectSeatBookConsistent(showId);
  });

  it("never lets the public take released seats while someone waits", async () => {
    const { showId, sellerToken, locks } = await soldOutShow();
    await joinWaitlist(showId, "user_patient", { quantity: 2 });
    const freed = locks[1];
    if (!freed) throw new Error("no lock");
    const racers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => tokenFor(`user_racer_${i}`)),
    );

    const [, ...attempts] = await Promise.all([
      releaseLock(sellerToken, freed.lock_id),
      ...racers.map((token) => lockSeats(token, { show_id: showId, seat_ids: freed.seat_ids })),
    ]);

    for (const res of attempts) expect(res.status).toBe(400);
    const entry = await entryOf(showId, "user_patient");
    expect(entry.status).toBe("offered");
    expect([...(entry.offer?.seat_ids ?? [])].sort()).toEqual([...freed.seat_ids].sort());
    await expectSeatBookConsistent(showId);
  });

  it("lets the buyer book the offer like any lock, and then takes them off the list", async () => {
    const { showId, sellerToken, locks } = await soldOutShow();
    await joinWaitlist(showId, "user_booker", { quantity: 2 });
    const freed = locks[2];
    if (!freed) throw new Error("no lock");
    await releaseLock(sellerToken, freed.lock_id);
    const { offer } = await entryOf(showId, "user_booker");
    if (!offer) throw new Error("no offer");

    const lock = await call("GET", `/v1/seats/lock/${offer.lock_id}`, {
      token: await tokenFor("user_booker"),
    });
    expect(lock.status).toBe(200);
    await bookLock(showId, "user_booker", {
      lock_id: offer.lock_id,
      show_id: showId,
      seat_ids: offer.seat_ids,
      areas: [],
      expires_at: offer.expires_at,
      locked_at: offer.expires_at,
    });

    expect((await myWaitlist(showId, "user_booker")).status).toBe(404);
    const booked = (await seatMap(showId)).seats.filter((s) => offer.seat_ids.includes(s.seat_id));
    expect(booked.map((s) => s.status)).toEqual(["booked", "booked"]);
  });

  it("ends an unbooked offer after waitlist_offer_seconds and offers the seats to the next", async () => {
    const { showId, sellerToken, locks } = await soldOutShow();
    expect((await patchShow(showId, { waitlist_offer_seconds: 60 })).status).toBe(200);
    await joinWaitlist(showId, "user_slow", { quantity: 2 });
    await joinWaitlist(showId, "user_next", { quantity: 2 });
    const freed = locks[3];
    if (!freed) throw new Error("no lock");
    await releaseLock(sellerToken, freed.lock_id);
    const first = await entryOf(showId, "user_slow");
    const expiresAt = Date.parse(first.offer?.expires_at ?? "");
    expect(expiresAt - Date.parse(first.joined_at)).toBeGreaterThanOrEqual(59_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(60_000);

    travelTo(expiresAt + 1);
    await runDurableObjectAlarm(stubOf(showId));

    expect((await myWaitlist(showId, "user_slow")).status).toBe(404);
    const next = await entryOf(showId, "user_next");
    expect(next).toMatchObject({ position: 1, status: "offered" });
    expect([...(next.offer?.seat_ids ?? [])].sort()).toEqual([...freed.seat_ids].sort());
    const retry = await lockSeats(await tokenFor("user_slow"), {
      show_id: showId,
      seat_ids: freed.seat_ids,
    });
    await expectError(retry, 400, "SEATS_ALREADY_LOCKED");
    await expectSeatBookConsistent(showId);
  });

  it("passes the offer on when its buyer releases it or leaves the list", async () => {
    const { showId, sellerToken, locks } = await soldOutShow();
    for (const user of ["user_a", "user_b", "user_c"]) {
      await joinWaitlist(showId, user, { quantity: 2 });
    }
    const freed = locks[0];
    if (!freed) throw new Error("no lock");
    await releaseLock(sellerToken, freed.lock_id);
    const offerA = (await entryOf(showId, "user_a")).offer;
    if (!offerA) throw new Error("no offer for a");

    await releaseLock(await tokenFor("user_a"), offerA.lock_id);
    expect((await myWaitlist(showId, "user_a")).status).toBe(404);
    expect((await entryOf(showId, "user_b")).status).toBe("offered");

    const left = await call("DELETE", `/v1/shows/${showId}/waitlist/me`, {
      token: await tokenFor("user_b"),
    });
    expect(left.status).toBe(200);
    const offerC = (await entryOf(showId, "user_c")).offer;
    expect([...(offerC?.seat_ids ?? [])].sort()).toEqual([...freed.seat_ids].sort());
    await expectSeatBookConsistent(showId);
  });

  it("offers seats of a cancelled booking and of a released hold", async () => {
    const { showId, seller, sellerToken, locks } = await soldOutShow();
    const [first, second] = locks;
    if (!first || !second) throw new Error("no locks");
    const bookingId = await bookLock(showId, seller, first);
    await releaseLock(sellerToken, second.lock_id);
    const hold = await call("POST", `/v1/shows/${showId}/holds`, {
      token: await adminToken(),
      body: { seat_ids: second.seat_ids, reason: "house" },
    });
    expect(hold.status, await hold.clone().text()).toBe(201);
    const { hold: made } = (await hold.json()) as { hold: { hold_id: string } };
    await joinWaitlist(showId, "user_cancelled_seats", { quantity: 2 });
    await joinWaitlist(showId, "user_hold_seats", { quantity: 2 });

    const cancelled = await call("POST", `/v1/bookings/${bookingId}/cancel`, {
      token: sellerToken,
    });
    expect(cancelled.status, await cancelled.clone().text()).toBe(200);
    const released = await call("DELETE", `/v1/shows/${showId}/holds/${made.hold_id}`, {
      token: await adminToken(),
    });
    expect(released.status).toBe(200);

    const fromBooking = await entryOf(showId, "user_cancelled_seats");
    expect([...(fromBooking.offer?.seat_ids ?? [])].sort()).toEqual([...first.seat_ids].sort());
    const fromHold = await entryOf(showId, "user_hold_seats");
    expect([...(fromHold.offer?.seat_ids ?? [])].sort()).toEqual([...second.seat_ids].sort());
    await expectSeatBookConsistent(showId);
  });

  it("skips a buyer whose request no longer fits their limit, and serves the next", async () => {
    const { showId, seller, sellerToken, locks } = await soldOutShow();
    await joinWaitlist(showId, seller, { quantity: 2 });
    await joinWaitlist(showId, "user_after", { quantity: 2 });
    // A limit set after they joined: the seller still holds 6 seats when 2 come back.
    expect((await patchShow(showId, { max_tickets_per_user: 3 })).status).toBe(200);
    const freed = locks[0];
    if (!freed) throw new Error("no lock");

    await releaseLock(sellerToken, freed.lock_id);

    expect(await entryOf(showId, seller)).toMatchObject({ position: 1, status: "waiting" });
    const next = await entryOf(showId, "user_after");
    expect([...(next.offer?.seat_ids ?? [])].sort()).toEqual([...freed.seat_ids].sort());
    await expectSeatBookConsistent(showId);
  });
});
