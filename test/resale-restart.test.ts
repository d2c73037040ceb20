import { abortAllDurableObjects } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { seatMap } from "./support/helpers.ts";
import {
  buyLocked,
  listed,
  patchShow,
  resaleBuyer,
  seatStatusOf,
  sellerBooking,
  sellerRefunded,
} from "./support/resale-helpers.ts";
import { readTicket, type TicketJson } from "./support/tickets-helpers.ts";

/** Listings and the show's resale setting are the object's storage's: a restart keeps them. */
describe("resale across a restart of the show's object", () => {
  it("keeps a listing on sale at its price, and sells it", async () => {
    const seller = await sellerBooking(2, { premium: 100, standard: 60 });
    const ticket = seller.tickets[0] as TicketJson;
    const seatId = ticket.seats[0] ?? "";
    await listed(seller.token, ticket.ticket_id, 65);

    await abortAllDurableObjects();

    expect((await seatMap(seller.showId)).seats.find((s) => s.seat_id === seatId)).toMatchObject({
      status: "resale",
      price: 65,
    });
    expect((await readTicket(seller.token, ticket.ticket_id)).listing?.price).toBe(65);
    const buyer = await resaleBuyer(seller.showId, [seatId]);
    const booked = await buyLocked(buyer, seller.showId, [seatId]);
    expect(booked.status).toBe(201);
    expect(((await booked.json()) as { booking: { total_amount: number } }).booking).toMatchObject({
      total_amount: 65,
    });
    const refunded = await sellerRefunded(seller.showId, seller.token, seller.bookingId);
    expect(refunded.refunds?.[0]).toMatchObject({ amount: 65, status: "succeeded" });
  });

  it("keeps a listing dormant while resale is off, and on sale once it is on again", async () => {
    const seller = await sellerBooking(1, { premium: 100, standard: 60 });
    const ticket = seller.tickets[0] as TicketJson;
    const seatId = ticket.seats[0] ?? "";
    await listed(seller.token, ticket.ticket_id, 55);
    expect((await patchShow(seller.showId, { resale: false })).status).toBe(200);

    await abortAllDurableObjects();

    expect(await seatStatusOf(seller.showId, seatId)).toBe("booked");
    const refused = await resaleBuyer(seller.showId, [seatId]);
    expect(refused.res.status).toBe(400);
    expect((await patchShow(seller.showId, { resale: true })).status).toBe(200);
    await abortAllDurableObjects();
    expect(await seatStatusOf(seller.showId, seatId)).toBe("resale");
    expect((await resaleBuyer(seller.showId, [seatId])).res.status).toBe(200);
  });
});
