import { listDurableObjectIds } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newShowScopedId } from "../src/contract/scoped-ids.ts";
import { database } from "../src/db/database.ts";
import { shows } from "../src/db/schema.ts";
import { newId } from "../src/lib/ids.ts";
import { KnownShows, knownShows, showInD1 } from "../src/show-client/known-shows.ts";
import {
  call,
  card,
  createShow,
  expectError,
  inOneWeek,
  newKey,
  stubOf,
  tokenFor,
} from "./support/helpers.ts";
import { upgrade } from "./support/live-viewer.ts";

/** Whether a show object exists (was ever created) for the show id. */
async function hasShowObject(showId: string): Promise<boolean> {
  const { id } = stubOf(showId);
  return (await listDurableObjectIds(env.SHOW)).some((existing) => existing.equals(id));
}

describe("requests for a show that does not exist", () => {
  it("answer 404 for the seat map, the live feed and a lock, and create no show object", async () => {
    const showId = newId("show");
    const token = await tokenFor("user_unknown_show");

    const map = await expectError(await call("GET", `/v1/shows/${showId}/seats`), 404, "NOT_FOUND");
    expect(map.details).toEqual({ resource: "show", id: showId });

    const live = await upgrade(showId);
    expect((await expectError(live, 404, "NOT_FOUND")).details).toEqual({
      resource: "show",
      id: showId,
    });

    const lock = await call("POST", "/v1/seats/lock", {
      token,
      body: { show_id: showId, quantity: 2 },
    });
    expect((await expectError(lock, 404, "NOT_FOUND")).details).toEqual({
      resource: "show",
      id: showId,
    });

    expect(await hasShowObject(showId)).toBe(false);
  });

  it("answer 404 for its lock and booking ids, a booking, a payment and a cancellation, and create no show object", async () => {
    const showId = newId("show");
    const lockId = newShowScopedId("lock", showId);
    const bookingId = newShowScopedId("booking", showId);
    const token = await tokenFor("user_unknown_show");
    const withKey = { "Idempotency-Key": newKey() };

    const lockRead = await call("GET", `/v1/seats/lock/${lockId}`, { token });
    expect((await expectError(lockRead, 404, "NOT_FOUND")).details).toEqual({
      resource: "lock",
      id: lockId,
    });
    const release = await call("DELETE", `/v1/seats/lock/${lockId}`, { token });
    expect((await expectError(release, 404, "NOT_FOUND")).details).toEqual({
      resource: "lock",
      id: lockId,
    });

    const booking = await call("POST", "/v1/bookings", {
      token,
      headers: withKey,
      body: {
        show_id: showId,
        lock_id: lockId,
        seat_ids: ["seat_a"],
        user_id: "user_unknown_show",
        payment_method: card(),
      },
    });
    expect((await expectError(booking, 404, "NOT_FOUND")).details).toEqual({
      resource: "show",
      id: showId,
    });

    const bookingRead = await call("GET", `/v1/bookings/${bookingId}`, { token });
    expect((await expectError(bookingRead, 404, "NOT_FOUND")).details).toEqual({
      resource: "booking",
      id: bookingId,
    });
    const payment = await call("POST", "/v1/payments", {
      token,
      headers: { "Idempotency-Key": newKey() },
      body: { booking_id: bookingId, amount: 500, payment_method: card() },
    });
    expect((await expectError(payment, 404, "NOT_FOUND")).details).toEqual({
      resource: "booking",
      id: bookingId,
    });
    const cancel = await call("POST", `/v1/bookings/${bookingId}/cancel`, { token });
    expect((await expectError(cancel, 404, "NOT_FOUND")).details).toEqual({
      resource: "booking",
      id: bookingId,
    });

    expect(await hasShowObject(showId)).toBe(false);
  });
});

/** A lookup answering `found()` and counting its calls, standing in for D1. */
function countingLookup(found: () => boolean) {
  const lookup = async (_showId: string) => {
    lookup.calls += 1;
    return found();
  };
  lookup.calls = 0;
  return lookup;
}

