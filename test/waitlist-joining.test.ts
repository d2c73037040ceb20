import { describe, expect, it } from "vitest";
import { call, createShow, expectError, lockSeats, seatMap, tokenFor } from "./support/helpers.ts";
import {
  entryOf,
  joinWaitlist,
  myWaitlist,
  patchShow,
  smallVenue,
  soldOutShow,
} from "./support/waitlist-helpers.ts";

/**
 * Who may join a show's waitlist and what they are told: only a sold-out show (or zone)
 * takes joiners, once each, within the buyer's limit; the place is theirs to read and leave.
 */

describe("joining the waitlist", () => {
  it("refuses a show with seats available, naming how many", async () => {
    const { showId } = await createShow({ front: 400, back: 200 }, smallVenue);
    const res = await joinWaitlist(showId, "user_early", { quantity: 2 });
    const error = await expectError(res, 409, "NOT_SOLD_OUT");
    expect(error.details).toMatchObject({ available: 8, zone: null });
    expect((await myWaitlist(showId, "user_early")).status).toBe(404);
  });

  it("takes a zone that is sold out while another zone still has seats", async () => {
    const { showId } = await createShow({ front: 400, back: 200 }, smallVenue);
    const front = (await seatMap(showId)).seats.filter((s) => s.zone === "front");
    const lock = await lockSeats(await tokenFor("user_front"), {
      show_id: showId,
      seat_ids: front.map((s) => s.seat_id),
    });
    expect(lock.status).toBe(200);

    const anyZone = await joinWaitlist(showId, "user_zone", { quantity: 1 });
    await expectError(anyZone, 409, "NOT_SOLD_OUT");
    const res = await joinWaitlist(showId, "user_zone", { quantity: 1, zone: "front" });

    expect(res.status, await res.clone().text()).toBe(201);
    const { waitlist } = (await res.json()) as { waitlist: Record<string, unknown> };
    expect(waitlist).toMatchObject({
      position: 1,
      quantity: 1,
      zone: "front",
      status: "waiting",
      offer: null,
    });
  });

  it("numbers buyers in the order they joined and refuses a second join", async () => {
    const { showId } = await soldOutShow();
    for (const user of ["user_w1", "user_w2", "user_w3"]) {
      expect((await joinWaitlist(showId, user, { quantity: 1 })).status).toBe(201);
    }
    const again = await joinWaitlist(showId, "user_w2", { quantity: 3 });

    const error = await expectError(again, 409, "ALREADY_ON_WAITLIST");
    expect(error.details).toMatchObject({ position: 2 });
    expect((await entryOf(showId, "user_w1")).position).toBe(1);
    expect(await entryOf(showId, "user_w3")).toMatchObject({ position: 3, quantity: 1 });
  });

  it("gives each of many parallel joiners one distinct place", async () => {
    const { showId } = await soldOutShow();
    const users = Array.from({ length: 12 }, (_, i) => `user_rush_${i}`);

    const answers = await Promise.all(users.map((u) => joinWaitlist(showId, u, { quantity: 1 })));

    expect(answers.map((res) => res.status)).toEqual(users.map(() => 201));
    const positions = await Promise.all(
      users.map(async (u) => (await entryOf(showId, u)).position),
    );
    expect([...positions].sort((a, b) => a - b)).toEqual(users.map((_, i) => i + 1));
  });

  it("refuses a quantity past the buyer's limit, an unknown zone, and bad bodies", async () => {
    const { showId } = await soldOutShow();
    expect((await patchShow(showId, { max_tickets_per_user: 2 })).status).toBe(200);

    const tooMany = await joinWaitlist(showId, "user_greedy", { quantity: 3 });
    expect((await expectError(tooMany, 400, "TICKET_LIMIT_REACHED")).details).toMatchObject({
      limit: 2,
      remaining: 2,
    });
    const zone = await joinWaitlist(showId, "user_greedy", { quantity: 1, zone: "balcony" });
    expect((await expectError(zone, 400, "INVALID_INPUT")).details).toMatchObject({
      field: "zone",
    });
    const none = await joinWaitlist(showId, "user_greedy", { quantity: 0 });
    expect((await expectError(none, 400, "INVALID_INPUT")).details).toMatchObject({
      field: "quantity",
    });
    const extra = await joinWaitlist(showId, "user_greedy", { quantity: 1, seats: ["x"] });
    await expectError(extra, 400, "INVALID_INPUT");
    expect((await myWaitlist(showId, "user_greedy")).status).toBe(404);
  });

  it("lets a buyer leave, and the next one moves up", async () => {
    const { showId } = await soldOutShow();
    await joinWaitlist(showId, "user_leaver", { quantity: 1 });
    await joinWaitlist(showId, "user_stayer", { quantity: 1 });

    const left = await call("DELETE", `/v1/shows/${showId}/waitlist/me`, {
      token: await tokenFor("user_leaver"),
    });

    expect(left.status).toBe(200);
    expect((await myWaitlist(showId, "user_leaver")).status).toBe(404);
    expect((await entryOf(showId, "user_stayer")).position).toBe(1);
  });

  it("is refused to door staff and to callers without a token", async () => {
    const { showId } = await soldOutShow();
    const scanner = await call("POST", `/v1/shows/${showId}/waitlist`, {
      token: await tokenFor("door_1", "scanner"),
      body: { quantity: 1 },
    });
    await expectError(scanner, 403, "FORBIDDEN");
    const anonymous = await call("GET", `/v1/shows/${showId}/waitlist/me`);
    await expectError(anonymous, 401, "UNAUTHENTICATED");
  });
});

