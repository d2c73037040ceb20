import type { CheckinView, FirstScan, VerifiedScan } from "../show/show-checkins.ts";
import { showStub } from "../show-client/show-stub.ts";
import { ticketKeys } from "./ticket-keys.ts";
import { verifyTicket } from "./ticket-token.ts";

/**
 * POST /v1/checkins/batch in the Worker: verifies each scan's token, sends each show's
 * scans to that show's object in one call (the object decides, earliest scan first), and
 * puts the outcomes back in the order the scans came.
 */

export interface OfflineScan {
  token: string;
  scanned_at: string;
  gate?: string | undefined;
  device_id: string;
}

export interface BatchResult {
  ticket_id: string | null;
  result: "admitted" | "duplicate" | "void" | "invalid";
  checkin?: CheckinView;
  first_scan?: FirstScan;
  reason?: string;
}

export async function checkInOfflineScans(env: Env, scans: OfflineScan[]): Promise<BatchResult[]> {
  const keys = await ticketKeys(env);
  const results: BatchResult[] = new Array(scans.length);
  const byShow = new Map<string, { index: number; scan: VerifiedScan }[]>();
  for (const [index, scan] of scans.entries()) {
    const verified = await verifyTicket(scan.token, keys);
    if (!verified.ok) {
      results[index] = { ticket_id: null, result: "invalid", reason: verified.reason };
      continue;
    }
    const { claims } = verified;
    const list = byShow.get(claims.show_id) ?? [];
    list.push({
      index,
      scan: {
        ticketId: claims.ticket_id,
        bookingId: claims.booking_id,
        gate: scan.gate ?? null,
        deviceId: scan.device_id,
        scannedAt: Date.parse(scan.scanned_at),
      },
    });
    byShow.set(claims.show_id, list);
  }
  await Promise.all(
    [...byShow].map(async ([showId, entries]) => {
      // A signed token names a show this API created; its object exists.
      const reply = await showStub(env, showId).checkInBatch(entries.map((e) => e.scan));
      for (const [i, entry] of entries.entries()) {
        const outcome = reply.ok ? reply.value[i] : undefined;
        results[entry.index] = outcome
          ? { ticket_id: entry.scan.ticketId, ...outcome }
          : { ticket_id: entry.scan.ticketId, result: "invalid", reason: "the show is unknown" };
      }
    }),
  );
  return results;
}
