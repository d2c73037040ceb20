import { describe, expect, it, vi } from "vitest";
import { holdCharges } from "./support/held-charges.ts";
import { adminToken, alarmOf, call, expectError, ledger } from "./support/helpers.ts";
import {
  buyLocked,
  listed,
  readBooking,
  resaleBuyer,
  runAlarm,
  sellerBooking,
} from "./support/resale-helpers.ts";
import type { TicketJson } from "./support/tickets-helpers.ts";
import { travelTo } from "./support/time.ts";

/**
 * A show cancelled while a buyer's charge for a listed seat is under way: the charge goes
 * through after the show is cancelled, and the buyer is refunded at once. Everyone who paid
 * for a cancelled show gets all of it back: the seller too, whose seat was never really
 * resold (the buyer never got to use it).
 */

describe("a show cancelled while a resale buyer's charge is under way", () => {
  it("refunds the seller in full, as every buyer of a cancelled show", async () => {
    const seller = await sellerBooking(2, { premium: 100, standard: 60 });
    const ticket = seller.tickets[0] as TicketJson;
    const seatId = ticket.seats[0] ?? "";
    await listed(seller.token, ticket.ticket_id, 70);
    const buyer = await resaleBuyer(seller.showId, [seatId]);
    expect(buyer.res.status).toBe(200);
    const charges = holdCharges();
    const buying = buyLocked(buyer, seller.showId, [seatId]);
    await charges.started();

    const cancel = await call("POST", `/v1/shows/${seller.showId}/cancel`, {
      token: await adminToken(),
      body: { reason: "Storm warning" },
    });
    expect(cancel.status).toBe(202);
    charges.release();

    const error = await expectError(await buying, 409, "SHOW_CANCELLED");
    const buyerBooking = String(error.details?.booking_id);
    // The alarm refunds every paid booking of the show, the seller's among them.
    await vi.waitFor(
      async () => {
        travelTo(Math.max(Date.now(), (await alarmOf(seller.showId)) ?? 0) + 1);
        await runAlarm(seller.showId);
        expect((await readBooking(seller.token, seller.bookingId)).status).toBe("cancelled");
      },
      { timeout: 5_000, interval: 50 },
    );
    await vi.waitFor(
      async () => {
        travelTo(Math.max(Date.now(), (await alarmOf(seller.showId)) ?? 0) + 1);
        await runAlarm(seller.showId);
        const read = await readBooking(seller.token, seller.bookingId);
        expect(read.refunds?.every((r) => r.status === "succeeded") ?? true).toBe(true);
      },
      { timeout: 5_000, interval: 50 },
    );

    const charged = await ledger();
    expect(charged.find((c) => c.reference === buyerBooking)).toMatchObject({
      status: "refunded",
      refunded_minor: 7_000,
    });
    expect(charged.find((c) => c.reference === seller.bookingId)).toMatchObject({
      status: "refunded",
      refunded_minor: 20_000,
    });
  });
});
