import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError } from "./support/helpers.ts";
import {
  bookingWithTickets,
  checkIn,
  doorManifest,
  readTicket,
  scannerToken,
} from "./support/tickets-helpers.ts";

describe("a cancelled booking's tickets", () => {
  it("are all void: each scan is 409 TICKET_VOID and the manifest lists every one void", async () => {
    const { tickets, token, bookingId, showId } = await bookingWithTickets(3);
    const ids = tickets.map((ticket) => ticket.ticket_id);
    const cancel = await call("POST", `/v1/bookings/${bookingId}/cancel`, { token });
    expect(cancel.status).toBe(200);
    const { booking } = (await cancel.json()) as {
      booking: { status: string; tickets: { ticket_id: string; status: string }[] };
    };
    expect(booking.status).toBe("cancelled");
    expect(booking.tickets.map((ticket) => [ticket.ticket_id, ticket.status])).toEqual(
      ids.map((id) => [id, "void"]),
    );
    const scanner = await scannerToken();
    for (const ticket of tickets) {
      const error = await expectError(
        await checkIn(scanner, { token: ticket.token }),
        409,
        "TICKET_VOID",
      );
      expect(error.details?.reason).toMatch(/cancelled/);
      expect((await readTicket(token, ticket.ticket_id)).status).toBe("void");
    }
    const manifest = await doorManifest(showId);
    expect(manifest.void.sort()).toEqual([...ids].sort());
    expect(manifest.valid).toEqual([]);
    expect(manifest.used).toEqual([]);
  });

  it("are void in the database too, with the reason", async () => {
    const { tickets, token, bookingId } = await bookingWithTickets(3);
    expect((await call("POST", `/v1/bookings/${bookingId}/cancel`, { token })).status).toBe(200);
    const { results } = await env.DB.prepare(
      "SELECT ticket_id, status, void_reason FROM tickets WHERE booking_id = ? ORDER BY rowid",
    )
      .bind(bookingId)
      .all<{ ticket_id: string; status: string; void_reason: string }>();
    expect(results).toEqual(
      tickets.map((ticket) => ({
        ticket_id: ticket.ticket_id,
        status: "void",
        void_reason: "cancelled",
      })),
    );
  });

  it("cannot be refunded once any one of them was used at the door", async () => {
    const { tickets, token, bookingId } = await bookingWithTickets(3);
    const last = tickets.at(-1);
    expect((await checkIn(await scannerToken(), { token: last?.token })).status).toBe(200);
    const cancel = await call("POST", `/v1/bookings/${bookingId}/cancel`, { token });
    const error = await expectError(cancel, 409, "TICKET_ALREADY_USED");
    expect(error.details?.ticket_id).toBe(last?.ticket_id);
    expect((await readTicket(token, tickets[0]?.ticket_id ?? "")).status).toBe("valid");
  });
});
