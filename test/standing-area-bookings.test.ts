import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  type AreaLockJson,
  areaCounts,
  expectBalanced,
  festivalShow,
} from "./support/area-helpers.ts";
import {
  adminToken,
  call,
  card,
  expectError,
  lockSeats,
  postBooking,
  seatMap,
  stubOf,
  tokenFor,
} from "./support/helpers.ts";
import { checkIn, readTicket, scannerToken } from "./support/tickets-helpers.ts";
import { travelTo } from "./support/time.ts";

/**
 * Booking places of a standing area: paid like seats, one ticket per place (a party enters
 * apart), cancelled and refunded like seats, and the area's counts right after each step.
 */

interface TicketEntry {
  ticket_id: string;
  seat_id: string | null;
  zone?: string;
  status: string;
}

interface AreaBookingJson {
  booking_id: string;
  seats: unknown[];
  areas?: { zone: string; quantity: number; price: number }[];
  total_amount: number;
  status: string;
  tickets: TicketEntry[];
}

async function lockPlaces(user: string, showId: string, body: Record<string, unknown>) {
  const token = await tokenFor(user);
  const res = await lockSeats(token, { show_id: showId, ...body });
  expect(res.status, await res.clone().text()).toBe(200);
  return { token, lock: (await res.json()) as AreaLockJson };
}