describe("the show's waitlist_offer_seconds", () => {
  it("defaults to 900, takes 60 to 3600 and is shown with the show", async () => {
    const { showId } = await createShow({ front: 400, back: 200 }, smallVenue);
    const read = async () =>
      (
        (await (await call("GET", `/v1/shows/${showId}`)).json()) as {
          show: Record<string, unknown>;
        }
      ).show.waitlist_offer_seconds;
    expect(await read()).toBe(900);

    const low = await patchShow(showId, { waitlist_offer_seconds: 59 });
    expect((await expectError(low, 400, "INVALID_INPUT")).details).toMatchObject({
      field: "waitlist_offer_seconds",
    });
    expect((await patchShow(showId, { waitlist_offer_seconds: 120 })).status).toBe(200);
    expect(await read()).toBe(120);
    expect((await patchShow(showId, { waitlist_offer_seconds: null })).status).toBe(200);
    expect(await read()).toBe(900);
  });
});

describe("the waitlist and the sale's rules", () => {
  it("refuses joining before sales_start, so a presale cannot be got around", async () => {
    const { showId } = await soldOutShow();
    const start = new Date(Date.now() + 2 * 86_400_000).toISOString();
    expect((await patchShow(showId, { sales_start: start })).status).toBe(200);

    const early = await joinWaitlist(showId, "user_no_code", { quantity: 1 });

    expect((await expectError(early, 400, "SALE_NOT_STARTED")).details).toMatchObject({
      sales_start: start,
    });
  });

  it("refuses a standing area's zone: the waitlist is for seats", async () => {
    const { showId } = await createShow(
      { floor: 100 },
      {
        name: "Field",
        city: "Pune",
        zones: [{ name: "floor", general_admission: true, capacity: 1 }],
      },
    );
    const locked = await lockSeats(await tokenFor("user_floor_all"), {
      show_id: showId,
      areas: [{ zone: "floor", quantity: 1 }],
    });
    expect(locked.status).toBe(200);

    const res = await joinWaitlist(showId, "user_floor_wait", { quantity: 1, zone: "floor" });

    expect((await expectError(res, 400, "INVALID_INPUT")).details).toMatchObject({ field: "zone" });
  });
});
