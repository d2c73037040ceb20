import { describe, expect, it } from "vitest";
import { call, expectError, lockSeats, seatMap, tokenFor } from "./support/helpers.ts";
import {
  deleteListing,
  listed,
  patchShow,
  postListing,
  releaseLock,
  resaleBuyer,
  seatStatusOf,
} from "./support/resale-helpers.ts";
import {
  bookingWithTickets,
  checkIn,
  readTicket,
  scannerToken,
  type TicketJson,
} from "./support/tickets-helpers.ts";
import { travelTo } from "./support/time.ts";
import { newHolder, postTransfer, transferred } from "./support/transfer-helpers.ts";

/** What POST and DELETE /v1/tickets/{id}/resale refuse, and what a refusal leaves as it was. */

/** A booking of `seats` seats of row A (premium, 500 a seat) and its first ticket. */
async function holder(seats = 1) {
  const booked = await bookingWithTickets(seats, `user_holder_${crypto.randomUUID().slice(0, 8)}`);
  return { ...booked, ticket: booked.tickets[0] as TicketJson };
}

const seatOf = (ticket: TicketJson) => ticket.seats[0] ?? "";

describe("listing a ticket for resale", () => {
  it("refuses a price above face value with 400 INVALID_INPUT naming price, changing nothing", async () => {
    const { showId, token, ticket } = await holder();

    const res = await postListing(token, ticket.ticket_id, 500.01);

    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details).toMatchObject({ field: "price", face_price: 500 });
    expect(await seatStatusOf(showId, seatOf(ticket))).toBe("booked");
    const read = await readTicket(token, ticket.ticket_id);
    expect(read.listing).toBeUndefined();
    expect(read.status).toBe("valid");
    // Still not listed: it can be listed now, at face value.
    expect((await postListing(token, ticket.ticket_id, 500)).status).toBe(201);
  });

  it("lists at the face price when no price is given", async () => {
    const { showId, token, ticket } = await holder();

    const listing = await listed(token, ticket.ticket_id);

    expect(listing).toMatchObject({ ticket_id: ticket.ticket_id, price: 500, face_price: 500 });
    const seat = seatOf(ticket);
    expect(await seatStatusOf(showId, seat)).toBe("resale");
    expect((await readTicket(token, ticket.ticket_id)).listing).toMatchObject({ price: 500 });
  });

  it("answers another user's ticket with 404, as an unknown one", async () => {
    const { showId, ticket } = await holder();
    const stranger = await tokenFor("user_stranger");

    await expectError(await postListing(stranger, ticket.ticket_id, 100), 404, "NOT_FOUND");

    expect(await seatStatusOf(showId, seatOf(ticket))).toBe("booked");
  });

  it("refuses a ticket listed already with 409 TICKET_LISTED, keeping the first price", async () => {
    const { showId, token, ticket } = await holder();
    await listed(token, ticket.ticket_id, 400);

    const again = await postListing(token, ticket.ticket_id, 300);

    const error = await expectError(again, 409, "TICKET_LISTED");
    expect(error.details).toMatchObject({ ticket_id: ticket.ticket_id, price: 400 });
    expect((await seatMap(showId)).seats.find((s) => s.seat_id === seatOf(ticket))).toMatchObject({
      status: "resale",
      price: 400,
    });
  });

  it("refuses to transfer a listed ticket with 409 TICKET_LISTED", async () => {
    const { token, ticket } = await holder();
    await listed(token, ticket.ticket_id);
    const friend = await newHolder("user_listed_friend");

    const res = await postTransfer(token, ticket.ticket_id, friend.userId);

    await expectError(res, 409, "TICKET_LISTED");
    expect((await readTicket(token, ticket.ticket_id)).user_id).not.toBe(friend.userId);
  });

  it("refuses a ticket used at the door with 409 TICKET_ALREADY_USED", async () => {
    const { showId, token, ticket } = await holder();
    expect((await checkIn(await scannerToken(), { token: ticket.token })).status).toBe(200);

    const res = await postListing(token, ticket.ticket_id);

    await expectError(res, 409, "TICKET_ALREADY_USED");
    expect(await seatStatusOf(showId, seatOf(ticket))).toBe("booked");
  });

  it("refuses a ticket transferred to its holder with 409 TICKET_NOT_RESELLABLE", async () => {
    const { showId, token, ticket } = await holder();
    const friend = await newHolder("user_given");
    const given = await transferred(token, ticket.ticket_id, friend.userId);

    const res = await postListing(friend.token, given.ticket_id);

    const error = await expectError(res, 409, "TICKET_NOT_RESELLABLE");
    expect(error.details).toMatchObject({ ticket_id: given.ticket_id });
    expect(await seatStatusOf(showId, seatOf(ticket))).toBe("booked");
  });

  it("refuses once the show has started with 400 SHOW_CLOSED", async () => {
    const { showId, user, ticket } = await holder();
    const show = await call("GET", `/v1/shows/${showId}`);
    const { show_time } = ((await show.json()) as { show: { show_time: string } }).show;

    travelTo(Date.parse(show_time) + 1);
    const res = await postListing(await tokenFor(user), ticket.ticket_id);

    const error = await expectError(res, 400, "SHOW_CLOSED");
    expect(error.details).toMatchObject({ show_id: showId });
    expect(await seatStatusOf(showId, seatOf(ticket))).toBe("booked");
  });
});

