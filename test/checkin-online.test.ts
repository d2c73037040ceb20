import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError } from "./support/helpers.ts";
import { bookedTicket, checkIn, scannerToken } from "./support/tickets-helpers.ts";

describe("POST /v1/checkins", () => {
  it("admits a ticket on its first scan and answers the check-in", async () => {
    const { ticket, showId, seats, bookingId } = await bookedTicket();
    const res = await checkIn(await scannerToken(), {
      token: ticket.token,
      show_id: showId,
      gate: "North",
    });
    expect(res.status).toBe(200);
    const { checkin } = (await res.json()) as { checkin: Record<string, unknown> };
    expect(checkin).toMatchObject({
      ticket_id: ticket.ticket_id,
      booking_id: bookingId,
      show_id: showId,
      // The first seat's ticket: it admits that seat alone.
      seats: seats.slice(0, 1),
      gate: "North",
    });
    expect(Date.parse(String(checkin.checked_in_at))).toBeLessThanOrEqual(Date.now());
  });

  it("refuses a second scan with 409 TICKET_ALREADY_USED naming when and at which gate", async () => {
    const { ticket } = await bookedTicket();
    const first = await checkIn(await scannerToken("gate1"), {
      token: ticket.token,
      gate: "North",
    });
    const { checkin } = (await first.json()) as { checkin: { checked_in_at: string } };
    const second = await checkIn(await scannerToken("gate2"), {
      token: ticket.token,
      gate: "South",
    });
    const error = await expectError(second, 409, "TICKET_ALREADY_USED");
    expect(error.details).toMatchObject({ checked_in_at: checkin.checked_in_at, gate: "North" });
  });

  it("answers a retried scan with the same scan_id exactly as the first time", async () => {
    const { ticket } = await bookedTicket();
    const scanner = await scannerToken();
    const body = { token: ticket.token, gate: "East", scan_id: "scan-0001-retry" };
    const first = await checkIn(scanner, body);
    const retry = await checkIn(scanner, body);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(await first.json());
    const other = await checkIn(scanner, { ...body, scan_id: "scan-0002-other" });
    await expectError(other, 409, "TICKET_ALREADY_USED");
  });

  it("takes a scan_id another scanner account sends again as a new scan: 409 TICKET_ALREADY_USED", async () => {
    const { ticket } = await bookedTicket();
    const body = { token: ticket.token, gate: "East", scan_id: "scan-shared-0001" };
    expect((await checkIn(await scannerToken("gate1"), body)).status).toBe(200);
    const other = await checkIn(await scannerToken("gate2"), { ...body, gate: "West" });
    const error = await expectError(other, 409, "TICKET_ALREADY_USED");
    expect(error.details).toMatchObject({ gate: "East", device_id: "online:gate1" });
  });

  it("refuses a cancelled booking's ticket with 409 TICKET_VOID", async () => {
    const { ticket, token, bookingId } = await bookedTicket();
    expect((await call("POST", `/v1/bookings/${bookingId}/cancel`, { token })).status).toBe(200);
    const res = await checkIn(await scannerToken(), { token: ticket.token });
    const error = await expectError(res, 409, "TICKET_VOID");
    expect(error.details?.reason).toMatch(/cancelled/);
  });

  it("refuses to cancel a booking whose ticket was used, with 409 TICKET_ALREADY_USED", async () => {
    const { ticket, token, bookingId } = await bookedTicket();
    expect((await checkIn(await scannerToken(), { token: ticket.token })).status).toBe(200);
    const cancel = await call("POST", `/v1/bookings/${bookingId}/cancel`, { token });
    await expectError(cancel, 409, "TICKET_ALREADY_USED");
    const booking = await call("GET", `/v1/bookings/${bookingId}`, { token });
    expect(((await booking.json()) as { booking: { status: string } }).booking.status).toBe(
      "confirmed",
    );
  });

  it("refuses a ticket of another show with 409 TICKET_WRONG_SHOW", async () => {
    const { ticket, showId } = await bookedTicket();
    const other = await bookedTicket(1, "user_other_show");
    const res = await checkIn(await scannerToken(), { token: ticket.token, show_id: other.showId });
    const error = await expectError(res, 409, "TICKET_WRONG_SHOW");
    expect(error.details).toMatchObject({ ticket_show_id: showId, show_id: other.showId });
  });

  it("refuses garbage and a missing token with 400 naming the field", async () => {
    const scanner = await scannerToken();
    for (const token of ["not-a-token", "a.b.c", "eyJhbGciOiJub25lIn0.e30."]) {
      const error = await expectError(await checkIn(scanner, { token }), 400, "TICKET_INVALID");
      expect(error.details?.field).toBe("token");
    }
    const missing = await expectError(await checkIn(scanner, {}), 400, "INVALID_INPUT");
    expect(missing.details?.field).toBe("token");
  });

  it("records the check-in in D1 through the outbox", async () => {
    const { ticket, showId, bookingId } = await bookedTicket();
    expect(
      (await checkIn(await scannerToken(), { token: ticket.token, gate: "West" })).status,
    ).toBe(200);
    const row = await env.DB.prepare("SELECT * FROM checkins WHERE ticket_id = ?")
      .bind(ticket.ticket_id)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({ booking_id: bookingId, show_id: showId, gate: "West" });
  });
});
