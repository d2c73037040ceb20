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
  clientCpuMs: number;
}
