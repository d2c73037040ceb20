import { coordinatorStub } from "./queue-coordinator.ts";
import type { QueueSnapshot } from "./queue-snapshot.ts";

/**
 * The per-isolate cache of queue snapshots: each isolate asks a show's coordinator at most
 * about once a second (and one request at a time), however many joins, polls and locks it
 * serves, so the coordinator's load grows with isolates, not with the crowd.
 */

const FRESH_MS = 1_000;
/** Shows kept; the oldest read leaves first. */
const MAX_SHOWS = 10_000;

interface Cached {
  at: number;
  snapshot: Promise<QueueSnapshot>;
}

const cache = new Map<string, Cached>();

export function queueSnapshot(env: Env, showId: string): Promise<QueueSnapshot> {
  const now = Date.now();
  const cached = cache.get(showId);
  if (cached && now - cached.at < FRESH_MS) return cached.snapshot;
  const snapshot = coordinatorStub(env, showId).snapshot();
  const entry = { at: now, snapshot };
  cache.delete(showId);
  cache.set(showId, entry);
  if (cache.size > MAX_SHOWS) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  // A failed read is not kept: the next request asks again.
  snapshot.catch(() => {
    if (cache.get(showId) === entry) cache.delete(showId);
  });
  return snapshot;
}

/** Keeps a snapshot the coordinator just answered (after a change through this isolate). */
export function rememberQueueSnapshot(showId: string, snapshot: QueueSnapshot): void {
  cache.delete(showId);
  cache.set(showId, { at: Date.now(), snapshot: Promise.resolve(snapshot) });
}

/** Drops a show's snapshot, so the next request asks the coordinator. */
export function forgetQueueSnapshot(showId: string): void {
  cache.delete(showId);
}
