import { describe, expect, it, vi } from "vitest";
import { alarmOf } from "./support/helpers.ts";
import {
  buyLocked,
  listed,
  providerRefunds,
  readBooking,
  resaleBuyer,
  runAlarm,
  sellerBooking,
} from "./support/resale-helpers.ts";
import { readTicket, type TicketJson } from "./support/tickets-helpers.ts";

/**
 * A ticket given away through resale (price 0, which "face value or less" allows): the
 * buyer pays nothing, and the seller is owed nothing, so no refund is asked of the provider
 * (which refuses a refund of 0) and none waits on the alarm.
 */
describe("a ticket listed for resale at price 0", () => {
  it("goes to its buyer for nothing, and its seller's refund of 0 is settled without the provider", async () => {
    const seller = await sellerBooking(2, { premium: 100, standard: 60 });
    const ticket = seller.tickets[0] as TicketJson;
    const seatId = ticket.seats[0] ?? "";
    expect((await listed(seller.token, ticket.ticket_id, 0)).price).toBe(0);
    const buyer = await resaleBuyer(seller.showId, [seatId]);

    const booked = await buyLocked(buyer, seller.showId, [seatId]);

    expect(booked.status).toBe(201);
    const { booking } = (await booked.json()) as {
      booking: { status: string; total_amount: number };
    };
    expect(booking).toMatchObject({ status: "confirmed", total_amount: 0 });
    expect((await readTicket(seller.token, ticket.ticket_id)).void_reason).toBe("resold");
    const settled = await vi.waitFor(
      async () => {
        await runAlarm(seller.showId);
        const read = await readBooking(seller.token, seller.bookingId);
        expect(read.refunds).toEqual([
          { ticket_id: ticket.ticket_id, amount: 0, reason: "resold", status: "succeeded" },
        ]);
        return read;
      },
      { timeout: 3_000, interval: 50 },
    );
    expect(settled.status).toBe("confirmed");
    expect(await providerRefunds(`refund:resale:${ticket.ticket_id}`)).toEqual([]);
    expect(await alarmOf(seller.showId)).toBeNull();
  });
});
