import { aheadOf, type LineSamples } from "./queue-line.ts";
import { type Entry, isAtOrBefore } from "./queue-order.ts";

/** A queue's settings as the coordinator keeps them. */
export interface QueueSettings {
  admitPerMinute: number;
  /** Epoch ms: joins before it are shuffled, admission starts at it. */
  opensAt: number;
  passTtlSeconds: number;
  /** Shards joins are spread over, fixed when the queue is turned on. */
  shards: number;
  /** Bumped each time the queue is turned on: tickets of an earlier line are refused. */
  generation: number;
}

/**
 * What the coordinator tells Worker isolates (each caches it about a second): enough to
 * answer joins, polls and the lock gate without asking any object.
 */
export type QueueSnapshot =
  | { enabled: false; generation: number; at: number }
  | {
      enabled: true;
      at: number;
      settings: QueueSettings;
      /** The last admitted entry; null before the first admission. */
      cursor: Entry | null;
      /** The last entry admitted more than pass_ttl_seconds ago: its holders' turn is over. */
      expiredCursor: Entry | null;
      admitted: number;
      waiting: number;
      samples: LineSamples;
      /**
       * Per shard, the highest sequence number whose entry has an exact place here: it and
       * everyone who joined before it are in `waiting`, `admitted` and the samples. A newer
       * entry may still have joins on their way from other shards ahead of it.
       */
      knownUpTo: number[];
      /** Storage rows written since the objects started, for the benchmark. */
      rowsWritten: { shards: number; coordinator: number };
    };

export type EnabledSnapshot = Extract<QueueSnapshot, { enabled: true }>;

export type TicketStanding =
  | {
      state: "waiting";
      /** Null while the place is not known yet (positionKnown false). */
      position: number | null;
      ahead: number | null;
      positionKnown: boolean;
      estimatedWaitSeconds: number;
    }
  | { state: "admitted" }
  | { state: "expired" };

/**
 * Where a ticket's entry stands in the line the snapshot describes, at `now`. The place is
 * told only once it is exact (see knownUpTo), never a guess of 1; until then the estimated
 * wait counts those already known to be ahead, a lower bound.
 */
export function standingOf(entry: Entry, snapshot: EnabledSnapshot, now: number): TicketStanding {
  if (isAtOrBefore(entry, snapshot.expiredCursor)) return { state: "expired" };
  if (isAtOrBefore(entry, snapshot.cursor)) return { state: "admitted" };
  const { settings } = snapshot;
  const [, shard, seq] = entry;
  const positionKnown = seq <= (snapshot.knownUpTo[shard] ?? 0);
  const ahead = aheadOf(entry, snapshot.samples, snapshot.waiting);
  const untilOpening = Math.max(0, settings.opensAt - now);
  // Admission is spread evenly: one entry every 60/admit_per_minute seconds.
  const estimatedWaitSeconds = Math.ceil(
    untilOpening / 1000 + ((ahead + 1) * 60) / settings.admitPerMinute,
  );
  return {
    state: "waiting",
    position: positionKnown ? snapshot.admitted + ahead + 1 : null,
    ahead: positionKnown ? ahead : null,
    positionKnown,
    estimatedWaitSeconds,
  };
}