const limits = { maxKnown: 3, maxUnknown: 3, unknownTtlMs: 30_000 };

describe("the known-shows cache", () => {
  it("does not let an unknown id's entry block a show created through this isolate", async () => {
    const { eventId, venueId } = await createShow();
    const showId = newId("show");
    const inD1 = showInD1(env.DB);
    expect(await knownShows.exists(showId, inD1)).toBe(false);
    await database(env.DB)
      .insert(shows)
      .values({ showId, eventId, venueId, showTime: inOneWeek(), status: "scheduled" });
    // Created elsewhere, D1 has it now; this isolate still remembers it as unknown…
    expect(await knownShows.exists(showId, inD1)).toBe(false);
    // …until it is created through this isolate, as POST /v1/shows does.
    knownShows.showCreated(showId);
    expect(await knownShows.exists(showId, inD1)).toBe(true);
  });

  it("knows a show created through the API at once, without asking D1", async () => {
    const { showId } = await createShow();
    const lookup = countingLookup(() => false);
    expect(await knownShows.exists(showId, lookup)).toBe(true);
    expect(lookup.calls).toBe(0);
  });

  it("asks again once an unknown id's time is over, so a show created elsewhere becomes usable", async () => {
    const cache = new KnownShows(limits);
    let created = false;
    const lookup = countingLookup(() => created);
    const t0 = 1_000_000;
    expect(await cache.exists("show_later", lookup, t0)).toBe(false);
    created = true;
    expect(await cache.exists("show_later", lookup, t0 + 29_999)).toBe(false);
    expect(lookup.calls).toBe(1);
    expect(await cache.exists("show_later", lookup, t0 + 30_000)).toBe(true);
    expect(lookup.calls).toBe(2);
  });

  it("asks D1 once for concurrent requests, and never again for a known show", async () => {
    const cache = new KnownShows(limits);
    const lookup = countingLookup(() => true);
    const answers = await Promise.all([1, 2, 3].map(() => cache.exists("show_busy", lookup)));
    expect(answers).toEqual([true, true, true]);
    expect(await cache.exists("show_busy", lookup, Date.now() + 86_400_000)).toBe(true);
    expect(lookup.calls).toBe(1);
  });

  it("does not keep an unknown answer that a creation through this isolate overtook", async () => {
    const cache = new KnownShows(limits);
    const answer = Promise.withResolvers<boolean>();
    const slow = cache.exists("show_racing", () => answer.promise);
    cache.showCreated("show_racing"); // while D1 is still being asked
    answer.resolve(false); // D1 was read before the show was inserted
    expect(await slow).toBe(true);
    const afterwards = countingLookup(() => false);
    expect(await cache.exists("show_racing", afterwards)).toBe(true);
    expect(afterwards.calls).toBe(0);
  });

  it("holds at most its limit of known ids, the least recently used leaving first", async () => {
    const cache = new KnownShows(limits);
    const lookup = countingLookup(() => true);
    for (const id of ["show_a", "show_b", "show_c"]) await cache.exists(id, lookup);
    await cache.exists("show_a", lookup); // used again: show_b is now the oldest
    await cache.exists("show_d", lookup);
    expect(lookup.calls).toBe(4);
    await cache.exists("show_a", lookup);
    expect(lookup.calls).toBe(4);
    await cache.exists("show_b", lookup);
    expect(lookup.calls).toBe(5);
  });

  it("holds at most its limit of unknown ids", async () => {
    const cache = new KnownShows(limits);
    const lookup = countingLookup(() => false);
    for (const id of ["show_w", "show_x", "show_y", "show_z"]) await cache.exists(id, lookup);
    await cache.exists("show_z", lookup);
    expect(lookup.calls).toBe(4);
    await cache.exists("show_w", lookup); // the oldest entry made room
    expect(lookup.calls).toBe(5);
  });
});
