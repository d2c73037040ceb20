import { describe, expect, it } from "vitest";
import { call, expectError } from "./support/helpers.ts";
import {
  buyLocked,
  listed,
  patchShow,
  readBooking,
  resaleBuyer,
  seatStatusOf,
  sellerBooking,
  sellerRefunded,
} from "./support/resale-helpers.ts";
import { readTicket, type TicketJson } from "./support/tickets-helpers.ts";

/**
 * Resale turned off while a buyer holds a listed seat: their lock was made while the seat
 * was on sale, and they may be paying for it. The seat is theirs to buy until the lock
 * ends, so its seller can neither withdraw the listing nor cancel meanwhile (else the seat
 * would be sold to the buyer with the seller's ticket still valid, or refunded twice).
 */
async function heldWhileTurnedOff() {
  const seller = await sellerBooking(2, { premium: 100, standard: 60 });
  const ticket = seller.tickets[0] as TicketJson;
  const seatId = ticket.seats[0] ?? "";
  await listed(seller.token, ticket.ticket_id, 70);
  const buyer = await resaleBuyer(seller.showId, [seatId]);
  expect(buyer.res.status).toBe(200);
  expect((await patchShow(seller.showId, { resale: false })).status).toBe(200);
  return { seller, ticket, seatId, buyer };
}

describe("resale turned off while a buyer holds a listed seat", () => {
  it("keeps the seat locked: its seller cannot withdraw it, and the buyer's sale goes through", async () => {
    const { seller, ticket, seatId, buyer } = await heldWhileTurnedOff();

    expect(await seatStatusOf(seller.showId, seatId)).toBe("locked");
    const withdrawal = await call("DELETE", `/v1/tickets/${ticket.ticket_id}/resale`, {
      token: seller.token,
    });
    await expectError(withdrawal, 409, "RESALE_IN_PROGRESS");

    const booked = await buyLocked(buyer, seller.showId, [seatId]);
    expect(booked.status).toBe(201);
    const { booking } = (await booked.json()) as {
      booking: { total_amount: number; tickets: { ticket_id: string }[] };
    };
    expect(booking.total_amount).toBe(70);
    // One valid ticket for the seat: the buyer's.
    expect(await readTicket(seller.token, ticket.ticket_id)).toMatchObject({
      status: "void",
      void_reason: "resold",
    });
    const fresh = await readTicket(buyer.token, booking.tickets[0]?.ticket_id ?? "");
    expect(fresh).toMatchObject({ status: "valid", seats: [seatId] });
    const refunded = await sellerRefunded(seller.showId, seller.token, seller.bookingId);
    expect(refunded.refunds?.[0]).toMatchObject({ amount: 70, status: "succeeded" });
  });

  it("refuses its seller's cancellation with 409 RESALE_IN_PROGRESS", async () => {
    const { seller, seatId } = await heldWhileTurnedOff();

    const cancel = await call("POST", `/v1/bookings/${seller.bookingId}/cancel`, {
      token: seller.token,
    });

    const error = await expectError(cancel, 409, "RESALE_IN_PROGRESS");
    expect(error.details).toMatchObject({ seat_id: seatId });
    expect((await readBooking(seller.token, seller.bookingId)).status).toBe("confirmed");
  });
});
