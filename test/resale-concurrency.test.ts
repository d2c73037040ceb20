import { describe, expect, it } from "vitest";
import { type ErrorBody, expectError, ledger } from "./support/helpers.ts";
import {
  buyLocked,
  listed,
  providerRefunds,
  readBooking,
  refundedMinor,
  resaleBuyer,
  seatStatusOf,
  sellerRefunded,
} from "./support/resale-helpers.ts";
import {
  bookingWithTickets,
  checkIn,
  readTicket,
  scannerToken,
  type TicketJson,
} from "./support/tickets-helpers.ts";

/** One listed seat, many buyers at once: one sale, one new ticket, one refund to the seller. */
describe("a listed seat that 20 buyers try to lock at once", () => {
  it("is sold to exactly one of them, at the listing's price, and the seller is refunded once", async () => {
    const seller = await bookingWithTickets(2, "user_contested_seller");
    const ticket = seller.tickets[0] as TicketJson;
    const seatId = ticket.seats[0] ?? "";
    await listed(seller.token, ticket.ticket_id, 350);

    const buyers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => resaleBuyer(seller.showId, [seatId], `user_racer_${i}`)),
    );

    const winners = buyers.filter((buyer) => buyer.res.status === 200);
    expect(winners).toHaveLength(1);
    // The lock route answers a seat another buyer holds with 400 SEATS_ALREADY_LOCKED.
    for (const loser of buyers.filter((buyer) => buyer.res.status !== 200)) {
      expect(loser.res.status).toBe(400);
      const { error } = (await loser.res.json()) as ErrorBody;
      expect(error.code).toBe("SEATS_ALREADY_LOCKED");
      expect(error.details).toEqual({ unavailable_seats: [seatId] });
    }
    const winner = winners[0] as (typeof buyers)[number];
    expect(new Set(buyers.map((buyer) => buyer.user)).size).toBe(20);

    const booked = await buyLocked(winner, seller.showId, [seatId]);
    expect(booked.status).toBe(201);
    const { booking } = (await booked.json()) as {
      booking: {
        booking_id: string;
        total_amount: number;
        status: string;
        tickets: { ticket_id: string }[];
      };
    };
    expect(booking).toMatchObject({ status: "confirmed", total_amount: 350 });
    const charge = (await ledger()).find((c) => c.reference === booking.booking_id);
    expect(charge).toMatchObject({ amount_minor: 35_000, status: "succeeded" });
    expect(await seatStatusOf(seller.showId, seatId)).toBe("booked");

    expect(await readTicket(seller.token, ticket.ticket_id)).toMatchObject({
      status: "void",
      void_reason: "resold",
    });
    const refunded = await sellerRefunded(seller.showId, seller.token, seller.bookingId);
    expect(refunded.refunds).toEqual([
      { ticket_id: ticket.ticket_id, amount: 350, reason: "resold", status: "succeeded" },
    ]);
    expect(refunded.status).toBe("confirmed");
    const atProvider = await providerRefunds(`refund:resale:${ticket.ticket_id}`);
    expect(atProvider).toHaveLength(1);
    const amount = refundedMinor(atProvider[0]);
    expect(amount).toBe(35_000);

    const scanner = await scannerToken();
    const fresh = await readTicket(winner.token, booking.tickets[0]?.ticket_id ?? "");
    expect(fresh).toMatchObject({ status: "valid", user_id: winner.user, seats: [seatId] });
    expect((await checkIn(scanner, { token: fresh.token })).status).toBe(200);
    const old = await checkIn(scanner, { token: ticket.token });
    expect((await expectError(old, 409, "TICKET_VOID")).details?.reason).toBe("resold");
    // The seller's other seat is still theirs, and admits.
    const kept = seller.tickets[1] as TicketJson;
    expect((await checkIn(scanner, { token: kept.token })).status).toBe(200);
    expect((await readBooking(seller.token, seller.bookingId)).total_amount).toBe(1000);
  });
});
