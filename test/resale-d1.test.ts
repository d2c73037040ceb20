import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { type BookingJson, call, card, newKey, stubOf } from "./support/helpers.ts";
import {
  buyLocked,
  listed,
  resaleBuyer,
  runAlarm,
  seatStatusOf,
  sellerBooking,
  sellerRefunded,
} from "./support/resale-helpers.ts";
import { readTicket, type TicketJson } from "./support/tickets-helpers.ts";
import { travelTo } from "./support/time.ts";

/**
 * D1 follows a resale: the seat's row leaves its seller's booking before the buyer's takes
 * it (the unique index over a show's active seats holds at every statement), so no write
 * is set aside and the outbox empties; the seller's refund and the void ticket are copied.
 */

/** Who holds the seat in D1: each booking's row for it, with its `active` flag. */
async function seatRows(showId: string, seatId: string) {
  const { results } = await env.DB.prepare(
    "SELECT booking_id, active FROM booking_seats WHERE show_id = ? AND seat_id = ? ORDER BY id",
  )
    .bind(showId, seatId)
    .all<{ booking_id: string; active: number }>();
  return results;
}

/** The show object's D1 writes still queued, and those D1 refused (set aside). */
function outboxOf(showId: string) {
  return runInDurableObject(stubOf(showId), (_object, state) => ({
    queued: state.storage.sql.exec("SELECT id FROM d1_outbox").toArray().length,
    refused: state.storage.sql
      .exec<{ error: string }>("SELECT error FROM d1_dead_letters")
      .toArray()
      .map((row) => row.error),
  }));
}

/** Waits until the show's D1 writes are all sent (the alarm sends what a request did not). */
async function d1CaughtUp(showId: string) {
  await vi.waitFor(
    async () => {
      await runAlarm(showId);
      expect(await outboxOf(showId)).toEqual({ queued: 0, refused: [] });
    },
    { timeout: 5_000, interval: 50 },
  );
}

async function listedSeat(price: number) {
  const seller = await sellerBooking(2, { premium: 100, standard: 60 });
  const ticket = seller.tickets[0] as TicketJson;
  const seatId = ticket.seats[0] ?? "";
  await listed(seller.token, ticket.ticket_id, price);
  return { seller, ticket, seatId };
}

