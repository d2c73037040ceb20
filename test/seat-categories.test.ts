import { describe, expect, it } from "vitest";
import {
  adminToken,
  type BookingJson,
  call,
  card,
  createShow,
  expectError,
  inOneWeek,
  type LockJson,
  lockSeats,
  postBooking,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";

/**
 * Price categories apart from zones: a venue's rows name seats of a category (a restricted
 * view in the stalls), a show prices each category in `prices` as it prices zones, and the
 * seat map, locks and bookings use the category's price for those seats.
 */

const stallsWithRestrictedView = {
  name: "Old Theatre",
  city: "Kolkata",
  zones: [
    {
      name: "stalls",
      rows: [
        { row: "A", seats: 6, categories: { restricted: [1, 6] } },
        { row: "B", seats: 6, category: "restricted", categories: { premium_box: [3] } },
      ],
    },
    { name: "circle", rows: [{ row: "C", seats: 4 }] },
  ],
};

const prices = { stalls: 800, circle: 500, restricted: 350, premium_box: 1200 };

async function postVenue(body: unknown) {
  return call("POST", "/v1/venues", { token: await adminToken(), body });
}

function seatOf(map: Awaited<ReturnType<typeof seatMap>>, row: string, number: number) {
  const seat = map.seats.find((s) => s.row === row && s.number === number);
  if (!seat) throw new Error(`no seat ${row}${number}`);
  return seat as typeof seat & { category?: string };
}

describe("a venue's price categories", () => {
  it("gives each listed seat its category, a row's category to its other seats, and counts them", async () => {
    const res = await postVenue(stallsWithRestrictedView);
    expect(res.status, await res.clone().text()).toBe(201);
    const { venue } = (await res.json()) as {
      venue: {
        categories: { name: string; seats: number }[];
        seats: { row: string; number: number; category: string | null }[];
      };
    };
    const categoryOf = (row: string, number: number) =>
      venue.seats.find((s) => s.row === row && s.number === number)?.category;
    expect(categoryOf("A", 1)).toBe("restricted");
    expect(categoryOf("A", 2)).toBeNull();
    expect(categoryOf("B", 3)).toBe("premium_box");
    expect(categoryOf("B", 4)).toBe("restricted");
    expect(categoryOf("C", 1)).toBeNull();
    expect(venue.categories).toEqual([
      { name: "restricted", seats: 7 },
      { name: "premium_box", seats: 1 },
    ]);
  });

  it("refuses a category named like a zone, a seat past the row, and a seat in two", async () => {
    const zoneName = await postVenue({
      ...stallsWithRestrictedView,
      zones: [
        { name: "stalls", rows: [{ row: "A", seats: 4, category: "circle" }] },
        {
          name: "circle",
          rows: [{ row: "C", seats: 4 }],
        },
      ],
    });
    expect((await expectError(zoneName, 400, "INVALID_INPUT")).details).toMatchObject({
      field: "zones.0.rows.0.category",
    });
    const pastRow = await postVenue({
      ...stallsWithRestrictedView,
      zones: [{ name: "stalls", rows: [{ row: "A", seats: 4, categories: { restricted: [5] } }] }],
    });
    expect((await expectError(pastRow, 400, "INVALID_INPUT")).details).toMatchObject({
      field: "zones.0.rows.0.categories.restricted.0",
    });
    const twice = await postVenue({
      ...stallsWithRestrictedView,
      zones: [
        {
          name: "stalls",
          rows: [{ row: "A", seats: 4, categories: { restricted: [2], box: [2] } }],
        },
      ],
    });
    expect((await expectError(twice, 400, "INVALID_INPUT")).details).toMatchObject({
      field: "zones.0.rows.0.categories.box.0",
    });
  });
});

describe("a show of a venue with price categories", () => {
  it("needs a price for each category, and refuses a name that is neither zone nor category", async () => {
    const token = await adminToken();
    const venue = (await (await postVenue(stallsWithRestrictedView)).json()) as {
      venue: { venue_id: string };
    };
    const event = (await (
      await call("POST", "/v1/events", { token, body: { name: "Hamlet" } })
    ).json()) as { event: { event_id: string } };
    const post = (body: Record<string, number>) =>
      call("POST", "/v1/shows", {
        token,
        body: {
          event_id: event.event.event_id,
          venue_id: venue.venue.venue_id,
          show_time: inOneWeek(),
          prices: body,
        },
      });

    const missing = await post({ stalls: 800, circle: 500, restricted: 350 });
    expect((await expectError(missing, 400, "INVALID_INPUT")).details).toMatchObject({
      field: "prices.premium_box",
    });
    const unknown = await post({ ...prices, balcony: 100 });
    expect((await expectError(unknown, 400, "INVALID_INPUT")).details).toMatchObject({
      field: "prices.balcony",
    });
    const made = await post(prices);
    expect(made.status).toBe(201);
    const { show } = (await made.json()) as { show: { prices: Record<string, number> } };
    expect(show.prices).toEqual(prices);
  });

  it("prices category seats at their category's price in the seat map and the layout", async () => {
    const { showId } = await createShow(prices, stallsWithRestrictedView);
    const map = await seatMap(showId);

    expect(seatOf(map, "A", 1)).toMatchObject({
      zone: "stalls",
      category: "restricted",
      price: 350,
    });
    expect(seatOf(map, "A", 2)).toMatchObject({ zone: "stalls", price: 800 });
    expect(seatOf(map, "A", 2).category).toBeUndefined();
    expect(seatOf(map, "B", 3)).toMatchObject({ category: "premium_box", price: 1200 });
    expect((map as { categories?: unknown }).categories).toEqual({
      restricted: { price: 350, seats: 7 },
      premium_box: { price: 1200, seats: 1 },
    });
    const layout = (await (await call("GET", `/v1/shows/${showId}/layout`)).json()) as {
      seats: { seat_id: string; category?: string; price: number }[];
    };
    expect(layout.seats.find((s) => s.seat_id === seatOf(map, "B", 4).seat_id)).toMatchObject({
      category: "restricted",
      price: 350,
    });
  });

  it("charges a booking the category's price, and a new category price reaches new locks only", async () => {
    const { showId } = await createShow(prices, stallsWithRestrictedView);
    const map = await seatMap(showId);
    const user = "user_category_buyer";
    const token = await tokenFor(user);
    const seats = [seatOf(map, "A", 1).seat_id, seatOf(map, "A", 2).seat_id];
    const locked = await lockSeats(token, { show_id: showId, seat_ids: seats });
    const lock = (await locked.json()) as LockJson;

    const patched = await call("PATCH", `/v1/shows/${showId}`, {
      token: await adminToken(),
      body: { prices: { restricted: 300, stalls: 900 } },
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    const booked = await postBooking(token, {
      show_id: showId,
      lock_id: lock.lock_id,
      seat_ids: seats,
      user_id: user,
      payment_method: card(),
    });

    expect(booked.status).toBe(201);
    const { booking } = (await booked.json()) as { booking: BookingJson };
    expect(booking.total_amount).toBe(350 + 800);
    const after = await seatMap(showId);
    expect(seatOf(after, "A", 6).price).toBe(300);
    expect(seatOf(after, "A", 3).price).toBe(900);
    expect(seatOf(after, "B", 3).price).toBe(1200);
    const unknown = await call("PATCH", `/v1/shows/${showId}`, {
      token: await adminToken(),
      body: { prices: { gallery: 10 } },
    });
    expect((await expectError(unknown, 400, "INVALID_INPUT")).details).toMatchObject({
      field: "prices.gallery",
    });
  });
});
