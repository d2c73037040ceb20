import { decodeProtectedHeader, jwtVerify } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { GOOGLE_SAVE_URL } from "../src/tickets/google-wallet.ts";
import { call, expectError } from "./support/helpers.ts";
import { bookedTicket, bookingWithTickets } from "./support/tickets-helpers.ts";
import { getWith, testGoogleCredentials, walletPaths } from "./support/wallet-helpers.ts";

let google: Awaited<ReturnType<typeof testGoogleCredentials>>;
beforeAll(async () => {
  google = await testGoogleCredentials();
});

/** The JWT of a save link, checked against the service account's public key. */
async function verifiedClaims(location: string | null) {
  expect(location?.startsWith(GOOGLE_SAVE_URL)).toBe(true);
  const jwt = (location ?? "").slice(GOOGLE_SAVE_URL.length);
  expect(decodeProtectedHeader(jwt)).toEqual({ alg: "RS256", typ: "JWT" });
  const { payload } = await jwtVerify(jwt, google.publicKey, {
    algorithms: ["RS256"],
    issuer: google.vars.GOOGLE_WALLET_SERVICE_ACCOUNT_EMAIL,
    audience: "google",
  });
  return payload;
}

describe("GET /tickets/{ticket_id}/wallet/google", () => {
  it("redirects to a save link whose JWT verifies with the service account's public key and carries the ticket's token", async () => {
    const { ticket, showId, bookingId, user } = await bookedTicket();
    const res = await getWith(walletPaths(ticket.ticket_url).google, google.vars);
    expect(res.status).toBe(302);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const claims = await verifiedClaims(res.headers.get("Location"));
    expect(claims.typ).toBe("savetowallet");
    expect(claims.iat).toBeTypeOf("number");
    const issuer = google.vars.GOOGLE_WALLET_ISSUER_ID;
    expect(claims.payload).toMatchObject({
      eventTicketClasses: [
        {
          id: `${issuer}.${showId}`,
          issuerName: "Test Tickets",
          eventName: { defaultValue: { value: "Avengers: Endgame" } },
          venue: { name: { defaultValue: { value: "PVR Cinemas" } } },
        },
      ],
      eventTicketObjects: [
        {
          id: `${issuer}.${ticket.ticket_id}`,
          classId: `${issuer}.${showId}`,
          state: "ACTIVE",
          ticketHolderName: user,
          reservationInfo: { confirmationCode: bookingId },
          seatInfo: {
            row: { defaultValue: { value: "A" } },
            seat: { defaultValue: { value: "1" } },
          },
          barcode: { type: "QR_CODE", value: ticket.token },
        },
      ],
    });
  });

  it("gives each ticket of a booking its own object with its own seat and token", async () => {
    const { tickets } = await bookingWithTickets(2);
    const second = tickets[1];
    if (!second) throw new Error("no second ticket");
    const res = await getWith(walletPaths(second.ticket_url).google, google.vars);
    const claims = await verifiedClaims(res.headers.get("Location"));
    expect(claims.payload).toMatchObject({
      eventTicketObjects: [
        {
          seatInfo: { seat: { defaultValue: { value: "2" } } },
          barcode: { value: second.token },
        },
      ],
    });
  });

  it("reads a key whose line breaks came written as \\n, as in a service account's JSON file", async () => {
    const { ticket } = await bookedTicket();
    const escaped = google.vars.GOOGLE_WALLET_PRIVATE_KEY.replace(/\n/g, "\\n");
    const vars = { ...google.vars, GOOGLE_WALLET_PRIVATE_KEY: escaped };
    const res = await getWith(walletPaths(ticket.ticket_url).google, vars);
    expect(res.status).toBe(302);
    await verifiedClaims(res.headers.get("Location"));
  });

  it("answers 409 TICKET_VOID for a cancelled booking's ticket, and 404 for an unknown one", async () => {
    const { ticket, token, bookingId, showId } = await bookedTicket();
    const cancel = await call("POST", `/v1/bookings/${bookingId}/cancel`, { token });
    expect(cancel.status).toBe(200);
    const path = walletPaths(ticket.ticket_url).google;
    await expectError(await getWith(path, google.vars), 409, "TICKET_VOID");
    const missing = `ticket_${"a".repeat(26)}_${showId.slice("show_".length)}`;
    await expectError(
      await getWith(`/tickets/${missing}/wallet/google`, google.vars),
      404,
      "NOT_FOUND",
    );
  });

  it("is linked from the ticket page once configured, and not from a void ticket's", async () => {
    const { ticket, token, bookingId } = await bookedTicket();
    const paths = walletPaths(ticket.ticket_url);
    const page = await (await getWith(paths.page, google.vars)).text();
    expect(page).toContain(`<a href="${paths.google}"`);
    expect(page).toContain("Add to Google Wallet");
    expect(page).not.toContain("Add to Apple Wallet");
    await call("POST", `/v1/bookings/${bookingId}/cancel`, { token });
    const voidPage = await (await getWith(paths.page, google.vars)).text();
    expect(voidPage).toContain('data-status="void"');
    expect(voidPage).not.toContain("Add to Google Wallet");
  });
});
