import { describe, expect, it } from "vitest";
import { call } from "./support/helpers.ts";
import {
  buyLocked,
  listed,
  resaleBuyer,
  sellerBooking,
  sellerRefunded,
} from "./support/resale-helpers.ts";
import type { TicketJson } from "./support/tickets-helpers.ts";
import { eventually, Receiver, webhooksForEachTest } from "./support/webhooks-receiver.ts";

const webhookFor = webhooksForEachTest(["payment.refunded"]);

/** What a webhook receiver hears of the money a seller gets back after a resale. */
describe("payment.refunded of a seller's cancellation after a resale", () => {
  it("names the amount the cancellation refunded, not the booking's total", async () => {
    const receiver = new Receiver("http://127.0.0.1:9861/hooks");
    await webhookFor(receiver);
    const seller = await sellerBooking(2, { premium: 100, standard: 60 });
    const ticket = seller.tickets[0] as TicketJson;
    const seatId = ticket.seats[0] ?? "";
    await listed(seller.token, ticket.ticket_id, 70);
    const buyer = await resaleBuyer(seller.showId, [seatId]);
    expect((await buyLocked(buyer, seller.showId, [seatId])).status).toBe(201);
    await sellerRefunded(seller.showId, seller.token, seller.bookingId);

    const res = await call("POST", `/v1/bookings/${seller.bookingId}/cancel`, {
      token: seller.token,
    });

    expect(res.status).toBe(200);
    const event = await eventually(async () =>
      receiver.received.find((r) => r.data.booking_id === seller.bookingId),
    );
    expect(event.type).toBe("payment.refunded");
    expect(event.data.amount).toBe(100);
  });
});
