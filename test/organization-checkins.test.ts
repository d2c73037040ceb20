import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { batchResponse, checkinResponse } from "../src/tickets/ticket-schemas.ts";
import { call, expectError, organizationWithShow, tokenFor } from "./support/helpers.ts";
import { checkIn, checkInBatch, type TicketJson, ticketOnShow } from "./support/tickets-helpers.ts";

/**
 * Door staff of an organization check in its shows' tickets only: another organization's
 * ticket is the wrong show's and stays valid, its manifest and batches are not found. A
 * scanner of the platform's own (no org) works at every door.
 */

type CheckinJson = z.infer<typeof checkinResponse>["checkin"];
type BatchJson = z.infer<typeof batchResponse>;

const scannerOf = (org: string, gate = `gate_${org}`) => tokenFor(gate, "scanner", 3600, org);
const platformScanner = () => tokenFor("gate_platform", "scanner");

/** Two organizations, each with a show and one sold ticket on it. */
async function twoOrganizationsWithTickets() {
  const a = await organizationWithShow("Door chain A");
  const b = await organizationWithShow("Door chain B");
  const ticketA = (await ticketOnShow(a.showId, "user_door_a")).ticket;
  const ticketB = (await ticketOnShow(b.showId, "user_door_b")).ticket;
  return { a, b, ticketA, ticketB };
}

async function admitted(res: Response, ticket: TicketJson): Promise<CheckinJson> {
  expect(res.status, await res.clone().text()).toBe(200);
  const { checkin } = (await res.json()) as { checkin: CheckinJson };
  expect(checkin).toMatchObject({ ticket_id: ticket.ticket_id, show_id: ticket.show_id });
  return checkin;
}

/** The ticket as its holder reads it. */
async function ticketNow(ticket: TicketJson): Promise<TicketJson> {
  const res = await call("GET", `/v1/tickets/${ticket.ticket_id}`, {
    token: await tokenFor(ticket.user_id),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { ticket: TicketJson }).ticket;
}

const scanOf = (ticket: TicketJson) => ({
  token: ticket.token,
  scanned_at: new Date().toISOString(),
  device_id: "door-device-1",
});

describe("a scanner of organization A", () => {
  it("admits a ticket of A's show", async () => {
    const { a, ticketA } = await twoOrganizationsWithTickets();
    const scanner = await scannerOf(a.orgId);
    await admitted(await checkIn(scanner, { token: ticketA.token, show_id: a.showId }), ticketA);
    expect((await ticketNow(ticketA)).status).toBe("used");
  });

  it("refuses B's ticket with 409 TICKET_WRONG_SHOW and leaves it valid for B's own scanner", async () => {
    const { a, b, ticketB } = await twoOrganizationsWithTickets();
    const scannerA = await scannerOf(a.orgId);
    // Whether or not the door names a show: a ticket of another organization's is not for it.
    for (const body of [{ token: ticketB.token }, { token: ticketB.token, show_id: b.showId }]) {
      const error = await expectError(await checkIn(scannerA, body), 409, "TICKET_WRONG_SHOW");
      expect(error.details).toMatchObject({ ticket_id: ticketB.ticket_id });
    }
    expect(await ticketNow(ticketB)).toMatchObject({ status: "valid", checked_in_at: null });

    const scannerB = await scannerOf(b.orgId);
    await admitted(await checkIn(scannerB, { token: ticketB.token }), ticketB);
  });

  it("gets 404 for B's manifest and for a batch of B's show, and B's ticket in A's batch is checked in nowhere", async () => {
    const { a, b, ticketA, ticketB } = await twoOrganizationsWithTickets();
    const scannerA = await scannerOf(a.orgId);
    const manifest = await call("GET", `/v1/shows/${b.showId}/checkins/manifest`, {
      token: scannerA,
    });
    await expectError(manifest, 404, "NOT_FOUND");
    await expectError(await checkInBatch(scannerA, b.showId, [scanOf(ticketB)]), 404, "NOT_FOUND");
    await expectError(
      await call("GET", `/v1/tickets/${ticketB.ticket_id}`, { token: scannerA }),
      404,
      "NOT_FOUND",
    );

    const own = await call("GET", `/v1/shows/${a.showId}/checkins/manifest`, { token: scannerA });
    expect(own.status).toBe(200);
    const batch = await checkInBatch(scannerA, a.showId, [scanOf(ticketA), scanOf(ticketB)]);
    expect(batch.status).toBe(200);
    const { results } = (await batch.json()) as BatchJson;
    expect(results.map((r) => [r.ticket_id, r.result, r.code])).toEqual([
      [ticketA.ticket_id, "admitted", undefined],
      [ticketB.ticket_id, "invalid", "TICKET_WRONG_SHOW"],
    ]);
    expect((await ticketNow(ticketB)).status).toBe("valid");
  });
});

describe("a scanner of the platform (no org)", () => {
  it("admits tickets of both organizations' shows, and reads both manifests", async () => {
    const { a, b, ticketA, ticketB } = await twoOrganizationsWithTickets();
    const scanner = await platformScanner();
    await admitted(await checkIn(scanner, { token: ticketA.token }), ticketA);
    await admitted(await checkIn(scanner, { token: ticketB.token, show_id: b.showId }), ticketB);
    for (const showId of [a.showId, b.showId]) {
      const manifest = await call("GET", `/v1/shows/${showId}/checkins/manifest`, {
        token: scanner,
      });
      expect(manifest.status).toBe(200);
    }
    expect((await ticketNow(ticketA)).status).toBe("used");
    expect((await ticketNow(ticketB)).status).toBe("used");
  });
});
