import { describe, expect, it, vi } from "vitest";
import type { RefundRequest } from "../src/payments/payment-gateway.ts";
import { SimulatedGateway } from "../src/payments/simulated-gateway.ts";
import { call, expectError } from "./support/helpers.ts";
import {
  buyLocked,
  listed,
  providerRefunds,
  readBooking,
  refundedMinor,
  releaseLock,
  resaleBuyer,
  seatStatusOf,
  sellerBooking,
  sellerRefunded,
} from "./support/resale-helpers.ts";
import { checkIn, readTicket, scannerToken, type TicketJson } from "./support/tickets-helpers.ts";
import { manifestSince } from "./support/transfer-helpers.ts";

/**
 * A seller who resold a seat and then cancels their booking: the cancellation refunds what
 * resale left (the resold seat's face price was given back by its resale, at the listing's
 * price), frees the seats still theirs, and leaves the buyer's seat the buyer's.
 */

/** The refunds the show asks of the provider (it takes its amount from here on main too). */
function refundRequests(): RefundRequest[] {
  const requests: RefundRequest[] = [];
  const original = SimulatedGateway.prototype.refund;
  vi.spyOn(SimulatedGateway.prototype, "refund").mockImplementation(function (
    this: SimulatedGateway,
    request: RefundRequest,
  ) {
    requests.push(request);
    return original.call(this, request);
  });
  return requests;
}

/** A seller of `seats` seats at 100 whose first seat is resold at `price`, refunded to them. */
async function sellerWhoResold(seats: number, price: number) {
  const seller = await sellerBooking(seats, { premium: 100, standard: 60 });
  const ticket = seller.tickets[0] as TicketJson;
  const seatId = ticket.seats[0] ?? "";
  await listed(seller.token, ticket.ticket_id, price);
  const buyer = await resaleBuyer(seller.showId, [seatId]);
  const booked = await buyLocked(buyer, seller.showId, [seatId]);
  if (booked.status !== 201) throw new Error(`resale booking failed: ${await booked.text()}`);
  const { booking } = (await booked.json()) as {
    booking: { booking_id: string; tickets: { ticket_id: string }[] };
  };
  await sellerRefunded(seller.showId, seller.token, seller.bookingId);
  const buyersTicket = booking.tickets[0]?.ticket_id ?? "";
  return { seller, ticket, seatId, buyer, buyerBookingId: booking.booking_id, buyersTicket };
}

function cancel(token: string, bookingId: string): Promise<Response> {
  return call("POST", `/v1/bookings/${bookingId}/cancel`, { token });
}

describe("a seller who resold one of two seats, cancelling", () => {
  it("is refunded what resale left, keeps the buyer's seat the buyer's and frees the other", async () => {
    const ctx = await sellerWhoResold(2, 70);
    const { seller } = ctx;
    const kept = seller.tickets[1] as TicketJson;
    const requests = refundRequests();

    const res = await cancel(seller.token, seller.bookingId);

    expect(res.status).toBe(200);
    const { booking } = (await res.json()) as { booking: { status: string; total_amount: number } };
    expect(booking).toMatchObject({ status: "cancelled", total_amount: 200 });
    // Paid 200; the resold seat's 100 is the resale's (70 of it refunded by the resale):
    // the cancellation refunds the other seat's 100.
    const key = `refund:${seller.bookingId}`;
    expect(requests.filter((r) => r.idempotencyKey === key)).toEqual([
      expect.objectContaining({ idempotencyKey: key, amountMinor: 10_000 }),
    ]);
    const atProvider = await providerRefunds(key);
    expect(atProvider).toHaveLength(1);
    const amount = refundedMinor(atProvider[0]);
    expect(amount).toBe(10_000);
    const resold = await providerRefunds(`refund:resale:${ctx.ticket.ticket_id}`);
    expect(resold).toHaveLength(1);
    const resoldAmount = refundedMinor(resold[0]);
    expect(resoldAmount).toBe(7_000);

    expect(await seatStatusOf(seller.showId, ctx.seatId)).toBe("booked");
    expect(await seatStatusOf(seller.showId, kept.seats[0] ?? "")).toBe("available");
    const buyersTicket = await readTicket(ctx.buyer.token, ctx.buyersTicket);
    expect(buyersTicket).toMatchObject({ status: "valid", user_id: ctx.buyer.user });
    expect((await readBooking(ctx.buyer.token, ctx.buyerBookingId)).status).toBe("confirmed");
    // The door: the buyer's ticket admits; the seller's resold one stays void as resold.
    const door = await manifestSince(seller.showId);
    expect(door.valid).toContain(ctx.buyersTicket);
    expect(door.void_reasons).toMatchObject({
      [ctx.ticket.ticket_id]: "resold",
      [kept.ticket_id]: "cancelled",
    });
    expect((await checkIn(await scannerToken(), { token: buyersTicket.token })).status).toBe(200);
    // The seller's tickets: the resold one stays void as resold; the other is cancelled.
    expect(await readTicket(seller.token, ctx.ticket.ticket_id)).toMatchObject({
      status: "void",
      void_reason: "resold",
    });
    expect(await readTicket(seller.token, kept.ticket_id)).toMatchObject({
      status: "void",
      void_reason: "cancelled",
    });
    expect((await readBooking(seller.token, seller.bookingId)).refunds).toEqual([
      { ticket_id: ctx.ticket.ticket_id, amount: 70, reason: "resold", status: "succeeded" },
    ]);
  });
});

