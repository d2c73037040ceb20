import { describe, expect, it } from "vitest";
import { call, expectError } from "./support/helpers.ts";
import {
  bookingWithTickets,
  checkIn,
  claimsOf,
  readTicket,
  scannerToken,
  type TicketJson,
} from "./support/tickets-helpers.ts";
import { newHolder, transferred } from "./support/transfer-helpers.ts";

/**
 * A holder gives a ticket to another user before the show: a new ticket with a new id and
 * token for the new holder, the old one void as transferred, the booking still the buyer's.
 */
describe("a transferred ticket", () => {
  it("is reissued to the new holder with a new id and token, and the old one reads void", async () => {
    const { tickets, token, user } = await bookingWithTickets(2);
    const [old] = tickets;
    if (!old) throw new Error("no ticket");
    const friend = await newHolder("user_friend");

    const fresh = await transferred(token, old.ticket_id, friend.userId);

    expect(fresh.ticket_id).not.toBe(old.ticket_id);
    expect(fresh.token).not.toBe(old.token);
    expect(fresh).toMatchObject({
      booking_id: old.booking_id,
      seats: old.seats,
      user_id: friend.userId,
      status: "valid",
      void_reason: null,
    });
    expect(claimsOf(fresh.token).ticket_id).toBe(fresh.ticket_id);
    expect(await readTicket(token, old.ticket_id)).toMatchObject({
      user_id: user,
      status: "void",
      void_reason: "transferred",
    });
  });

  it("is the new holder's to read and list, and no longer the buyer's to read", async () => {
    const { tickets, token } = await bookingWithTickets(2);
    const old = tickets[0] as TicketJson;
    const friend = await newHolder("user_lister");
    const fresh = await transferred(token, old.ticket_id, friend.userId);

    expect(await readTicket(friend.token, fresh.ticket_id)).toEqual(fresh);
    await expectError(
      await call("GET", `/v1/tickets/${fresh.ticket_id}`, { token }),
      404,
      "NOT_FOUND",
    );
    const list = await call("GET", "/v1/tickets", { token: friend.token });
    const { tickets: listed } = (await list.json()) as { tickets: TicketJson[] };
    expect(listed).toEqual([fresh]);
    const mine = await call("GET", "/v1/tickets", { token });
    const { tickets: own } = (await mine.json()) as { tickets: TicketJson[] };
    expect(own.find((t) => t.ticket_id === old.ticket_id)).toMatchObject({
      status: "void",
      void_reason: "transferred",
    });
    expect(own.some((t) => t.ticket_id === fresh.ticket_id)).toBe(false);
  });

  it("leaves the booking the buyer's, listing the old ticket void before the new holder's", async () => {
    const { tickets, token, bookingId, user } = await bookingWithTickets(2);
    const [first, second] = tickets as [TicketJson, TicketJson];
    const friend = await newHolder("user_booking");
    const fresh = await transferred(token, first.ticket_id, friend.userId);

    const res = await call("GET", `/v1/bookings/${bookingId}`, { token });
    const { booking } = (await res.json()) as {
      booking: {
        user_id: string;
        tickets: { ticket_id: string; status: string; user_id: string }[];
      };
    };
    expect(booking.user_id).toBe(user);
    expect(booking.tickets).toEqual([
      { ticket_id: first.ticket_id, seat_id: first.seats[0], status: "void", user_id: user },
      {
        ticket_id: fresh.ticket_id,
        seat_id: first.seats[0],
        status: "valid",
        user_id: friend.userId,
      },
      { ticket_id: second.ticket_id, seat_id: second.seats[0], status: "valid", user_id: user },
    ]);
    const list = await call("GET", "/v1/bookings", { token });
    const { bookings } = (await list.json()) as {
      bookings: { booking_id: string; tickets: unknown[] }[];
    };
    expect(bookings.find((b) => b.booking_id === bookingId)?.tickets).toEqual(booking.tickets);
    await expectError(
      await call("GET", `/v1/bookings/${bookingId}`, { token: friend.token }),
      404,
      "NOT_FOUND",
    );
  });

  it("refuses the old token at the door with the reason, and admits the new one once", async () => {
    const { tickets, token } = await bookingWithTickets(1);
    const old = tickets[0] as TicketJson;
    const friend = await newHolder("user_door");
    const fresh = await transferred(token, old.ticket_id, friend.userId);
    const scanner = await scannerToken();

    const refused = await expectError(
      await checkIn(scanner, { token: old.token }),
      409,
      "TICKET_VOID",
    );
    expect(refused.details).toMatchObject({ ticket_id: old.ticket_id, reason: "transferred" });
    expect((await checkIn(scanner, { token: fresh.token })).status).toBe(200);
    await expectError(await checkIn(scanner, { token: fresh.token }), 409, "TICKET_ALREADY_USED");
  });

  it("goes void with its booking when the buyer cancels it later", async () => {
    const { tickets, token, bookingId } = await bookingWithTickets(1);
    const old = tickets[0] as TicketJson;
    const friend = await newHolder("user_refunded");
    const fresh = await transferred(token, old.ticket_id, friend.userId);

    expect((await call("POST", `/v1/bookings/${bookingId}/cancel`, { token })).status).toBe(200);

    expect(await readTicket(friend.token, fresh.ticket_id)).toMatchObject({
      status: "void",
      void_reason: "cancelled",
    });
    const refused = await expectError(
      await checkIn(await scannerToken(), { token: fresh.token }),
      409,
      "TICKET_VOID",
    );
    expect(refused.details?.reason).toBe("cancelled");
  });
});