describe("resale turned off for the show", () => {
  it("refuses new listings and keeps open ones dormant until it is on again", async () => {
    const { showId, token, tickets } = await bookingWithTickets(2, "user_dormant");
    const [first, second] = tickets as [TicketJson, TicketJson];
    await listed(token, first.ticket_id, 450);
    const seat = seatOf(first);

    const off = await patchShow(showId, { resale: false });
    expect(off.status).toBe(200);

    const show = await call("GET", `/v1/shows/${showId}`);
    expect(((await show.json()) as { show: { resale: boolean } }).show.resale).toBe(false);
    await expectError(await postListing(token, second.ticket_id), 409, "RESALE_DISABLED");
    expect(await seatStatusOf(showId, seat)).toBe("booked");
    const buyer = await tokenFor("user_dormant_buyer");
    await expectError(
      await lockSeats(buyer, { show_id: showId, seat_ids: [seat] }),
      400,
      "SEATS_UNAVAILABLE",
    );
    // The listing itself is kept: its holder still sees it.
    expect((await readTicket(token, first.ticket_id)).listing).toMatchObject({ price: 450 });

    expect((await patchShow(showId, { resale: true })).status).toBe(200);

    expect(await seatStatusOf(showId, seat)).toBe("resale");
    expect((await lockSeats(buyer, { show_id: showId, seat_ids: [seat] })).status).toBe(200);
  });
});

describe("withdrawing a listing", () => {
  it("makes the seat booked again and the ticket admit at the door", async () => {
    const { showId, token, ticket } = await holder();
    await listed(token, ticket.ticket_id, 200);
    const scanner = await scannerToken();
    await expectError(await checkIn(scanner, { token: ticket.token }), 409, "TICKET_VOID");

    const res = await deleteListing(token, ticket.ticket_id);

    expect(res.status).toBe(200);
    expect(((await res.json()) as { listing: { price: number } }).listing.price).toBe(200);
    expect(await seatStatusOf(showId, seatOf(ticket))).toBe("booked");
    expect((await readTicket(token, ticket.ticket_id)).listing).toBeUndefined();
    expect((await checkIn(scanner, { token: ticket.token })).status).toBe(200);
  });

  it("can be listed again after a withdrawal", async () => {
    const { showId, token, ticket } = await holder();
    await listed(token, ticket.ticket_id, 200);
    expect((await deleteListing(token, ticket.ticket_id)).status).toBe(200);

    const again = await listed(token, ticket.ticket_id, 300);

    expect(again.price).toBe(300);
    expect(await seatStatusOf(showId, seatOf(ticket))).toBe("resale");
  });

  it("answers 404 for a ticket that is not listed, or not the caller's", async () => {
    const { token, ticket } = await holder();

    await expectError(await deleteListing(token, ticket.ticket_id), 404, "NOT_FOUND");
    await listed(token, ticket.ticket_id);
    const stranger = await tokenFor("user_not_the_holder");
    await expectError(await deleteListing(stranger, ticket.ticket_id), 404, "NOT_FOUND");
    expect((await readTicket(token, ticket.ticket_id)).listing).toBeDefined();
  });

  it("is refused with 409 RESALE_IN_PROGRESS while a buyer holds the seat, and goes once they let go", async () => {
    const { showId, token, ticket } = await holder();
    await listed(token, ticket.ticket_id, 250);
    const seat = seatOf(ticket);
    const buyer = await resaleBuyer(showId, [seat]);
    expect(buyer.res.status).toBe(200);

    const refused = await deleteListing(token, ticket.ticket_id);

    const error = await expectError(refused, 409, "RESALE_IN_PROGRESS");
    expect(error.details).toMatchObject({ ticket_id: ticket.ticket_id, seat_id: seat });
    expect(await seatStatusOf(showId, seat)).toBe("locked");
    expect((await releaseLock(buyer.token, buyer.lock?.lock_id ?? "")).status).toBe(200);
    expect(await seatStatusOf(showId, seat)).toBe("resale");
    expect((await deleteListing(token, ticket.ticket_id)).status).toBe(200);
    expect(await seatStatusOf(showId, seat)).toBe("booked");
  });
});