describe("a seller whose every seat was resold", () => {
  it("cannot cancel: 400 INVALID_INPUT, and nothing changes", async () => {
    const ctx = await sellerWhoResold(1, 100);
    const requests = refundRequests();

    const res = await cancel(ctx.seller.token, ctx.seller.bookingId);

    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details).toMatchObject({ field: "booking_id" });
    expect(requests).toEqual([]);
    expect((await readBooking(ctx.seller.token, ctx.seller.bookingId)).status).toBe("confirmed");
    expect(await seatStatusOf(ctx.seller.showId, ctx.seatId)).toBe("booked");
    expect((await readTicket(ctx.buyer.token, ctx.buyersTicket)).status).toBe("valid");
  });
});

describe("a seller cancelling while a buyer holds their listed seat", () => {
  it("is refused with 409 RESALE_IN_PROGRESS, and cancels in full once the buyer lets go", async () => {
    const seller = await sellerBooking(2, { premium: 100, standard: 60 });
    const [listedTicket, other] = seller.tickets as [TicketJson, TicketJson];
    const seatId = listedTicket.seats[0] ?? "";
    await listed(seller.token, listedTicket.ticket_id, 80);
    const buyer = await resaleBuyer(seller.showId, [seatId]);
    expect(buyer.res.status).toBe(200);
    const requests = refundRequests();

    const refused = await cancel(seller.token, seller.bookingId);

    const error = await expectError(refused, 409, "RESALE_IN_PROGRESS");
    expect(error.details).toMatchObject({ booking_id: seller.bookingId, seat_id: seatId });
    expect(requests).toEqual([]);
    expect((await readBooking(seller.token, seller.bookingId)).status).toBe("confirmed");
    expect(await seatStatusOf(seller.showId, seatId)).toBe("locked");

    expect((await releaseLock(buyer.token, buyer.lock?.lock_id ?? "")).status).toBe(200);
    const res = await cancel(seller.token, seller.bookingId);

    expect(res.status).toBe(200);
    // Nothing was resold: the whole payment is refunded.
    const key = `refund:${seller.bookingId}`;
    const asked = requests.filter((r) => r.idempotencyKey === key);
    expect(asked).toHaveLength(1);
    expect(asked[0]?.amountMinor ?? 20_000).toBe(20_000);
    const amount = refundedMinor((await providerRefunds(key))[0]);
    expect(amount).toBe(20_000);
    expect(await seatStatusOf(seller.showId, seatId)).toBe("available");
    expect(await seatStatusOf(seller.showId, other.seats[0] ?? "")).toBe("available");
    const read = await readTicket(seller.token, listedTicket.ticket_id);
    expect(read).toMatchObject({ status: "void", void_reason: "cancelled" });
    expect(read.listing).toBeUndefined();
    // The listing ended with the booking: the seat is on plain sale, at its layout price.
    const relock = await resaleBuyer(seller.showId, [seatId], "user_after_cancel");
    expect(relock.res.status).toBe(200);
    expect((await buyLocked(relock, seller.showId, [seatId])).status).toBe(201);
  });
});