async function book(user: string, showId: string, lock: AreaLockJson, token: string) {
  const res = await postBooking(token, {
    show_id: showId,
    lock_id: lock.lock_id,
    seat_ids: lock.seat_ids,
    areas: lock.areas,
    user_id: user,
    payment_method: card(),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { booking: AreaBookingJson }).booking;
}

describe("a booking of standing places", () => {
  it("charges each place its area's price and issues one ticket per place, each admitting once", async () => {
    const { showId } = await festivalShow(50);
    const seat = (await seatMap(showId)).seats[0]?.seat_id ?? "";
    const user = "user_party_of_four";
    const { token, lock } = await lockPlaces(user, showId, {
      seat_ids: [seat],
      areas: [{ zone: "floor", quantity: 3 }],
    });

    const booking = await book(user, showId, lock, token);

    expect(booking.status).toBe("confirmed");
    expect(booking.total_amount).toBe(2500 + 3 * 1500);
    expect(booking.areas).toEqual([{ zone: "floor", quantity: 3, price: 1500 }]);
    const places = booking.tickets.filter((t) => t.seat_id === null);
    expect(places).toHaveLength(3);
    expect(places.every((t) => t.zone === "floor" && t.status === "valid")).toBe(true);
    expect(booking.tickets.filter((t) => t.seat_id === seat)).toHaveLength(1);
    // The 201 lists the tickets as a read of the booking does: seat first, then places.
    const read = await call("GET", `/v1/bookings/${booking.booking_id}`, { token });
    expect(((await read.json()) as { booking: AreaBookingJson }).booking.tickets).toEqual(
      booking.tickets,
    );
    expect((await areaCounts(showId))[0]).toMatchObject({ booked: 3, locked: 0, available: 47 });

    const door = await scannerToken();
    const [first, second] = places;
    if (!first || !second) throw new Error("no place tickets");
    const ticket = await readTicket(token, first.ticket_id);
    expect(ticket).toMatchObject({ zone: "floor", seats: [] });
    expect((await checkIn(door, { token: ticket.token })).status).toBe(200);
    await expectError(await checkIn(door, { token: ticket.token }), 409, "TICKET_ALREADY_USED");
    const other = await readTicket(token, second.ticket_id);
    expect((await checkIn(door, { token: other.token })).status).toBe(200);
  });

  it("refuses a booking whose places are not the lock's", async () => {
    const { showId } = await festivalShow(10);
    const user = "user_wrong_places";
    const { token, lock } = await lockPlaces(user, showId, {
      areas: [{ zone: "floor", quantity: 2 }],
    });
    const res = await postBooking(token, {
      show_id: showId,
      lock_id: lock.lock_id,
      seat_ids: [],
      areas: [{ zone: "floor", quantity: 3 }],
      user_id: user,
      payment_method: card(),
    });
    expect((await expectError(res, 400, "INVALID_INPUT")).details).toMatchObject({
      field: "areas",
    });
    expect((await areaCounts(showId))[0]).toMatchObject({ locked: 2, booked: 0 });
  });

  it("gives places back on cancellation, voiding their tickets, and on expiry", async () => {
    const { showId } = await festivalShow(10);
    const user = "user_changes_plans";
    const { token, lock } = await lockPlaces(user, showId, {
      areas: [{ zone: "floor", quantity: 4 }],
    });
    const booking = await book(user, showId, lock, token);
    const other = await lockPlaces("user_lets_it_lapse", showId, {
      areas: [{ zone: "floor", quantity: 5 }],
    });
    expect((await areaCounts(showId))[0]).toMatchObject({ booked: 4, locked: 5, available: 1 });

    const cancelled = await call("POST", `/v1/bookings/${booking.booking_id}/cancel`, { token });
    expect(cancelled.status, await cancelled.clone().text()).toBe(200);
    const after = ((await cancelled.json()) as { booking: AreaBookingJson }).booking;
    expect(after.tickets.every((t) => t.status === "void")).toBe(true);
    expect((await areaCounts(showId))[0]).toMatchObject({ booked: 0, locked: 5, available: 5 });
    expectBalanced(await areaCounts(showId));

    travelTo(Date.parse(other.lock.expires_at) + 1);
    await runDurableObjectAlarm(stubOf(showId));
    expect((await areaCounts(showId))[0]).toMatchObject({ booked: 0, locked: 0, available: 10 });
  });

  it("lets the organizer hold places back, refusing more than are left, and release them", async () => {
    const { showId } = await festivalShow(10);
    const admin = await adminToken();
    await lockPlaces("user_before_hold", showId, { areas: [{ zone: "floor", quantity: 3 }] });
    const tooMany = await call("POST", `/v1/shows/${showId}/holds`, {
      token: admin,
      body: { areas: [{ zone: "floor", quantity: 8 }], reason: "sponsor" },
    });
    expect((await expectError(tooMany, 409, "SEATS_UNAVAILABLE")).details).toMatchObject({
      available: 7,
    });
    const held = await call("POST", `/v1/shows/${showId}/holds`, {
      token: admin,
      body: { areas: [{ zone: "floor", quantity: 6 }], reason: "sponsor" },
    });
    expect(held.status, await held.clone().text()).toBe(201);
    const { hold } = (await held.json()) as { hold: { hold_id: string } };
    expect((await areaCounts(showId))[0]).toMatchObject({ held: 6, locked: 3, available: 1 });
    const blocked = await lockSeats(await tokenFor("user_after_hold"), {
      show_id: showId,
      areas: [{ zone: "floor", quantity: 2 }],
    });
    expect((await expectError(blocked, 400, "SEATS_UNAVAILABLE")).details).toMatchObject({
      available: 1,
    });

    const released = await call("DELETE", `/v1/shows/${showId}/holds/${hold.hold_id}`, {
      token: admin,
    });
    expect(released.status).toBe(200);
    expect((await areaCounts(showId))[0]).toMatchObject({ held: 0, available: 7 });
  });

  it("counts places against the buyer's limit", async () => {
    const { showId } = await festivalShow(20);
    const patched = await call("PATCH", `/v1/shows/${showId}`, {
      token: await adminToken(),
      body: { max_tickets_per_user: 4 },
    });
    expect(patched.status).toBe(200);
    const user = "user_limited_floor";
    await lockPlaces(user, showId, { areas: [{ zone: "floor", quantity: 3 }] });
    const more = await lockSeats(await tokenFor(user), {
      show_id: showId,
      areas: [{ zone: "floor", quantity: 2 }],
    });
    expect((await expectError(more, 400, "TICKET_LIMIT_REACHED")).details).toMatchObject({
      remaining: 1,
    });
  });
});
