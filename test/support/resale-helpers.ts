import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, vi } from "vitest";
import type { z } from "zod";
import { simulatorStub } from "../../src/contract/object-stubs.ts";
import type { resaleResponse } from "../../src/tickets/ticket-schemas.ts";
import {
  adminToken,
  type BookingJson,
  bookingBody,
  call,
  card,
  createShow,
  type LockJson,
  lockSeats,
  newKey,
  postBooking,
  rowSeats,
  seatMap,
  stubOf,
  tokenFor,
} from "./helpers.ts";
import { readTicket } from "./tickets-helpers.ts";

/** Helpers of the resale tests. */

export type ListingJson = z.infer<typeof resaleResponse>["listing"];

/** POST /v1/tickets/{id}/resale as `token` (`price` absent: the face price). */
export function postListing(token: string, ticketId: string, price?: number): Promise<Response> {
  return call("POST", `/v1/tickets/${ticketId}/resale`, {
    token,
    body: price === undefined ? {} : { price },
  });
}

/** Lists `ticketId` and answers the listing (throws on a refusal). */
export async function listed(token: string, ticketId: string, price?: number) {
  const res = await postListing(token, ticketId, price);
  if (res.status !== 201) throw new Error(`listing failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { listing: ListingJson }).listing;
}

/** A buyer of their own for one test: locks `seatIds` of the show and answers the lock. */
export async function resaleBuyer(showId: string, seatIds: string[], name = "user_resale_buyer") {
  const user = `${name}_${crypto.randomUUID().slice(0, 8)}`;
  const token = await tokenFor(user);
  const res = await lockSeats(token, { show_id: showId, seat_ids: seatIds });
  return { user, token, res, lock: res.status === 200 ? ((await res.json()) as LockJson) : null };
}

/**
 * The buyer books their lock with a card (default: one that succeeds); with `card: null`,
 * without one (a pending booking, paid later with POST /v1/payments).
 */
export async function buyLocked(
  buyer: { user: string; token: string; lock: LockJson | null },
  showId: string,
  seatIds: string[],
  cardNumber?: string | null,
): Promise<Response> {
  if (!buyer.lock) throw new Error("the buyer has no lock");
  return postBooking(
    buyer.token,
    {
      show_id: showId,
      lock_id: buyer.lock.lock_id,
      seat_ids: seatIds,
      user_id: buyer.user,
      ...(cardNumber !== null && { payment_method: card(cardNumber) }),
    },
    newKey(),
  );
}

/** GET /v1/bookings/{id} as `token`. */
export async function readBooking(
  token: string,
  bookingId: string,
): Promise<
  BookingJson & {
    refunds?: { ticket_id: string; amount: number; reason: string; status: string }[];
  }
> {
  const res = await call("GET", `/v1/bookings/${bookingId}`, { token });
  if (res.status !== 200) throw new Error(`booking read failed: ${await res.text()}`);
  return ((await res.json()) as { booking: BookingJson }).booking;
}

/** Runs the show object's alarm now (its upkeep: the sellers' refunds among it). */
export function runAlarm(showId: string): Promise<boolean> {
  return runDurableObjectAlarm(stubOf(showId));
}

/** A seller of their own for one test: a new show at `prices`, their booking of `seatCount` seats of row A. */
export async function sellerBooking(
  seatCount: number,
  prices: Record<string, number> = { premium: 100, standard: 60 },
  name = "user_seller",
) {
  const { showId } = await createShow(prices);
  const user = `${name}_${crypto.randomUUID().slice(0, 8)}`;
  const token = await tokenFor(user);
  const seats = rowSeats(await seatMap(showId), "A").slice(0, seatCount);
  const locked = await lockSeats(token, { show_id: showId, seat_ids: seats });
  if (locked.status !== 200) throw new Error(`lock failed: ${await locked.text()}`);
  const lock = (await locked.json()) as LockJson;
  const res = await postBooking(token, bookingBody({ showId, token, user, seats, lock }));
  if (res.status !== 201) throw new Error(`booking failed: ${await res.text()}`);
  const { booking } = (await res.json()) as { booking: BookingJson };
  const tickets = await Promise.all(
    booking.tickets.map((listed) => readTicket(token, listed.ticket_id)),
  );
  return { showId, user, token, seats, bookingId: booking.booking_id, booking, tickets };
}

/** DELETE /v1/tickets/{id}/resale as `token`: the listing withdrawn. */
export function deleteListing(token: string, ticketId: string): Promise<Response> {
  return call("DELETE", `/v1/tickets/${ticketId}/resale`, { token });
}

/** DELETE /v1/seats/lock/{id} as `token`: the buyer lets the seat go. */
export function releaseLock(token: string, lockId: string): Promise<Response> {
  return call("DELETE", `/v1/seats/lock/${lockId}`, { token });
}

/** PATCH /v1/shows/{id} as the platform admin (the tests' shows are the default organization's). */
export async function patchShow(showId: string, body: Record<string, unknown>): Promise<Response> {
  return call("PATCH", `/v1/shows/${showId}`, { token: await adminToken(), body });
}

/** A seat's status on the full seat map. */
export async function seatStatusOf(showId: string, seatId: string): Promise<string | undefined> {
  return (await seatMap(showId)).seats.find((s) => s.seat_id === seatId)?.status;
}

/**
 * Runs the show's alarm until each of the seller's resale refunds is confirmed (the alarm
 * may also fire by itself: it is armed for the moment of the sale).
 */
export async function sellerRefunded(showId: string, token: string, bookingId: string) {
  return vi.waitFor(
    async () => {
      await runAlarm(showId);
      const booking = await readBooking(token, bookingId);
      expect(booking.refunds?.length).toBeGreaterThan(0);
      expect(booking.refunds?.every((refund) => refund.status === "succeeded")).toBe(true);
      return booking;
    },
    { timeout: 5_000, interval: 50 },
  );
}

/** A refund as the simulated provider records it (minor units). */
export type ProviderRefund = {
  refund_id: string;
  idempotency_key: string;
  payment_id: string | null;
  created_at: string;
  amount_minor: number;
};

/** The provider's refund records under `idempotencyKey`, read in its own SQLite. */
export function providerRefunds(idempotencyKey: string): Promise<ProviderRefund[]> {
  return runInDurableObject(simulatorStub(env), (_object, state) =>
    state.storage.sql
      .exec("SELECT * FROM refunds WHERE idempotency_key = ?", idempotencyKey)
      .toArray()
      .map((row) => row as unknown as ProviderRefund),
  );
}

/** The minor units the provider refunded under one refund record. */
export function refundedMinor(refund: ProviderRefund | undefined): number | undefined {
  return refund?.amount_minor;
}
