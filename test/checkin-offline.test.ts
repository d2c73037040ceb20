import { describe, expect, it } from "vitest";
import { call, expectError } from "./support/helpers.ts";
import {
  bookedTicket,
  checkIn,
  checkInBatch,
  claimsOf,
  scannerToken,
  type TicketJson,
  ticketOnShow,
  writtenAt,
} from "./support/tickets-helpers.ts";

interface BatchResult {
  ticket_id: string | null;
  result: string;
  checkin?: { checked_in_at: string; gate: string | null };
  first_scan?: { checked_in_at: string; gate: string | null; device_id: string | null };
  code?: string;
  reason?: string;
}

async function sync(
  token: string,
  showId: string,
  scans: Record<string, unknown>[],
): Promise<BatchResult[]> {
  const res = await checkInBatch(token, showId, scans);
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: BatchResult[] }).results;
}

/**
 * A moment `seconds` after the ticket was issued (its token's `iat`): the tickets here are
 * bought moments before they are scanned, so these are at most a minute ahead of now.
 */
const afterIssue = (ticket: TicketJson, seconds: number) =>
  new Date((claimsOf(ticket.token).iat + seconds) * 1000).toISOString();

async function ticketRead(token: string, ticketId: string): Promise<TicketJson> {
  const res = await call("GET", `/v1/tickets/${ticketId}`, { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { ticket: TicketJson }).ticket;
}

interface Manifest {
  version: string;
  keys: { kid: string }[];
  valid: string[];
  void: string[];
  used: { ticket_id: string; gate: string | null; device_id: string | null }[];
}

async function manifest(token: string, showId: string): Promise<Manifest> {
  const res = await call("GET", `/v1/shows/${showId}/checkins/manifest`, { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { manifest: Manifest }).manifest;
}

describe("POST /v1/checkins/batch", () => {
  it("makes the earliest scanned_at the check-in even when the later device syncs first", async () => {
    const { ticket, showId } = await bookedTicket();
    const scanner = await scannerToken();
    const late = {
      token: ticket.token,
      scanned_at: afterIssue(ticket, 30),
      gate: "South",
      device_id: "B",
    };
    const early = {
      token: ticket.token,
      scanned_at: afterIssue(ticket, 10),
      gate: "North",
      device_id: "A",
    };
    const [first] = await sync(scanner, showId, [late]);
    expect(first?.result).toBe("admitted");
    const [second] = await sync(scanner, showId, [early]);
    expect(second).toMatchObject({ result: "admitted", checkin: { gate: "North" } });
    // Device B syncing again now learns that A's earlier scan is the check-in.
    const [again] = await sync(scanner, showId, [late]);
    expect(again).toMatchObject({
      result: "duplicate",
      first_scan: { checked_in_at: early.scanned_at, gate: "North", device_id: "A" },
    });
    const online = await checkIn(scanner, { token: ticket.token });
    expect((await expectError(online, 409, "TICKET_ALREADY_USED")).details?.gate).toBe("North");
  });

  it("admits the earliest of two scans of one ticket in the same batch, whatever their order", async () => {
    const { ticket, showId } = await bookedTicket();
    const results = await sync(await scannerToken(), showId, [
      { token: ticket.token, scanned_at: afterIssue(ticket, 20), gate: "South", device_id: "B" },
      { token: ticket.token, scanned_at: afterIssue(ticket, 5), gate: "North", device_id: "A" },
    ]);
    expect(results.map((r) => r.result)).toEqual(["duplicate", "admitted"]);
    expect(results[0]?.first_scan).toMatchObject({ gate: "North", device_id: "A" });
  });

  it("changes nothing when the same batch is sent twice, and answers it the same", async () => {
    const { ticket, showId } = await bookedTicket();
    const voided = await ticketOnShow(showId, "user_cancels");
    await call("POST", `/v1/bookings/${voided.bookingId}/cancel`, { token: voided.token });
    const scanner = await scannerToken();
    const scans = [
      { token: ticket.token, scanned_at: afterIssue(ticket, 4), gate: "North", device_id: "A" },
      { token: ticket.token, scanned_at: afterIssue(ticket, 9), gate: "North", device_id: "A" },
      { token: voided.ticket.token, scanned_at: afterIssue(voided.ticket, 9), device_id: "A" },
      { token: "garbage", scanned_at: afterIssue(ticket, 9), device_id: "A" },
    ];
    const first = await sync(scanner, showId, scans);
    expect(first.map((r) => r.result)).toEqual(["admitted", "duplicate", "void", "invalid"]);
    const { version, valid, used } = await manifest(scanner, showId);
    const second = await sync(scanner, showId, scans);
    expect(second).toEqual(first);
    expect(await manifest(scanner, showId)).toMatchObject({ version, valid, used });
  });

  it("answers a resent batch scanned a minute ahead of the server's clock exactly as the first time", async () => {
    const { ticket, showId } = await bookedTicket();
    const scanner = await scannerToken();
    // The door's clock runs a minute fast.
    const scannedAt = new Date(Date.now() + 60_000).toISOString();
    const scans = [{ token: ticket.token, scanned_at: scannedAt, gate: "North", device_id: "A" }];
    const first = await sync(scanner, showId, scans);
    expect(first).toMatchObject([{ result: "admitted", checkin: { checked_in_at: scannedAt } }]);
    const second = await sync(scanner, showId, scans);
    expect(second).toEqual(first);
  });

  it("refuses a ticket of another show as invalid TICKET_WRONG_SHOW and checks it in at neither show", async () => {
    const today = await bookedTicket(1, "user_today");
    const tomorrow = await bookedTicket(1, "user_tomorrow");
    const scanner = await scannerToken();
    const results = await sync(scanner, today.showId, [
      { token: tomorrow.ticket.token, scanned_at: afterIssue(tomorrow.ticket, 5), device_id: "A" },
      { token: today.ticket.token, scanned_at: afterIssue(today.ticket, 5), device_id: "A" },
    ]);
    expect(results[0]).toEqual({
      ticket_id: tomorrow.ticket.ticket_id,
      result: "invalid",
      code: "TICKET_WRONG_SHOW",
      reason: expect.stringContaining(tomorrow.showId),
    });
    expect(results[1]?.result).toBe("admitted");
    expect((await ticketRead(tomorrow.token, tomorrow.ticket.ticket_id)).status).toBe("valid");
    const tomorrowDoor = await manifest(scanner, tomorrow.showId);
    expect(tomorrowDoor).toMatchObject({ valid: [tomorrow.ticket.ticket_id], used: [] });
    expect((await manifest(scanner, today.showId)).used).toHaveLength(1);
  });

  it("refuses per scan a scanned_at before the ticket was issued or over 5 minutes ahead, recording neither", async () => {
    // One seat: its ticket is the show's only one.
    const { ticket, showId, token } = await bookedTicket(1);
    const scanner = await scannerToken();
    const results = await sync(scanner, showId, [
      { token: ticket.token, scanned_at: afterIssue(ticket, -60), gate: "North", device_id: "A" },
      {
        token: ticket.token,
        scanned_at: new Date(Date.now() + 6 * 60_000).toISOString(),
        gate: "South",
        device_id: "B",
      },
    ]);
    expect(results).toEqual([
      {
        ticket_id: ticket.ticket_id,
        result: "invalid",
        code: "INVALID_INPUT",
        reason: expect.stringMatching(/before the ticket was issued/),
      },
      {
        ticket_id: ticket.ticket_id,
        result: "invalid",
        code: "INVALID_INPUT",
        reason: expect.stringMatching(/ahead of the server/),
      },
    ]);
    expect((await ticketRead(token, ticket.ticket_id)).status).toBe("valid");
    expect((await manifest(scanner, showId)).valid).toEqual([ticket.ticket_id]);
  });

  it("takes a scanned_at written with any offset and fractional seconds as the instant it names", async () => {
    const { ticket, showId } = await bookedTicket();
    const earlier = Date.now() + 1_000;
    const later = earlier + 2_000;
    // Read as text, the earlier scan (written at +14:00) comes after the later one (-09:30).
    const early = writtenAt(earlier, "+14:00");
    const late = writtenAt(later, "-09:30");
    expect(early > late).toBe(true);
    const results = await sync(await scannerToken(), showId, [
      { token: ticket.token, scanned_at: late, gate: "South", device_id: "B" },
      { token: ticket.token, scanned_at: early, gate: "North", device_id: "A" },
    ]);
    const instant = new Date(earlier).toISOString();
    expect(results[1]).toMatchObject({ result: "admitted", checkin: { checked_in_at: instant } });
    expect(results[0]).toMatchObject({
      result: "duplicate",
      first_scan: { checked_in_at: instant, gate: "North", device_id: "A" },
    });
  });

  it("refuses an empty batch, a scan without its time and a batch without the door's show, naming the field", async () => {
    const { showId } = await bookedTicket();
    const scanner = await scannerToken();
    const empty = await expectError(await checkInBatch(scanner, showId, []), 400, "INVALID_INPUT");
    expect(empty.details?.field).toBe("scans");
    const res = await checkInBatch(scanner, showId, [{ token: "x", device_id: "A" }]);
    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details?.field).toBe("scans.0.scanned_at");
    const scans = [{ token: "x", scanned_at: new Date().toISOString(), device_id: "A" }];
    const noShow = call("POST", "/v1/checkins/batch", { token: scanner, body: { scans } });
    expect((await expectError(await noShow, 400, "INVALID_INPUT")).details?.field).toBe("show_id");
    const unknown = await checkInBatch(scanner, "show_missing_door", scans);
    await expectError(unknown, 404, "NOT_FOUND");
  });
});

describe("GET /v1/shows/{show_id}/checkins/manifest", () => {
  it("lists the keys and the show's valid, void and used tickets, with a version that moves", async () => {
    const used = await bookedTicket(1, "user_used");
    const { showId } = used;
    const scanner = await scannerToken();
    const cancelled = await ticketOnShow(showId, "user_refunded");
    await call("POST", `/v1/bookings/${cancelled.bookingId}/cancel`, { token: cancelled.token });
    const before = await manifest(scanner, showId);
    expect(before.keys.map((k) => k.kid)).toContain("test-2026");
    expect(before).toMatchObject({
      valid: [used.ticket.ticket_id],
      void: [cancelled.ticket.ticket_id],
      used: [],
    });
    await checkIn(scanner, { token: used.ticket.token, gate: "North" });
    const after = await manifest(scanner, showId);
    expect(after.valid).toEqual([]);
    expect(after.void).toEqual([cancelled.ticket.ticket_id]);
    expect(after.used).toMatchObject([{ ticket_id: used.ticket.ticket_id, gate: "North" }]);
    expect(after.version).not.toBe(before.version);
  });

  it("answers 404 for a show that does not exist", async () => {
    const res = await call("GET", "/v1/shows/show_missing_manifest/checkins/manifest", {
      token: await scannerToken(),
    });
    await expectError(res, 404, "NOT_FOUND");
  });
});
