import { describe, expect, it } from "vitest";
import { adminToken, call, expectError, tokenFor } from "./support/helpers.ts";
import { bookedTicket, checkIn, scannerToken } from "./support/tickets-helpers.ts";

function pathOf(url: string): string {
  return new URL(url).pathname;
}

describe("the ticket page", () => {
  it("shows the event, venue, seats, holder, status and a QR code of the token", async () => {
    const { ticket, user } = await bookedTicket();
    const res = await call("GET", pathOf(ticket.ticket_url));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(res.headers.get("Content-Security-Policy")).toContain("style-src 'unsafe-inline'");
    const page = await res.text();
    expect(page).toContain("Avengers: Endgame");
    expect(page).toContain("PVR Cinemas");
    // The booking's first ticket: its own seat only.
    expect(page).toContain("<dt>Seats</dt><dd>A1</dd>");
    expect(page).toContain(user);
    expect(page).toContain('data-status="valid"');
    expect(page).toMatch(/<svg[^>]*viewBox/);
    expect(page).toContain('name="viewport"');
  });

  it("says USED once the ticket is checked in", async () => {
    const { ticket } = await bookedTicket();
    await checkIn(await scannerToken(), { token: ticket.token, gate: "North" });
    const page = await (await call("GET", pathOf(ticket.ticket_url))).text();
    expect(page).toContain('data-status="used"');
    expect(page).toContain("at North");
  });

  it("shows VOID and no code for a cancelled booking's ticket", async () => {
    const { ticket, token, bookingId } = await bookedTicket();
    const cancel = await call("POST", `/v1/bookings/${bookingId}/cancel`, { token });
    expect(cancel.status).toBe(200);
    const page = await (await call("GET", pathOf(ticket.ticket_url))).text();
    expect(page).toContain('data-status="void"');
    expect(page).toContain("VOID");
    expect(page).not.toContain("<svg");
  });

  it("carries the holder's transfer form and its script on a valid ticket only, under its CSP", async () => {
    const { ticket, user, token, bookingId } = await bookedTicket();
    const res = await call("GET", pathOf(ticket.ticket_url));
    expect(res.headers.get("Content-Security-Policy")).toMatch(
      /script-src 'self'; connect-src 'self'; form-action 'none'/,
    );
    const page = await res.text();
    expect(page).toContain(`<form id="transfer" hidden data-ticket="${ticket.ticket_id}"`);
    expect(page).toContain(`data-holder="${user}"`);
    expect(page).toContain('<script type="module" src="/js/ticket-transfer.js"></script>');
    expect((await call("POST", `/v1/bookings/${bookingId}/cancel`, { token })).status).toBe(200);
    const voided = await (await call("GET", pathOf(ticket.ticket_url))).text();
    expect(voided).not.toContain('id="transfer"');
  });

  it("answers 404 in the error envelope for a ticket id that does not exist", async () => {
    const { showId } = await bookedTicket();
    const missing = `ticket_${"a".repeat(26)}_${showId.slice("show_".length)}`;
    await expectError(await call("GET", `/tickets/${missing}`), 404, "NOT_FOUND");
    await expectError(await call("GET", "/tickets/ticket_short"), 400, "INVALID_INPUT");
  });
});

describe("GET /v1/tickets/{ticket_id}", () => {
  it("answers the owner, an admin and a scanner, and 404 to another user", async () => {
    const { ticket, token } = await bookedTicket();
    const path = `/v1/tickets/${ticket.ticket_id}`;
    for (const reader of [token, await adminToken(), await scannerToken()]) {
      const res = await call("GET", path, { token: reader });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { ticket: { status: string; token: string } };
      expect(body.ticket).toMatchObject({ status: "valid", token: ticket.token });
    }
    const stranger = await tokenFor("user_not_the_holder");
    await expectError(await call("GET", path, { token: stranger }), 404, "NOT_FOUND");
    await expectError(await call("GET", path), 401, "UNAUTHENTICATED");
  });
});
