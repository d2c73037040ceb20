/**
 * The viewer crowd's task and result (bench/viewer-crowd.ts), and what run.ts sends it
 * after the sale. Part of the load processes' protocol (bench/protocol.ts).
 */
import type { SparseHistogram } from "./histogram.ts";

/** `viewers` compact-feed sockets on one show, opened `batch` at a time. */
export interface CrowdTask {
  kind: "crowd";
  /** The Worker the viewers upgrade through. */
  baseUrl: string;
  showId: string;
  viewers: number;
  batch: number;
  /** Per viewer, for its first message. */
  timeoutMs: number;
}

/** One line on the crowd's stdin after the sale: its locks and last version. */
export interface SaleLocks {
  /** The show's version after the sale's last change: every viewer must reach it. */
  version: number;
  settleMs: number;
  /** Each successful lock: its seat ids and its commit time (`locked_at`, epoch ms). */
  locks: [string[], number][];
  /**
   * Per seat index, when its taking first reached a relay (epoch ms, the relay process's
   * clock, this machine's): splits each delay at the relay. Absent: no split.
   */
  relayTakenAt?: Record<string, number>;
}

export interface CrowdResult {
  kind: "crowd";
  viewers: number;
  connected: number;
  failedToConnect: number;
  connectSeconds: number;
  /** Every viewer reached the sale's last version within the settle time. */
  caughtUp: boolean;
  /** Messages all viewers received, first snapshots included. */
  messages: number;
  /** Messages whose from_version was not the viewer's last version. */
  gaps: number;
  /** (lock, viewer) pairs the viewer never heard of. */
  missed: number;
  /** Lock commit to each viewer's first hearing of it, every pair. */
  fromCommit: SparseHistogram;
  /** With relayTakenAt, the same pairs split: commit → relay, and relay → viewer. */
  toRelay?: SparseHistogram;
  fromRelay?: SparseHistogram;
  /** CPU from ready until every viewer caught up (not the tally after it). */
  clientCpuMs: number;
  /**
   * How late this process's event loop ran its callbacks meanwhile (p99, max): a message
   * stamped on receipt is stamped that much late when the crowd's own thread is behind.
   */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}
