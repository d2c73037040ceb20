import { describe, expect, it } from "vitest";
import {
  bookingWithTickets,
  checkInBatch,
  scannerToken,
  type TicketJson,
} from "./support/tickets-helpers.ts";
import { manifestSince, newHolder, transferred } from "./support/transfer-helpers.ts";

/**
 * A door that synced after a transfer refuses the old code offline: the manifest's changes
 * list it void as transferred and its successor valid, and syncing a scan of the old code
 * is `void` with that reason.
 */
describe("an offline door after a transfer", () => {
  it("learns from the manifest's changes that the old code is void as transferred", async () => {
    const { showId, tickets, token } = await bookingWithTickets(2);
    const [old, kept] = tickets as [TicketJson, TicketJson];
    const before = await manifestSince(showId);
    const friend = await newHolder("user_offline_friend");

    const fresh = await transferred(token, old.ticket_id, friend.userId);
    const delta = await manifestSince(showId, before.version);

    expect(delta.void).toEqual([old.ticket_id]);
    expect(delta.void_reasons).toEqual({ [old.ticket_id]: "transferred" });
    expect(delta.valid).toEqual([fresh.ticket_id]);
    expect(delta.valid).not.toContain(kept.ticket_id);
    const whole = await manifestSince(showId);
    expect(whole.void_reasons[old.ticket_id]).toBe("transferred");
    expect(whole.valid.sort()).toEqual([fresh.ticket_id, kept.ticket_id].sort());
  });

  it("syncs a scan of the old code as void with the reason, and the new code as admitted", async () => {
    const { showId, tickets, token } = await bookingWithTickets(1);
    const old = tickets[0] as TicketJson;
    const friend = await newHolder("user_synced_friend");
    const fresh = await transferred(token, old.ticket_id, friend.userId);
    const scannedAt = new Date().toISOString();

    const res = await checkInBatch(await scannerToken(), showId, [
      { token: old.token, scanned_at: scannedAt, device_id: "door-7" },
      { token: fresh.token, scanned_at: scannedAt, device_id: "door-7" },
    ]);

    expect(res.status).toBe(200);
    const { results } = (await res.json()) as {
      results: { ticket_id: string; result: string; reason?: string }[];
    };
    expect(results[0]).toEqual({ ticket_id: old.ticket_id, result: "void", reason: "transferred" });
    expect(results[1]).toMatchObject({ ticket_id: fresh.ticket_id, result: "admitted" });
  });
});
