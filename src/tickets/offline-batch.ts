import { showStub } from "../contract/object-stubs.ts";
import type {
  CheckinView,
  FirstScan,
  InvalidScanCode,
  RejectedScanCode,
  ScanDirection,
  ScanView,
  VerifiedScan,
} from "../contract/show-views.ts";
import { unwrap } from "../http/show-response.ts";
import { type TicketKeys, ticketKeys } from "./ticket-keys.ts";
import { verifyTicket } from "./ticket-token.ts";

/**
 * POST /v1/checkins/batch in the Worker: verifies each scan's token and time, refuses
 * tickets of another show than the door's, sends the door's show's scans to its object in
 * one call (the object decides, earliest scan first), and puts the outcomes back in the
 * order the scans came.
 */

/**
 * How far ahead of the server a device's clock may be. A scan later than that is refused
 * rather than taken (it would beat every honest scan of the ticket made in the meantime).
 */
export const MAX_SCAN_AHEAD_MS = 5 * 60_000;

export interface OfflineScan {
  token: string;
  scanned_at: string;
  gate?: string | undefined;
  device_id: string;
  direction?: ScanDirection | undefined;
}

export interface BatchResult {
  ticket_id: string | null;
  result: "admitted" | "exited" | "duplicate" | "rejected" | "void" | "invalid";
  checkin?: CheckinView;
  scan?: ScanView;
  first_scan?: FirstScan;
  code?: InvalidScanCode | RejectedScanCode;
  reason?: string;
}

type Checked = { scan: VerifiedScan } | { refusal: BatchResult };

function invalid(ticketId: string | null, code: InvalidScanCode, reason: string): Checked {
  return { refusal: { ticket_id: ticketId, result: "invalid", code, reason } };
}

/** The scan as the show's object takes it, or why it is refused without asking it. */
async function checkScan(
  scan: OfflineScan,
  keys: TicketKeys,
  showId: string,
  now: number,
): Promise<Checked> {
  const verified = await verifyTicket(scan.token, keys);
  if (!verified.ok) return invalid(null, "TICKET_INVALID", verified.reason);
  const { claims } = verified;
  if (claims.show_id !== showId) {
    const reason = `the ticket is for show ${claims.show_id}, not ${showId}`;
    return invalid(claims.ticket_id, "TICKET_WRONG_SHOW", reason);
  }
  // The instant, whatever offset it was written at (validated as RFC 3339 before).
  const scannedAt = Date.parse(scan.scanned_at);
  if (scannedAt < claims.iat * 1000) {
    const reason = `scanned_at ${scan.scanned_at} is before the ticket was issued`;
    return invalid(claims.ticket_id, "INVALID_INPUT", reason);
  }
  if (scannedAt > now + MAX_SCAN_AHEAD_MS) {
    const reason = `scanned_at ${scan.scanned_at} is more than ${MAX_SCAN_AHEAD_MS / 60_000} minutes ahead of the server`;
    return invalid(claims.ticket_id, "INVALID_INPUT", reason);
  }
  return {
    scan: {
      ticketId: claims.ticket_id,
      bookingId: claims.booking_id,
      gate: scan.gate ?? null,
      deviceId: scan.device_id,
      scannedAt,
      direction: scan.direction ?? "in",
    },
  };
}

/** The door of `showId` (a show that exists) syncs `scans`: one result per scan, in order. */
export async function checkInOfflineScans(
  env: Env,
  showId: string,
  scans: OfflineScan[],
): Promise<BatchResult[]> {
  const keys = await ticketKeys(env);
  const now = Date.now();
  const results: BatchResult[] = new Array(scans.length);
  const toDecide: { index: number; scan: VerifiedScan }[] = [];
  for (const [index, scan] of scans.entries()) {
    const checked = await checkScan(scan, keys, showId, now);
    if ("refusal" in checked) results[index] = checked.refusal;
    else toDecide.push({ index, scan: checked.scan });
  }
  if (toDecide.length === 0) return results;
  // A refusal of the whole call (the show's object without its show) is the request's.
  const outcomes = unwrap(
    await showStub(env, showId).checkInBatch(toDecide.map((entry) => entry.scan)),
  );
  for (const [i, { index, scan }] of toDecide.entries()) {
    const outcome = outcomes[i];
    if (!outcome)
      throw new Error(`the show's object answered ${outcomes.length} scans of ${toDecide.length}`);
    results[index] = { ticket_id: scan.ticketId, ...outcome };
  }
  return results;
}
