// Types of sync-batches.js, for the tests that drive the API the way the page does.

/** A scan in the door's offline queue (door-store.js). */
export interface QueuedScan {
  ticket_id: string;
  /** The door's show when it was scanned; queues written before it was kept lack it. */
  show_id?: string;
  token: string;
  scanned_at: string;
  device_id: string;
  gate?: string;
  /** On a show with re-entry: which way the holder went. */
  direction?: "in" | "out";
}

export type BatchScan = Omit<QueuedScan, "ticket_id" | "show_id">;

export const SCANS_PER_BATCH: number;
export const BYTES_PER_BATCH: number;

export function nextBatch(
  queue: readonly QueuedScan[],
  fallbackShowId: string,
): { showId: string; scans: BatchScan[] } | null;
