import { describe, expect, it } from "vitest";
import { seatMap } from "./support/helpers.ts";
import { buyLocked, listed, readBooking, resaleBuyer, runAlarm } from "./support/resale-helpers.ts";
import { bookingWithTickets, readTicket } from "./support/tickets-helpers.ts";

describe("a ticket resold at face value", () => {
  it("goes to the buyer who pays, voids the seller's ticket and refunds the seller the price", async () => {
    const seller = await bookingWithTickets(2, "user_seller");
    const ticket = seller.tickets[0];
    if (!ticket) throw new Error("no ticket");
    const seatId = ticket.seats[0] ?? "";
    const listing = await listed(seller.token, ticket.ticket_id, 80);
    expect(listing).toMatchObject({ ticket_id: ticket.ticket_id, seat_id: seatId, price: 80 });
    expect((await seatMap(seller.showId)).seats.find((s) => s.seat_id === seatId)).toMatchObject({
      status: "resale",
      price: 80,
    });

    const buyer = await resaleBuyer(seller.showId, [seatId]);
    expect(buyer.res.status).toBe(200);
    const booked = await buyLocked(buyer, seller.showId, [seatId]);
    expect(booked.status).toBe(201);
    const { booking } = (await booked.json()) as {
      booking: { total_amount: number; tickets: { ticket_id: string }[] };
    };
    expect(booking.total_amount).toBe(80);

    expect(await readTicket(seller.token, ticket.ticket_id)).toMatchObject({
      status: "void",
      void_reason: "resold",
    });
    await runAlarm(seller.showId);
    const sellerBooking = await readBooking(seller.token, seller.bookingId);
    expect(sellerBooking.status).toBe("confirmed");
    expect(sellerBooking.refunds).toEqual([
      { ticket_id: ticket.ticket_id, amount: 80, reason: "resold", status: "succeeded" },
    ]);
    expect((await seatMap(seller.showId)).seats.find((s) => s.seat_id === seatId)?.status).toBe(
      "booked",
    );
  });
});
