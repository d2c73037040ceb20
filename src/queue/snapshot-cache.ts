import { coordinatorStub } from "./queue-coordinator.ts";
import type { QueueSnapshot } from "./queue-snapshot.ts";

/**
 * The per-isolate cache of queue snapshots: each isolate asks a show's coordinator at most
 * about once a second (and one request at a time), however many joins, polls and locks it
 * serves, so the coordinator's load grows with isolates, not with the crowd. A snapshot up
 * to STALE_MS old is answered at once while a fresh one is asked for, so a coordinator
 * that is slow for a moment does not hold up every request behind it.
 */

const FRESH_MS = 1_000;
const STALE_MS = 5_000;
/** Shows kept; the oldest read leaves first. */
const MAX_SHOWS = 10_000;

interface Cached {
  /** When it was asked for. */
  at: number;
  snapshot: Promise<QueueSnapshot>;
  /** The snapshot once it arrived, to answer with while a newer one is on its way. */
  settled?: QueueSnapshot;
  /** A newer one is on its way. */
  refreshing?: boolean;
}

const cache = new Map<string, Cached>();

export function queueSnapshot(env: Env, showId: string): Promise<QueueSnapshot> {
  const now = Date.now();
  const cached = cache.get(showId);
  if (cached && now - cached.at < FRESH_MS) return cached.snapshot;
  if (cached?.settled && now - cached.at < STALE_MS) {
    if (!cached.refreshing) {
      cached.refreshing = true;
      ask(env, showId, now).catch(() => {
        cached.refreshing = false;
      });
    }
    return Promise.resolve(cached.settled);
  }
  return ask(env, showId, now);
}

function ask(env: Env, showId: string, now: number): Promise<QueueSnapshot> {
  const snapshot = coordinatorStub(env, showId).snapshot();
  const entry: Cached = { at: now, snapshot };
  const previous = cache.get(showId);
  // The previous one answers until this one arrives.
  if (!previous?.settled) store(showId, entry);
  snapshot.then(
    (settled) => {
      entry.settled = settled;
      store(showId, entry);
    },
    () => {
      // A failed read is not kept: the next request asks again.
      if (cache.get(showId) === entry) cache.delete(showId);
    },
  );
  return snapshot;
}

function store(showId: string, entry: Cached): void {
  cache.delete(showId);
  cache.set(showId, entry);
  if (cache.size > MAX_SHOWS) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
}

/** Keeps a snapshot the coordinator just answered (after a change through this isolate). */
export function rememberQueueSnapshot(showId: string, snapshot: QueueSnapshot): void {
  cache.delete(showId);
  store(showId, { at: Date.now(), snapshot: Promise.resolve(snapshot), settled: snapshot });
}

/** Drops a show's snapshot, so the next request asks the coordinator. */
export function forgetQueueSnapshot(showId: string): void {
  cache.delete(showId);
}
