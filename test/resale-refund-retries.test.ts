import { abortAllDurableObjects } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { PaymentSimulator } from "../src/payments/payment-simulator.ts";
import { MAX_REFUND_RETRY_MS, refundRetryDelay } from "../src/show/services/refund-retry.ts";
import { alarmOf } from "./support/helpers.ts";
import {
  buyLocked,
  listed,
  providerRefunds,
  readBooking,
  resaleBuyer,
  runAlarm,
  seatStatusOf,
} from "./support/resale-helpers.ts";
import { bookingWithTickets, readTicket, type TicketJson } from "./support/tickets-helpers.ts";
import { travelTo } from "./support/time.ts";

/**
 * The provider as the sellers' refunds meet it: `down` refuses them, `lost` makes the
 * refund and then fails to answer (the object cannot know it went through), `up` refunds.
 * Every other refund (and charge) goes through as usual. The refund's key is read from the
 * call, so this holds whether the simulator takes it alone or in a request.
 */
function resaleRefundsAtProvider() {
  const original = PaymentSimulator.prototype.refund;
  const state = { mode: "down" as "down" | "lost" | "up", calls: 0 };
  vi.spyOn(PaymentSimulator.prototype, "refund").mockImplementation(async function (
    this: PaymentSimulator,
    ...args: Parameters<PaymentSimulator["refund"]>
  ) {
    const first: unknown = args[0];
    const key =
      typeof first === "string"
        ? first
        : ((first as { idempotencyKey?: string }).idempotencyKey ?? "");
    if (!key.startsWith("refund:resale:")) return original.apply(this, args);
    state.calls += 1;
    if (state.mode === "down") throw new Error("provider down");
    const answer = await original.apply(this, args);
    if (state.mode === "lost") throw new Error("the refund's answer was lost");
    return answer;
  });
  return state;
}

describe("a seller's refund the provider keeps failing", () => {
  it("is retried by the alarm, across a restart, until it is made exactly once", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const seller = await bookingWithTickets(2, "user_unlucky_seller");
    const ticket = seller.tickets[0] as TicketJson;
    const seatId = ticket.seats[0] ?? "";
    const key = `refund:resale:${ticket.ticket_id}`;
    await listed(seller.token, ticket.ticket_id, 300);
    const provider = resaleRefundsAtProvider();

    const buyer = await resaleBuyer(seller.showId, [seatId]);
    const booked = await buyLocked(buyer, seller.showId, [seatId]);

    // The buyer's booking does not wait on the seller's refund.
    expect(booked.status).toBe(201);
    const { booking } = (await booked.json()) as {
      booking: { booking_id: string; status: string };
    };
    expect(booking.status).toBe("confirmed");
    expect(await seatStatusOf(seller.showId, seatId)).toBe("booked");
    const pending = await readBooking(seller.token, seller.bookingId);
    expect(pending.refunds).toEqual([
      { ticket_id: ticket.ticket_id, amount: 300, reason: "resold", status: "pending" },
    ]);
    // The first try, made when the alarm armed by the sale runs (by itself, or here).
    await vi.waitFor(
      async () => {
        await runAlarm(seller.showId);
        expect(provider.calls).toBeGreaterThan(0);
      },
      { timeout: 5_000, interval: 50 },
    );

    let now = Date.now();
    for (let round = 0; round < 3; round++) {
      const failures = provider.calls;
      const armed = await alarmOf(seller.showId);
      expect(armed).not.toBeNull();
      // Each wait is longer than the one before (backoff).
      expect(armed ?? 0).toBeGreaterThanOrEqual(now + refundRetryDelay(failures) - 1_000);
      now = (armed ?? 0) + 1;
      travelTo(now);
      expect(await runAlarm(seller.showId)).toBe(true);
      expect(provider.calls).toBe(failures + 1);
      expect((await readBooking(seller.token, seller.bookingId)).refunds?.[0]?.status).toBe(
        "pending",
      );
    }
    expect(await providerRefunds(key)).toEqual([]);

    // The provider refunds, but its answer is lost: the object must try again.
    provider.mode = "lost";
    travelTo(((await alarmOf(seller.showId)) ?? 0) + 1);
    expect(await runAlarm(seller.showId)).toBe(true);
    expect(await providerRefunds(key)).toHaveLength(1);
    expect((await readBooking(seller.token, seller.bookingId)).refunds?.[0]?.status).toBe(
      "pending",
    );

    // The object restarts; the provider is back. Nothing wakes it but its alarm.
    await abortAllDurableObjects();
    provider.mode = "up";
    expect(await alarmOf(seller.showId)).not.toBeNull();
    const callsBefore = provider.calls;
    travelTo(Date.now() + MAX_REFUND_RETRY_MS + 1);
    expect(await runAlarm(seller.showId)).toBe(true);

    expect(provider.calls).toBe(callsBefore + 1);
    expect(provider.calls).toBeGreaterThanOrEqual(6);
    const refunded = await readBooking(seller.token, seller.bookingId);
    expect(refunded.refunds).toEqual([
      { ticket_id: ticket.ticket_id, amount: 300, reason: "resold", status: "succeeded" },
    ]);
    expect(refunded.status).toBe("confirmed");
    // Tried six times or more, made once.
    expect(await providerRefunds(key)).toHaveLength(1);
    expect(await alarmOf(seller.showId)).toBeNull();
    expect((await readBooking(buyer.token, booking.booking_id)).status).toBe("confirmed");
    expect(await readTicket(seller.token, ticket.ticket_id)).toMatchObject({
      status: "void",
      void_reason: "resold",
    });
  });
});
