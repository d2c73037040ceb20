import { describe, expect, it } from "vitest";
import { call, expectError } from "./helpers.ts";
import { bookedTicket, checkIn, checkInBatch, scannerToken } from "./tickets-helpers.ts";

interface BatchResult {
  ticket_id: string | null;
  result: string;
  checkin?: { checked_in_at: string; gate: string | null };
  first_scan?: { checked_in_at: string; gate: string | null; device_id: string | null };
  reason?: string;
}

async function sync(token: string, scans: Record<string, unknown>[]): Promise<BatchResult[]> {
  const res = await checkInBatch(token, scans);
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: BatchResult[] }).results;
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

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
    const { ticket } = await bookedTicket();
    const scanner = await scannerToken();
    const late = { token: ticket.token, scanned_at: minutesAgo(2), gate: "South", device_id: "B" };
    const early = { token: ticket.token, scanned_at: minutesAgo(5), gate: "North", device_id: "A" };
    const [first] = await sync(scanner, [late]);
    expect(first?.result).toBe("admitted");
    const [second] = await sync(scanner, [early]);
    expect(second).toMatchObject({ result: "admitted", checkin: { gate: "North" } });
    // Device B syncing again now learns that A's earlier scan is the check-in.
    const [again] = await sync(scanner, [late]);
    expect(again).toMatchObject({
      result: "duplicate",
      first_scan: { checked_in_at: early.scanned_at, gate: "North", device_id: "A" },
    });
    const online = await checkIn(scanner, { token: ticket.token });
    expect((await expectError(online, 409, "TICKET_ALREADY_USED")).details?.gate).toBe("North");
  });

  it("admits the earliest of two scans of one ticket in the same batch, whatever their order", async () => {
    const { ticket } = await bookedTicket();
    const results = await sync(await scannerToken(), [
      { token: ticket.token, scanned_at: minutesAgo(1), gate: "South", device_id: "B" },
      { token: ticket.token, scanned_at: minutesAgo(3), gate: "North", device_id: "A" },
    ]);
    expect(results.map((r) => r.result)).toEqual(["duplicate", "admitted"]);
    expect(results[0]?.first_scan).toMatchObject({ gate: "North", device_id: "A" });
  });

  it("changes nothing when the same batch is sent twice, and answers it the same", async () => {
    const { ticket, showId } = await bookedTicket();
    const voided = await bookedTicket(1, "user_cancels");
    await call("POST", `/v1/bookings/${voided.bookingId}/cancel`, { token: voided.token });
    const scanner = await scannerToken();
    const scans = [
      { token: ticket.token, scanned_at: minutesAgo(4), gate: "North", device_id: "A" },
      { token: ticket.token, scanned_at: minutesAgo(3), gate: "North", device_id: "A" },
      { token: voided.ticket.token, scanned_at: minutesAgo(3), device_id: "A" },
      { token: "garbage", scanned_at: minutesAgo(3), device_id: "A" },
    ];
    const first = await sync(scanner, scans);
    expect(first.map((r) => r.result)).toEqual(["admitted", "duplicate", "void", "invalid"]);
    const { version, valid, used } = await manifest(scanner, showId);
    const second = await sync(scanner, scans);
    expect(second).toEqual(first);
    expect(await manifest(scanner, showId)).toMatchObject({ version, valid, used });
  });

  it("refuses an empty batch and a scan without its time, naming the field", async () => {
    const scanner = await scannerToken();
    const empty = await expectError(await checkInBatch(scanner, []), 400, "INVALID_INPUT");
    expect(empty.details?.field).toBe("scans");
    const res = await checkInBatch(scanner, [{ token: "x", device_id: "A" }]);
    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details?.field).toBe("scans.0.scanned_at");
  });
});

describe("GET /v1/shows/{show_id}/checkins/manifest", () => {
  it("lists the keys and the show's valid, void and used tickets, with a version that moves", async () => {
    const used = await bookedTicket(1, "user_used");
    const { showId } = used;
    const scanner = await scannerToken();
    const before = await manifest(scanner, showId);
    expect(before.keys.map((k) => k.kid)).toContain("test-2026");
    expect(before.valid).toEqual([used.ticket.ticket_id]);
    await checkIn(scanner, { token: used.ticket.token, gate: "North" });
    const after = await manifest(scanner, showId);
    expect(after.valid).toEqual([]);
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
