import { runDurableObjectAlarm } from "cloudflare:test";
import type { z } from "zod";
import type { resaleResponse } from "../../src/tickets/ticket-schemas.ts";
import {
  type BookingJson,
  call,
  card,
  type LockJson,
  lockSeats,
  newKey,
  postBooking,
  stubOf,
  tokenFor,
} from "./helpers.ts";

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

/** The buyer books their lock with a card (default: one that succeeds). */
export async function buyLocked(
  buyer: { user: string; token: string; lock: LockJson | null },
  showId: string,
  seatIds: string[],
  cardNumber?: string,
): Promise<Response> {
  if (!buyer.lock) throw new Error("the buyer has no lock");
  return postBooking(
    buyer.token,
    {
      show_id: showId,
      lock_id: buyer.lock.lock_id,
      seat_ids: seatIds,
      user_id: buyer.user,
      payment_method: card(cardNumber),
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
