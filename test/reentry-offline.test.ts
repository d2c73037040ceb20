import { describe, expect, it } from "vitest";
import {
  attendance,
  type BatchResultJson,
  offlineScan,
  reentryShow,
  scan,
} from "./support/reentry-helpers.ts";
import { checkInBatch, readTicket, scannerToken } from "./support/tickets-helpers.ts";

async function sync(
  token: string,
  showId: string,
  scans: Record<string, unknown>[],
): Promise<BatchResultJson[]> {
  const res = await checkInBatch(token, showId, scans);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { results: BatchResultJson[] }).results;
}

describe("re-entry with an offline door", () => {
  it("reconciles a batch sent out of order by scanned_at, and the headcount across two online gates and the batch is right", async () => {
    const { showId, tickets, token } = await reentryShow(3);
    const [ana, ben, cat] = tickets;
    if (!ana || !ben || !cat) throw new Error("three tickets expected");
    const [north, south] = await Promise.all([scannerToken("gate_n"), scannerToken("gate_s")]);
    // Online: Ana comes in at North, leaves and comes back at South.
    for (const [gate, direction, at] of [
      [north, "in", "North"],
      [south, "out", "South"],
      [south, "in", "South"],
    ] as const) {
      expect((await scan(gate, ana, direction, at)).status).toBe(200);
    }
    // Offline at East, synced in no particular order.
    const batch = [
      offlineScan(ben, "out", 30, "East"),
      offlineScan(cat, "in", 25, "East"),
      offlineScan(ben, "in", 10, "East"),
      offlineScan(cat, "out", 50, "East"),
      offlineScan(ben, "in", 40, "East"),
      offlineScan(cat, "in", 20, "East"),
    ];
    const results = await sync(north, showId, batch);
    expect(results.map((r) => [r.ticket_id, r.result, r.code])).toEqual([
      [ben.ticket_id, "exited", undefined],
      // Cat came in at 20: the scan at 25 finds her inside.
      [cat.ticket_id, "rejected", "TICKET_ALREADY_INSIDE"],
      [ben.ticket_id, "admitted", undefined],
      [cat.ticket_id, "exited", undefined],
      [ben.ticket_id, "admitted", undefined],
      [cat.ticket_id, "admitted", undefined],
    ]);
    expect(results[2]?.checkin?.checked_in_at).toBe(batch[2]?.scanned_at);
    expect(results[4]?.scan).toEqual({
      direction: "in",
      scanned_at: batch[4]?.scanned_at,
      gate: "East",
      inside: true,
    });
    const expected = {
      show_id: showId,
      inside: 2,
      entered: 5,
      exited: 3,
      gates: [
        { gate: "East", entered: 3, exited: 2 },
        { gate: "North", entered: 1, exited: 0 },
        { gate: "South", entered: 1, exited: 1 },
      ],
    };
    expect(await attendance(showId, north)).toEqual(expected);
    // Ben's check-in is his first entry, whichever scan synced first.
    expect(await readTicket(token, ben.ticket_id)).toMatchObject({
      status: "used",
      checked_in_at: batch[2]?.scanned_at,
      gate: "East",
    });

    // The same batch again changes nothing and is answered the same.
    expect(await sync(north, showId, batch)).toEqual(results);
    expect(await attendance(showId, south)).toEqual(expected);
  });

  it("judges a ticket's scans again when an earlier one syncs later from another device", async () => {
    const { showId, tickets } = await reentryShow(1);
    const [ticket] = tickets;
    if (!ticket) throw new Error("a ticket expected");
    const scanner = await scannerToken();
    // Device A saw the holder come in twice; the first sync cannot tell how they left.
    const first = await sync(scanner, showId, [
      offlineScan(ticket, "in", 10, "West", "A"),
      offlineScan(ticket, "in", 40, "West", "A"),
    ]);
    expect(first.map((r) => r.result)).toEqual(["admitted", "rejected"]);
    expect(await attendance(showId, scanner)).toMatchObject({ inside: 1, entered: 1, exited: 0 });
    // Device B then syncs the exit between them: both entries count now.
    const second = await sync(scanner, showId, [offlineScan(ticket, "out", 25, "East", "B")]);
    expect(second.map((r) => r.result)).toEqual(["exited"]);
    expect(await attendance(showId, scanner)).toMatchObject({ inside: 1, entered: 2, exited: 1 });
    const again = await sync(scanner, showId, [offlineScan(ticket, "in", 40, "West", "A")]);
    expect(again.map((r) => r.result)).toEqual(["admitted"]);
  });
});
