import { describe, expect, it } from "vitest";
import { adminToken, call, expectError } from "./support/helpers.ts";
import { offlineScan, setReentry } from "./support/reentry-helpers.ts";
import { bookedTicket, checkIn, checkInBatch, scannerToken } from "./support/tickets-helpers.ts";

async function policyOf(showId: string): Promise<unknown> {
  const res = await call("GET", `/v1/shows/${showId}`);
  return ((await res.json()) as { show: { checkin_policy: unknown } }).show.checkin_policy;
}

describe("a show's checkin_policy", () => {
  it("is no re-entry by default, set by PATCH and shown in GET /v1/shows/{id}; null sets the default back", async () => {
    const { showId } = await bookedTicket(1);
    expect(await policyOf(showId)).toEqual({ reentry: false });
    await setReentry(showId, true);
    expect(await policyOf(showId)).toEqual({ reentry: true });
    const cleared = await call("PATCH", `/v1/shows/${showId}`, {
      token: await adminToken(),
      body: { checkin_policy: null },
    });
    expect(cleared.status).toBe(200);
    expect(await policyOf(showId)).toEqual({ reentry: false });
  });

  it("refuses an unknown policy field or a reentry that is not a boolean with 400 naming it", async () => {
    const { showId } = await bookedTicket(1);
    const token = await adminToken();
    for (const [policy, field] of [
      [{ reentry: "yes" }, "checkin_policy.reentry"],
      [{ reentry: true, readmit: 2 }, "checkin_policy.readmit"],
    ] as const) {
      const res = await call("PATCH", `/v1/shows/${showId}`, {
        token,
        body: { checkin_policy: policy },
      });
      expect((await expectError(res, 400, "INVALID_INPUT")).details?.field).toBe(field);
    }
  });

  it("without re-entry, refuses an out scan with 400 online and as invalid offline, and a ticket admits once", async () => {
    const { ticket, showId } = await bookedTicket(1);
    const scanner = await scannerToken();
    const out = await checkIn(scanner, { token: ticket.token, direction: "out" });
    expect((await expectError(out, 400, "INVALID_INPUT")).details?.field).toBe("direction");
    const res = await checkInBatch(scanner, showId, [offlineScan(ticket, "out", 5, "East")]);
    const { results } = (await res.json()) as { results: { result: string; code?: string }[] };
    expect(results).toMatchObject([{ result: "invalid", code: "INVALID_INPUT" }]);
    expect((await checkIn(scanner, { token: ticket.token, direction: "in" })).status).toBe(200);
    await expectError(await checkIn(scanner, { token: ticket.token }), 409, "TICKET_ALREADY_USED");
  });

  it("keeps a check-in made before re-entry was turned on as the ticket's entry", async () => {
    const { ticket, showId } = await bookedTicket(1);
    const scanner = await scannerToken();
    expect((await checkIn(scanner, { token: ticket.token, gate: "North" })).status).toBe(200);
    await setReentry(showId, true);
    await expectError(
      await checkIn(scanner, { token: ticket.token }),
      409,
      "TICKET_ALREADY_INSIDE",
    );
    const out = await checkIn(scanner, { token: ticket.token, direction: "out", gate: "North" });
    expect(out.status).toBe(200);
    const res = await call("GET", `/v1/shows/${showId}/attendance`, { token: scanner });
    expect(await res.json()).toEqual({
      attendance: {
        show_id: showId,
        inside: 0,
        entered: 1,
        exited: 1,
        gates: [{ gate: "North", entered: 1, exited: 1 }],
      },
    });
  });
});
