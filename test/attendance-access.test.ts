import { describe, expect, it } from "vitest";
import { call, expectError, organizationWithShow, tokenFor } from "./support/helpers.ts";
import { checkIn, ticketOnShow } from "./support/tickets-helpers.ts";

/** Who may read a show's headcount: its organization's staff and the admin, never a buyer. */

const attendanceOf = (showId: string, token: string) =>
  call("GET", `/v1/shows/${showId}/attendance`, { token });

describe("GET /v1/shows/{show_id}/attendance", () => {
  it("answers the show's organizer and scanner, and the admin", async () => {
    const a = await organizationWithShow("Headcount A");
    const { ticket } = await ticketOnShow(a.showId, "user_headcount");
    const scanner = await tokenFor("gate_a", "scanner", 3600, a.orgId);
    expect((await checkIn(scanner, { token: ticket.token, gate: "Main" })).status).toBe(200);
    for (const token of [a.organizer, scanner, await tokenFor("ops", "admin")]) {
      const res = await attendanceOf(a.showId, token);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        attendance: {
          show_id: a.showId,
          inside: 1,
          entered: 1,
          exited: 0,
          gates: [{ gate: "Main", entered: 1, exited: 0 }],
        },
      });
    }
  });

  it("refuses a user token, even a ticket holder's, with 403", async () => {
    const a = await organizationWithShow("Headcount B");
    const { token } = await ticketOnShow(a.showId, "user_holder");
    await expectError(await attendanceOf(a.showId, token), 403, "FORBIDDEN");
  });

  it("answers another organization's organizer and scanner 404, as for an unknown show", async () => {
    const a = await organizationWithShow("Headcount C");
    const b = await organizationWithShow("Headcount D");
    const scannerB = await tokenFor("gate_b", "scanner", 3600, b.orgId);
    for (const token of [b.organizer, scannerB]) {
      await expectError(await attendanceOf(a.showId, token), 404, "NOT_FOUND");
    }
    await expectError(await attendanceOf("show_missing", b.organizer), 404, "NOT_FOUND");
  });
});
