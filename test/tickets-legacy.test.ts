import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError } from "./support/helpers.ts";
import {
  bookingWithTickets,
  checkIn,
  claimsOf,
  doorManifest,
  readTicket,
  scannerToken,
  type TicketJson,
  toOneTicketShape,
} from "./support/tickets-helpers.ts";

/**
 * A booking confirmed before tickets were per seat: one ticket id on the booking for all its
 * seats, no rows in the show object's tickets table, and in D1 the one row migration 0010
 * copied from `bookings.ticket_id`. Built here from a booking of today by writing it back
 * to that shape.
 */
async function legacyBooking(seatCount: number) {
  const booked = await bookingWithTickets(
    seatCount,
    `user_legacy_${crypto.randomUUID().slice(0, 8)}`,
  );
  const { showId, bookingId } = booked;
  const ticketId = await toOneTicketShape(showId, bookingId);
  await env.DB.batch([
    env.DB.prepare("DELETE FROM tickets WHERE booking_id = ?").bind(bookingId),
    env.DB.prepare("UPDATE bookings SET ticket_id = ? WHERE booking_id = ?").bind(
      ticketId,
      bookingId,
    ),
  ]);
  // The migration's own copy of old tickets, run again: other tests' bookings have theirs.
  const backfill = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0010_"))?.queries.find(
    (query) => query.includes("INSERT INTO `tickets`"),
  );
  if (!backfill) throw new Error("migration 0010 copies no old tickets");
  await env.DB.prepare(backfill.replace("INSERT INTO", "INSERT OR IGNORE INTO")).run();
  return { ...booked, ticketId };
}

interface BookingRead {
  ticket_id: string;
  ticket_url: string;
  tickets: { ticket_id: string; seat_id: string | null; status: string; user_id: string }[];
}

async function readBooking(token: string, bookingId: string): Promise<BookingRead> {
  const res = await call("GET", `/v1/bookings/${bookingId}`, { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { booking: BookingRead }).booking;
}

describe("a booking confirmed before tickets were per seat", () => {
  it("keeps its one ticket for all its seats, which admits once", async () => {
    const { ticketId, token, bookingId, showId, seats, user } = await legacyBooking(2);
    const booking = await readBooking(token, bookingId);
    expect(booking.ticket_id).toBe(ticketId);
    expect(booking.ticket_url.endsWith(`/tickets/${ticketId}`)).toBe(true);
    expect(booking.tickets).toEqual([
      { ticket_id: ticketId, seat_id: null, status: "valid", user_id: user },
    ]);
    const ticket = await readTicket(token, ticketId);
    expect(ticket.seats).toEqual(seats);
    expect(claimsOf(ticket.token)).toMatchObject({ ticket_id: ticketId, seats });
    expect((await doorManifest(showId)).valid).toEqual([ticketId]);
    const page = await (await call("GET", new URL(ticket.ticket_url).pathname)).text();
    expect(page).toContain("<dt>Seats</dt><dd>A1, A2</dd>");

    const scanner = await scannerToken();
    const admitted = await checkIn(scanner, { token: ticket.token, show_id: showId });
    expect(admitted.status).toBe(200);
    const { checkin } = (await admitted.json()) as { checkin: { seats: string[] } };
    expect(checkin.seats).toEqual(seats);
    await expectError(await checkIn(scanner, { token: ticket.token }), 409, "TICKET_ALREADY_USED");
    expect((await doorManifest(showId)).used.map((used) => used.ticket_id)).toEqual([ticketId]);
    expect((await readBooking(token, bookingId)).tickets[0]?.status).toBe("used");
  });

  it("lists its one ticket in GET /v1/tickets as the ticket itself reads", async () => {
    const { ticketId, token } = await legacyBooking(2);
    const res = await call("GET", "/v1/tickets", { token });
    expect(res.status).toBe(200);
    const { tickets } = (await res.json()) as { tickets: TicketJson[] };
    expect(tickets).toEqual([await readTicket(token, ticketId)]);
  });

  it("voids its one ticket when it is cancelled, in the object and in the database", async () => {
    const { ticketId, token, bookingId, showId } = await legacyBooking(2);
    const ticket = await readTicket(token, ticketId);
    expect((await call("POST", `/v1/bookings/${bookingId}/cancel`, { token })).status).toBe(200);
    await expectError(
      await checkIn(await scannerToken(), { token: ticket.token }),
      409,
      "TICKET_VOID",
    );
    expect((await doorManifest(showId)).void).toEqual([ticketId]);
    const row = await env.DB.prepare("SELECT status, void_reason FROM tickets WHERE ticket_id = ?")
      .bind(ticketId)
      .first();
    expect(row).toEqual({ status: "void", void_reason: "cancelled" });
  });
});
