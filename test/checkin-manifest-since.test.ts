import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ShowObject } from "../src/show/show-object.ts";
import { adminToken, call, stubOf } from "./support/helpers.ts";
import {
  bookingWithTickets,
  checkIn,
  scannerToken,
  type TicketJson,
  ticketOnShow,
} from "./support/tickets-helpers.ts";
import { manifestSince } from "./support/transfer-helpers.ts";

/**
 * GET .../checkins/manifest?since=<version>: the manifest's shape with only the tickets whose
 * status changed after that version, so a door of a big show can sync every few seconds.
 */
describe("the manifest since a version", () => {
  it("is empty lists at the current version, with that version", async () => {
    const { showId } = await bookingWithTickets(2);
    const whole = await manifestSince(showId);

    const delta = await manifestSince(showId, whole.version);

    expect(delta).toMatchObject({
      version: whole.version,
      since: whole.version,
      valid: [],
      void: [],
      void_reasons: {},
      used: [],
    });
  });

  it("is the whole manifest for a version the show does not know", async () => {
    const { showId } = await bookingWithTickets(2);
    const whole = await manifestSince(showId);
    expect(whole.since).toBeNull();
    expect(whole.valid).toHaveLength(2);

    for (const unknown of ["0", String(Number(whole.version) + 1), "12.3", "not-a-version"]) {
      const answer = await manifestSince(showId, unknown);
      expect(answer, unknown).toEqual({ ...whole, generated_at: answer.generated_at });
    }
  });

  it("after a cancellation lists only that booking's tickets, void with the reason", async () => {
    const party = await bookingWithTickets(2);
    const other = await ticketOnShow(party.showId, "user_stays");
    const before = await manifestSince(party.showId);
    expect(before.valid).toContain(other.ticket.ticket_id);

    const cancel = await call("POST", `/v1/bookings/${party.bookingId}/cancel`, {
      token: party.token,
    });
    expect(cancel.status).toBe(200);
    const delta = await manifestSince(party.showId, before.version);

    const ids = party.tickets.map((ticket) => ticket.ticket_id);
    expect(delta.since).toBe(before.version);
    expect(Number(delta.version)).toBeGreaterThan(Number(before.version));
    expect([...delta.void].sort()).toEqual([...ids].sort());
    expect(delta.void_reasons).toEqual(Object.fromEntries(ids.map((id) => [id, "cancelled"])));
    expect(delta.valid).toEqual([]);
    expect(delta.used).toEqual([]);
  });

  it("after a check-in lists only that ticket, used, with its first scan", async () => {
    const { showId, tickets } = await bookingWithTickets(2);
    const [scanned] = tickets as [TicketJson];
    const before = await manifestSince(showId);

    const res = await checkIn(await scannerToken("gate_since"), {
      token: scanned.token,
      gate: "East",
    });
    expect(res.status).toBe(200);
    const delta = await manifestSince(showId, before.version);

    expect(delta.valid).toEqual([]);
    expect(delta.void).toEqual([]);
    expect(delta.used).toEqual([
      expect.objectContaining({ ticket_id: scanned.ticket_id, gate: "East" }),
    ]);
  });

  it("after the show's cancellation is the whole manifest, every ticket void", async () => {
    const { showId, tickets } = await bookingWithTickets(2);
    const before = await manifestSince(showId);

    const cancel = await call("POST", `/v1/shows/${showId}/cancel`, {
      token: await adminToken(),
      body: { reason: "Flooded stage" },
    });
    expect(cancel.status).toBe(202);
    const after = await manifestSince(showId, before.version);

    expect(after.since).toBeNull();
    expect(after.valid).toEqual([]);
    expect([...after.void].sort()).toEqual(tickets.map((t) => t.ticket_id).sort());
  });

  it("picks the changes out of one pass over the show when very many bookings changed", async () => {
    const party = await bookingWithTickets(1);
    const before = await manifestSince(party.showId);
    // More bookings named in the log than are read one by one (unknown ones list nothing).
    await runInDurableObject(stubOf(party.showId), (_object: ShowObject, state) => {
      state.storage.transactionSync(() => {
        for (let i = 0; i < 1001; i++) {
          state.storage.sql.exec(
            "INSERT INTO ticket_changes (booking_id, ticket_id) VALUES (?, NULL)",
            `booking_gone_${i}`,
          );
        }
      });
    });
    const other = await ticketOnShow(party.showId, "user_many");

    const delta = await manifestSince(party.showId, before.version);

    expect(delta.since).toBe(before.version);
    expect(delta.valid).toEqual([other.ticket.ticket_id]);
    expect(delta.void).toEqual([]);
  });

  it("chains: each answer's version is the next request's since, and no change is missed", async () => {
    const party = await bookingWithTickets(1);
    const start = await manifestSince(party.showId);
    const other = await ticketOnShow(party.showId, "user_chain");
    const first = await manifestSince(party.showId, start.version);
    expect(first.valid).toEqual([other.ticket.ticket_id]);

    const scanned = party.tickets[0] as TicketJson;
    expect((await checkIn(await scannerToken(), { token: scanned.token })).status).toBe(200);
    const second = await manifestSince(party.showId, first.version);
    expect(second.valid).toEqual([]);
    expect(second.used.map((used) => used.ticket_id)).toEqual([scanned.ticket_id]);
    expect(await manifestSince(party.showId, second.version)).toMatchObject({
      valid: [],
      void: [],
      used: [],
    });
  });
});
