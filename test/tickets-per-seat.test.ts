import { describe, expect, it } from "vitest";
import {
  bookingBody,
  call,
  card,
  expectError,
  lockedSeats,
  newKey,
  postBooking,
} from "./support/helpers.ts";
import {
  bookingWithTickets,
  checkIn,
  doorManifest,
  readTicket,
  scannerToken,
} from "./support/tickets-helpers.ts";

interface ListedTicket {
  ticket_id: string;
  seat_id: string | null;
  status: string;
  user_id: string;
}

async function bookingTickets(token: string, bookingId: string): Promise<ListedTicket[]> {
  const res = await call("GET", `/v1/bookings/${bookingId}`, { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { booking: { tickets: ListedTicket[] } }).booking.tickets;
}

describe("one ticket per seat", () => {
  it("gives a 3-seat booking 3 tickets with distinct ids and tokens, one seat each, listed in its 201 and its GET", async () => {
    const { booking, tickets, seats, user, token, bookingId } = await bookingWithTickets(3);
    expect(booking.tickets).toEqual(
      seats.map((seat) => ({
        ticket_id: expect.stringMatching(/^ticket_/),
        seat_id: seat,
        status: "valid",
        user_id: user,
      })),
    );
    expect(new Set(tickets.map((ticket) => ticket.ticket_id)).size).toBe(3);
    expect(new Set(tickets.map((ticket) => ticket.token)).size).toBe(3);
    expect(tickets.map((ticket) => ticket.seats)).toEqual(seats.map((seat) => [seat]));
    // The booking's own ticket_id and ticket_url are its first ticket's.
    expect(booking.ticket_id).toBe(booking.tickets[0]?.ticket_id);
    const read = await call("GET", `/v1/bookings/${bookingId}`, { token });
    const detail = ((await read.json()) as { booking: { ticket_url: string } }).booking;
    expect(detail.ticket_url).toBe(tickets[0]?.ticket_url);
    expect(await bookingTickets(token, bookingId)).toEqual(booking.tickets);
  });

  it("admits each seat's ticket once, independently of the others", async () => {
    const { tickets, seats, token, bookingId } = await bookingWithTickets(3);
    const [first, second, third] = tickets;
    if (!first || !second || !third) throw new Error("three tickets expected");
    const scanner = await scannerToken();
    const admitted = await checkIn(scanner, { token: second.token, gate: "North" });
    expect(admitted.status).toBe(200);
    const { checkin } = (await admitted.json()) as { checkin: { seats: string[] } };
    expect(checkin.seats).toEqual([seats[1]]);
    await expectError(await checkIn(scanner, { token: second.token }), 409, "TICKET_ALREADY_USED");
    expect((await bookingTickets(token, bookingId)).map((t) => t.status)).toEqual([
      "valid",
      "used",
      "valid",
    ]);
    // The rest of the party comes later, through another gate.
    const later = await scannerToken("gate2");
    expect((await checkIn(later, { token: first.token, gate: "South" })).status).toBe(200);
    expect((await checkIn(later, { token: third.token, gate: "South" })).status).toBe(200);
    await expectError(await checkIn(later, { token: first.token }), 409, "TICKET_ALREADY_USED");
    expect((await readTicket(token, third.ticket_id)).status).toBe("used");
  });

  it("lists every seat's ticket in the door's manifest, each used on its own", async () => {
    const { tickets, showId } = await bookingWithTickets(3);
    const ids = tickets.map((ticket) => ticket.ticket_id);
    expect((await doorManifest(showId)).valid.sort()).toEqual([...ids].sort());
    const [, second] = tickets;
    expect((await checkIn(await scannerToken(), { token: second?.token })).status).toBe(200);
    const manifest = await doorManifest(showId);
    expect(manifest.used.map((used) => used.ticket_id)).toEqual([second?.ticket_id]);
    expect(manifest.valid.sort()).toEqual(ids.filter((id) => id !== second?.ticket_id).sort());
    expect(manifest.void).toEqual([]);
  });

  it("issues a pending booking's tickets with its payment and lists them in the payment's 200", async () => {
    const ctx = await lockedSeats(2, "user_pays_later");
    const created = await postBooking(ctx.token, bookingBody(ctx, {}));
    expect(created.status).toBe(201);
    const { booking } = (await created.json()) as {
      booking: { booking_id: string; tickets: ListedTicket[]; total_amount: number };
    };
    expect(booking.tickets).toEqual([]);
    const paid = await call("POST", "/v1/payments", {
      token: ctx.token,
      headers: { "Idempotency-Key": newKey() },
      body: {
        booking_id: booking.booking_id,
        amount: booking.total_amount,
        payment_method: card(),
      },
    });
    expect(paid.status).toBe(200);
    const payment = (await paid.json()) as { tickets: ListedTicket[] };
    expect(payment.tickets.map((ticket) => ticket.seat_id)).toEqual(ctx.seats);
    expect(payment.tickets.every((ticket) => ticket.status === "valid")).toBe(true);
    expect(await bookingTickets(ctx.token, booking.booking_id)).toEqual(payment.tickets);
  });
});
