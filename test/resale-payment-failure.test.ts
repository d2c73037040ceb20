import { describe, expect, it } from "vitest";
import { TEST_CARDS } from "../src/payments/payment-simulator.ts";
import { expectError, ledger } from "./support/helpers.ts";
import {
  buyLocked,
  listed,
  providerRefunds,
  readBooking,
  releaseLock,
  resaleBuyer,
  runAlarm,
  seatStatusOf,
  sellerRefunded,
} from "./support/resale-helpers.ts";
import { bookingWithTickets, readTicket, type TicketJson } from "./support/tickets-helpers.ts";
import { travelTo } from "./support/time.ts";

/** A buyer's payment that fails changes nothing of the listing: the seat is still for sale. */

async function listedSeat(price: number) {
  const seller = await bookingWithTickets(2, "user_patient_seller");
  const ticket = seller.tickets[0] as TicketJson;
  const seatId = ticket.seats[0] ?? "";
  await listed(seller.token, ticket.ticket_id, price);
  return { seller, ticket, seatId };
}

/** What a failed buyer must leave as it was: the listing, the seller's ticket, no refund. */
async function expectListingIntact(
  { seller, ticket, seatId }: Awaited<ReturnType<typeof listedSeat>>,
  price: number,
) {
  expect(await seatStatusOf(seller.showId, seatId)).toBe("resale");
  const read = await readTicket(seller.token, ticket.ticket_id);
  expect(read).toMatchObject({ status: "valid", user_id: seller.user, void_reason: null });
  expect(read.listing).toMatchObject({ ticket_id: ticket.ticket_id, seat_id: seatId, price });
  await runAlarm(seller.showId);
  const booking = await readBooking(seller.token, seller.bookingId);
  expect(booking.refunds).toBeUndefined();
  expect(booking.status).toBe("confirmed");
  expect(await providerRefunds(`refund:resale:${ticket.ticket_id}`)).toEqual([]);
}

describe("a resale buyer whose card is declined", () => {
  it("leaves the listing as it was once they let the seat go; the next buyer gets it", async () => {
    const ctx = await listedSeat(120);
    const declined = await resaleBuyer(ctx.seller.showId, [ctx.seatId], "user_declined");
    expect(declined.res.status).toBe(200);

    const res = await buyLocked(declined, ctx.seller.showId, [ctx.seatId], TEST_CARDS.declined);

    const error = await expectError(res, 422, "PAYMENT_FAILED");
    expect(error.details).toMatchObject({ reason: "card_declined" });
    // Their lock holds until they let go: the seat is not back on sale yet.
    expect(await seatStatusOf(ctx.seller.showId, ctx.seatId)).toBe("locked");
    expect((await releaseLock(declined.token, declined.lock?.lock_id ?? "")).status).toBe(200);
    await expectListingIntact(ctx, 120);

    const next = await resaleBuyer(ctx.seller.showId, [ctx.seatId], "user_second_buyer");
    expect(next.res.status).toBe(200);
    const booked = await buyLocked(next, ctx.seller.showId, [ctx.seatId]);
    expect(booked.status).toBe(201);
    const { booking } = (await booked.json()) as {
      booking: { booking_id: string; total_amount: number };
    };
    expect(booking.total_amount).toBe(120);
    expect(await readTicket(ctx.seller.token, ctx.ticket.ticket_id)).toMatchObject({
      status: "void",
      void_reason: "resold",
    });
    const seller = await sellerRefunded(ctx.seller.showId, ctx.seller.token, ctx.seller.bookingId);
    expect(seller.refunds).toEqual([
      { ticket_id: ctx.ticket.ticket_id, amount: 120, reason: "resold", status: "succeeded" },
    ]);
    expect(await providerRefunds(`refund:resale:${ctx.ticket.ticket_id}`)).toHaveLength(1);
    // The second buyer was charged the listing price.
    const charges = await ledger();
    expect(charges.find((c) => c.reference === booking.booking_id)).toMatchObject({
      amount_minor: 12_000,
      status: "succeeded",
    });
  });

  it("leaves the listing as it was once their lock expires", async () => {
    const ctx = await listedSeat(90);
    const declined = await resaleBuyer(ctx.seller.showId, [ctx.seatId], "user_declined_late");
    const res = await buyLocked(
      declined,
      ctx.seller.showId,
      [ctx.seatId],
      TEST_CARDS.insufficientFunds,
    );
    await expectError(res, 422, "PAYMENT_FAILED");

    travelTo(Date.parse(declined.lock?.expires_at ?? "") + 1);

    await expectListingIntact(ctx, 90);
    const next = await resaleBuyer(ctx.seller.showId, [ctx.seatId], "user_after_expiry");
    expect(next.res.status).toBe(200);
    expect((await buyLocked(next, ctx.seller.showId, [ctx.seatId])).status).toBe(201);
    expect(await seatStatusOf(ctx.seller.showId, ctx.seatId)).toBe("booked");
  });
});
