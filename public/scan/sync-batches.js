// How the door sends its offline queue to POST /v1/checkins/batch: the oldest scans first,
// in requests small enough to pass on a poor connection, so a backlog of any size syncs one
// request at a time and a failed request costs only that request's scans a resend.

/** Scans per request; the route takes up to 500. */
export const SCANS_PER_BATCH = 200;

/**
 * JSON bytes per request. The route takes 512 KiB; 200 scans of real tokens (up to about
 * 480 characters) with 64-character gate and device ids are about 160 KiB.
 */
export const BYTES_PER_BATCH = 384 * 1024;

/**
 * The next request of the queue: its oldest scans, all of one show (a door that changed its
 * show keeps scans of both), at most SCANS_PER_BATCH and BYTES_PER_BATCH. Those `scans.length`
 * scans leave the queue once the server has answered them. Null for an empty queue.
 */
export function nextBatch(queue, fallbackShowId) {
  const first = queue[0];
  if (!first) return null;
  const showId = first.show_id ?? fallbackShowId;
  const scans = [];
  let bytes = JSON.stringify({ show_id: showId, scans: [] }).length;
  for (const entry of queue) {
    if (scans.length === SCANS_PER_BATCH || (entry.show_id ?? fallbackShowId) !== showId) break;
    const { ticket_id: _ticket, show_id: _show, ...scan } = entry;
    const size = JSON.stringify(scan).length + 1;
    if (scans.length > 0 && bytes + size > BYTES_PER_BATCH) break;
    scans.push(scan);
    bytes += size;
  }
  return { showId, scans };
}