describe("D1 after a resale", () => {
  it("paid by card: the buyer's row is the seat's one active row, the refund and void ticket copied", async () => {
    const { seller, ticket, seatId } = await listedSeat(90);
    const buyer = await resaleBuyer(seller.showId, [seatId]);
    const booked = await buyLocked(buyer, seller.showId, [seatId]);
    expect(booked.status).toBe(201);
    const { booking } = (await booked.json()) as { booking: BookingJson };
    await sellerRefunded(seller.showId, seller.token, seller.bookingId);

    await d1CaughtUp(seller.showId);

    expect(await seatRows(seller.showId, seatId)).toEqual([
      { booking_id: seller.bookingId, active: 0 },
      { booking_id: booking.booking_id, active: 1 },
    ]);
    const refund = await env.DB.prepare(
      "SELECT booking_id, amount, reason, status FROM booking_refunds WHERE ticket_id = ?",
    )
      .bind(ticket.ticket_id)
      .first();
    expect(refund).toEqual({
      booking_id: seller.bookingId,
      amount: 90,
      reason: "resold",
      status: "succeeded",
    });
    const voided = await env.DB.prepare(
      "SELECT status, void_reason FROM tickets WHERE ticket_id = ?",
    )
      .bind(ticket.ticket_id)
      .first();
    expect(voided).toEqual({ status: "void", void_reason: "resold" });
    // The seller's other seat is still theirs in D1.
    expect(await seatRows(seller.showId, seller.seats[1] ?? "")).toEqual([
      { booking_id: seller.bookingId, active: 1 },
    ]);
  });

  it("booked without a card, then paid: the seat stays the seller's in D1 until the payment", async () => {
    const { seller, ticket, seatId } = await listedSeat(80);
    const buyer = await resaleBuyer(seller.showId, [seatId]);
    const pending = await buyLocked(buyer, seller.showId, [seatId], null);
    expect(pending.status).toBe(201);
    const { booking } = (await pending.json()) as { booking: BookingJson };
    expect(booking).toMatchObject({ status: "pending", total_amount: 80 });
    await d1CaughtUp(seller.showId);
    expect(await seatRows(seller.showId, seatId)).toEqual([
      { booking_id: seller.bookingId, active: 1 },
      { booking_id: booking.booking_id, active: 0 },
    ]);

    const paid = await call("POST", "/v1/payments", {
      token: buyer.token,
      headers: { "Idempotency-Key": newKey() },
      body: { booking_id: booking.booking_id, amount: 80, payment_method: card() },
    });

    expect(paid.status).toBe(200);
    await d1CaughtUp(seller.showId);
    expect(await seatRows(seller.showId, seatId)).toEqual([
      { booking_id: seller.bookingId, active: 0 },
      { booking_id: booking.booking_id, active: 1 },
    ]);
    expect(await seatStatusOf(seller.showId, seatId)).toBe("booked");
    expect(await readTicket(seller.token, ticket.ticket_id)).toMatchObject({
      status: "void",
      void_reason: "resold",
    });
    const refunded = await sellerRefunded(seller.showId, seller.token, seller.bookingId);
    expect(refunded.refunds).toEqual([
      { ticket_id: ticket.ticket_id, amount: 80, reason: "resold", status: "succeeded" },
    ]);
  });

  it("booked without a card and never paid: the listing is on sale again once the lock expires", async () => {
    const { seller, ticket, seatId } = await listedSeat(75);
    const buyer = await resaleBuyer(seller.showId, [seatId]);
    const pending = await buyLocked(buyer, seller.showId, [seatId], null);
    const { booking } = (await pending.json()) as { booking: BookingJson };

    travelTo(Date.parse(buyer.lock?.expires_at ?? "") + 1);
    await runAlarm(seller.showId);

    expect(await seatStatusOf(seller.showId, seatId)).toBe("resale");
    expect((await readTicket(seller.token, ticket.ticket_id)).listing?.price).toBe(75);
    await d1CaughtUp(seller.showId);
    expect(await seatRows(seller.showId, seatId)).toEqual([
      { booking_id: seller.bookingId, active: 1 },
      { booking_id: booking.booking_id, active: 0 },
    ]);
    const next = await resaleBuyer(seller.showId, [seatId], "user_next_buyer");
    const bought = await buyLocked(next, seller.showId, [seatId]);
    expect(bought.status).toBe(201);
    const { booking: sold } = (await bought.json()) as { booking: BookingJson };
    await d1CaughtUp(seller.showId);
    expect(await seatRows(seller.showId, seatId)).toEqual([
      { booking_id: seller.bookingId, active: 0 },
      { booking_id: booking.booking_id, active: 0 },
      { booking_id: sold.booking_id, active: 1 },
    ]);
  });

  it("resold twice (its buyer resells it): one active row, each seller refunded their price", async () => {
    const { seller, ticket, seatId } = await listedSeat(90);
    const first = await resaleBuyer(seller.showId, [seatId], "user_first_buyer");
    const bought = await buyLocked(first, seller.showId, [seatId]);
    const { booking: firstBooking } = (await bought.json()) as { booking: BookingJson };
    const secondTicket = firstBooking.tickets[0]?.ticket_id ?? "";
    // The first buyer paid 90 for the seat: that is the most they may ask.
    const tooMuch = await call("POST", `/v1/tickets/${secondTicket}/resale`, {
      token: first.token,
      body: { price: 95 },
    });
    expect(tooMuch.status).toBe(400);
    await listed(first.token, secondTicket, 85);
    const second = await resaleBuyer(seller.showId, [seatId], "user_second_buyer");
    const again = await buyLocked(second, seller.showId, [seatId]);
    expect(again.status).toBe(201);
    const { booking: secondBooking } = (await again.json()) as { booking: BookingJson };
    expect(secondBooking.total_amount).toBe(85);

    expect(
      (await sellerRefunded(seller.showId, seller.token, seller.bookingId)).refunds,
    ).toMatchObject([{ ticket_id: ticket.ticket_id, amount: 90, status: "succeeded" }]);
    expect(
      (await sellerRefunded(seller.showId, first.token, firstBooking.booking_id)).refunds,
    ).toMatchObject([{ ticket_id: secondTicket, amount: 85, status: "succeeded" }]);
    await d1CaughtUp(seller.showId);
    expect(await seatRows(seller.showId, seatId)).toEqual([
      { booking_id: seller.bookingId, active: 0 },
      { booking_id: firstBooking.booking_id, active: 0 },
      { booking_id: secondBooking.booking_id, active: 1 },
    ]);
    expect(await readTicket(first.token, secondTicket)).toMatchObject({
      status: "void",
      void_reason: "resold",
    });
  });
});
