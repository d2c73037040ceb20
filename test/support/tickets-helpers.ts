import { runInDurableObject } from "cloudflare:test";
import type { z } from "zod";
import { newShowScopedId } from "../../src/contract/scoped-ids.ts";
import type { ShowObject } from "../../src/show/show-object.ts";
import type { ticketResponse } from "../../src/tickets/ticket-schemas.ts";
import {
  type BookingJson,
  bookingBody,
  call,
  d1CaughtUp,
  type LockedSeats,
  type LockJson,
  lockedSeats,
  lockSeats,
  postBooking,
  rowSeats,
  seatMap,
  stubOf,
  tokenFor,
} from "./helpers.ts";

/** Helpers of the ticket and check-in tests. */

export type TicketJson = z.infer<typeof ticketResponse>["ticket"];

/**
 * A show with one confirmed booking (paid by card) and its first ticket (the first seat's,
 * the booking's `ticket_id`), as the owner sees it.
 */
export async function bookedTicket(seatCount = 2, user = "user_ticket_holder") {
  return bookLocked(await lockedSeats(seatCount, user));
}

/** Another buyer's ticket on the same show: one seat of `row`. */
export async function ticketOnShow(showId: string, user: string, row = "B") {
  const token = await tokenFor(user);
  const seats = rowSeats(await seatMap(showId), row).slice(0, 1);
  const res = await lockSeats(token, { show_id: showId, seat_ids: seats });
  if (res.status !== 200) throw new Error(`lock failed: ${await res.text()}`);
  const lock = (await res.json()) as LockJson;
  return bookLocked({ showId, token, user, seats, lock });
}

async function bookLocked(ctx: LockedSeats) {
  const res = await postBooking(ctx.token, bookingBody(ctx));
  if (res.status !== 201) throw new Error(`booking failed: ${await res.text()}`);
  const { booking } = (await res.json()) as { booking: BookingJson };
  const ticketRes = await call("GET", `/v1/tickets/${booking.ticket_id}`, { token: ctx.token });
  if (ticketRes.status !== 200) throw new Error(`ticket read failed: ${await ticketRes.text()}`);
  const { ticket } = (await ticketRes.json()) as { ticket: TicketJson };
  return { ...ctx, bookingId: booking.booking_id, ticket };
}

/**
 * A show with one confirmed booking of `seatCount` seats of row A: the 201's booking and
 * each of its tickets (one per seat, in the seats' order) as the owner reads them.
 */
export async function bookingWithTickets(seatCount = 3, user = "user_party") {
  const ctx = await lockedSeats(seatCount, user);
  const res = await postBooking(ctx.token, bookingBody(ctx));
  if (res.status !== 201) throw new Error(`booking failed: ${await res.text()}`);
  const { booking } = (await res.json()) as { booking: BookingJson };
  const tickets = await Promise.all(
    booking.tickets.map((listed) => readTicket(ctx.token, listed.ticket_id)),
  );
  // The lists (GET /v1/tickets) and the tests' D1 reads see it once the batch window ends.
  await d1CaughtUp(ctx.showId);
  return { ...ctx, bookingId: booking.booking_id, booking, tickets };
}

/** GET /v1/tickets/{id} as `token` reads it. */
export async function readTicket(token: string, ticketId: string): Promise<TicketJson> {
  const res = await call("GET", `/v1/tickets/${ticketId}`, { token });
  if (res.status !== 200) throw new Error(`ticket read failed: ${await res.text()}`);
  return ((await res.json()) as { ticket: TicketJson }).ticket;
}

export const scannerToken = (gate = "gate1") => tokenFor(gate, "scanner");

export function checkIn(token: string, body: Record<string, unknown>): Promise<Response> {
  return call("POST", "/v1/checkins", { token, body });
}

/** POST /v1/checkins/batch from the door of `showId`. */
export function checkInBatch(
  token: string,
  showId: string,
  scans: Record<string, unknown>[],
): Promise<Response> {
  return call("POST", "/v1/checkins/batch", { token, body: { show_id: showId, scans } });
}

/** A ticket token's payload, read without checking the signature (the tests' own tokens). */
export function claimsOf(token: string): { ticket_id: string; show_id: string; iat: number } {
  const payload = token.split(".")[1] ?? "";
  return JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
}

/**
 * The instant `ms` written as a local time at `offset` ("+14:00", "-09:30"), with sub-
 * millisecond digits, as a door device on another clock setting could send it.
 */
export function writtenAt(ms: number, offset: string): string {
  const sign = offset.startsWith("-") ? -1 : 1;
  const [hours = 0, minutes = 0] = offset.slice(1).split(":").map(Number);
  const local = new Date(ms + sign * (hours * 60 + minutes) * 60_000).toISOString();
  return `${local.slice(0, -1)}456${offset}`;
}

export interface ManifestJson {
  version: string;
  valid: string[];
  void: string[];
  used: { ticket_id: string; gate: string | null; device_id: string | null }[];
}

/** The door's manifest of `showId`, as a scanner loads it. */
export async function doorManifest(showId: string): Promise<ManifestJson> {
  const res = await call("GET", `/v1/shows/${showId}/checkins/manifest`, {
    token: await scannerToken(),
  });
  if (res.status !== 200) throw new Error(`manifest failed: ${await res.text()}`);
  return ((await res.json()) as { manifest: ManifestJson }).manifest;
}

/**
 * Writes a booking of today back to the shape of before per-seat tickets: one ticket id on
 * the booking, no rows in the object's tickets table. Answers that ticket's id.
 */
export async function toOneTicketShape(showId: string, bookingId: string): Promise<string> {
  const ticketId = newShowScopedId("ticket", showId);
  await runInDurableObject(stubOf(showId), (_object: ShowObject, state) => {
    state.storage.transactionSync(() => {
      state.storage.sql.exec("DELETE FROM tickets WHERE booking_id = ?", bookingId);
      state.storage.sql.exec(
        "UPDATE bookings SET ticket_id = ? WHERE booking_id = ?",
        ticketId,
        bookingId,
      );
    });
  });
  return ticketId;
}
