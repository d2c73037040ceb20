import type { ScanDirection } from "../../contract/show-views.ts";

/**
 * What decides re-entry, apart from storage: which of a ticket's scans count. A ticket
 * starts outside; taken in time order, a scan counts when it goes the other way from the
 * last one that counted (`in` while outside, `out` while inside). The first `in` that counts
 * is the ticket's check-in. Every scan is judged again whenever an earlier one becomes
 * known (an offline door syncing late), so the outcome depends on the scans, never on the
 * order they reached the server.
 */

/** A scan of one ticket as the object keeps it. Times are epoch milliseconds. */
export interface LoggedScan {
  /** Its row (0 for a scan not stored yet): the last tie-break, arrival order. */
  seq: number;
  ticketId: string;
  direction: ScanDirection;
  at: number;
  gate: string | null;
  deviceId: string | null;
  scanId: string | null;
  accepted: boolean;
}

/** Time order: the instant, then the device id (as check-ins break ties), then arrival. */
export function compareLogged(a: LoggedScan, b: LoggedScan): number {
  if (a.at !== b.at) return a.at - b.at;
  const byDevice = (a.deviceId ?? "").localeCompare(b.deviceId ?? "");
  if (byDevice !== 0) return byDevice;
  // A scan not stored yet (seq 0) arrived after every stored one.
  return (a.seq || Number.MAX_SAFE_INTEGER) - (b.seq || Number.MAX_SAFE_INTEGER);
}

/** The ticket's scans in time order, each with whether it counts, and where it ends up. */
export function replay(scans: readonly LoggedScan[]): {
  scans: LoggedScan[];
  inside: boolean;
  checkin: LoggedScan | undefined;
} {
  let inside = false;
  let checkin: LoggedScan | undefined;
  const judged = [...scans].sort(compareLogged).map((scan) => {
    const accepted = scan.direction === (inside ? "out" : "in");
    if (accepted) {
      inside = !inside;
      checkin ??= scan;
    }
    return { ...scan, accepted };
  });
  return { scans: judged, inside, checkin };
}

/** The last scan that counts before the one at `index` of replay()'s scans. */
export function lastAcceptedBefore(
  judged: readonly LoggedScan[],
  index: number,
): LoggedScan | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const scan = judged[i];
    if (scan?.accepted) return scan;
  }
  return undefined;
}
