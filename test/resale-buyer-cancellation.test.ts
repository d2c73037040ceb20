import { describe, expect, it } from "vitest";
import { call, ledger } from "./support/helpers.ts";
import {
  buyLocked,
  listed,
  providerRefunds,
  readBooking,
  resaleBuyer,
  seatStatusOf,
  sellerBooking,
  sellerRefunded,
} from "./support/resale-helpers.ts";
import { readTicket, type TicketJson } from "./support/tickets-helpers.ts";

/**
 * The buyer of a resold seat cancels: they get back what they paid (the listing's price),
 * the seat is the show's to sell again at its own price, and the seller's side of the
 * resale (their void ticket, their refund) stays as it was.
 */
describe("a resale buyer cancelling their booking", () => {
  it("is refunded the listing's price, frees the seat, and leaves the seller's resale done", async () => {
    const seller = await sellerBooking(2, { premium: 100, standard: 60 });
    const ticket = seller.tickets[0] as TicketJson;
    const seatId = ticket.seats[0] ?? "";
    await listed(seller.token, ticket.ticket_id, 70);
    const buyer = await resaleBuyer(seller.showId, [seatId]);
    const booked = await buyLocked(buyer, seller.showId, [seatId]);
    const { booking } = (await booked.json()) as { booking: { booking_id: string } };
    await sellerRefunded(seller.showId, seller.token, seller.bookingId);

    const res = await call("POST", `/v1/bookings/${booking.booking_id}/cancel`, {
      token: buyer.token,
    });

    expect(res.status).toBe(200);
    expect((await readBooking(buyer.token, booking.booking_id)).status).toBe("cancelled");
    expect((await ledger()).find((c) => c.reference === booking.booking_id)).toMatchObject({
      amount_minor: 7_000,
      refunded_minor: 7_000,
      status: "refunded",
    });
    expect(await seatStatusOf(seller.showId, seatId)).toBe("available");
    expect((await readTicket(seller.token, ticket.ticket_id)).void_reason).toBe("resold");
    const sellers = await readBooking(seller.token, seller.bookingId);
    expect(sellers.status).toBe("confirmed");
    expect(sellers.refunds).toEqual([
      { ticket_id: ticket.ticket_id, amount: 70, reason: "resold", status: "succeeded" },
    ]);
    expect(await providerRefunds(`refund:resale:${ticket.ticket_id}`)).toHaveLength(1);
    // The seat is on plain sale again, at its layout price.
    const next = await resaleBuyer(seller.showId, [seatId], "user_after_buyer");
    const again = await buyLocked(next, seller.showId, [seatId]);
    expect(((await again.json()) as { booking: { total_amount: number } }).booking).toMatchObject({
      total_amount: 100,
    });
  });
});
