import { describe, expect, it } from "vitest";
import { adminToken, call, expectError, tokenFor } from "./support/helpers.ts";
import { bookedTicket, checkIn, checkInBatch, scannerToken } from "./support/tickets-helpers.ts";

describe("who may check tickets in", () => {
  it("refuses a user token, even the ticket holder's, with 403 on every check-in route", async () => {
    const { ticket, token, showId } = await bookedTicket();
    for (const user of [token, await tokenFor("user_somebody")]) {
      await expectError(await checkIn(user, { token: ticket.token }), 403, "FORBIDDEN");
      const scan = { token: ticket.token, scanned_at: new Date().toISOString(), device_id: "d1" };
      await expectError(await checkInBatch(user, showId, [scan]), 403, "FORBIDDEN");
      const manifest = await call("GET", `/v1/shows/${showId}/checkins/manifest`, { token: user });
      await expectError(manifest, 403, "FORBIDDEN");
    }
  });

  it("refuses a request without a token with 401", async () => {
    const { ticket } = await bookedTicket();
    const res = await call("POST", "/v1/checkins", { body: { token: ticket.token } });
    await expectError(res, 401, "UNAUTHENTICATED");
  });

  it("lets an admin check a ticket in as a scanner can", async () => {
    const { ticket } = await bookedTicket();
    expect((await checkIn(await adminToken(), { token: ticket.token })).status).toBe(200);
    const again = await checkIn(await scannerToken(), { token: ticket.token });
    await expectError(again, 409, "TICKET_ALREADY_USED");
  });
});
