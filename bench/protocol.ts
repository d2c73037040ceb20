/**
 * What the orchestrator (run.ts) asks of the load process (load.ts) and what it gets back.
 * The load process takes one LoadTask as JSON in argv[2] and prints one LoadResult as JSON
 * on the last line of its stdout; anything else it says goes to stderr.
 */

import type { CrowdResult, CrowdTask } from "./crowd-protocol.ts";
import type { SparseHistogram } from "./histogram.ts";
import type { CpuUse } from "./proc.ts";

/** Closed-loop GETs of one path by a fixed number of keep-alive connections. */
export interface HttpTask {
  kind: "http";
  baseUrl: string;
  path: string;
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** workerd processes whose CPU time the measured window is charged with. */
  serverPids: number[];
}

/** A flash sale: buyers lock and book until the show is sold out, viewers watch live. */
export interface SaleTask {
  kind: "sale";
  baseUrl: string;
  /** Where the sale's viewers upgrade (the relay process's Worker); baseUrl if absent. */
  viewerBaseUrl?: string;
  showId: string;
  buyers: number;
  viewers: number;
  /** Seeds the buyers' choices, so runs are comparable. */
  seed: number;
  /** Hard stop for the whole sale, sold out or not. */
  deadlineMs: number;
  /** Quiet time after the last booking for the last broadcasts to reach every viewer. */
  settleMs: number;
  serverPids: number[];
  /** The relay process's workerd, metered apart; none when the relays share serverPids. */
  relayPids?: number[];
  /** Return the locks (seat ids, commit times) for a crowd of viewers in other processes. */
  reportLocks?: boolean;
}

/** One buyer, one request at a time: the show object's time per operation, unloaded. */
export interface SerialTask {
  kind: "serial";
  baseUrl: string;
  showId: string;
  /** Lock-and-book rounds, two seats each. */
  locks: number;
  serverPids: number[];
}

/**
 * A few buyers, each locking two seats of its own and releasing them at once, a fixed number
 * of times, while `viewers` WebSockets watch: the show object's lock latency on its own.
 */
export interface CyclesTask {
  kind: "cycles";
  baseUrl: string;
  showId: string;
  viewers: number;
  buyers: number;
  /** Measured lock+release cycles per buyer, after `warmupCycles` unmeasured ones. */
  cycles: number;
  warmupCycles: number;
  seatsPerLock: number;
  /** Hard stop for the measured cycles, done or not. */
  deadlineMs: number;
  /**
   * Print READY_LINE once the viewers are connected and wait for GO_LINE on stdin before
   * measuring, so a flood started in between covers exactly the measured window; then
   * STOP_LINE (or the end of stdin) ends the measured cycles early, when the flood was cut.
   */
  waitForGo: boolean;
  serverPids: number[];
}

/**
 * One client flooding the show's live feed on two sockets: one sends `resync` as fast as
 * backpressure allows, the other junk (unknown and oversized messages). Prints READY_LINE
 * once both sockets are open and flooding, stops on STOP_LINE or the end of stdin, or at
 * `maxMs`, `maxMessages` per socket or `guardBytes`, whichever comes first, and prints
 * ENDED_PREFIX with the reason as soon as it stops.
 */
export interface FloodTask {
  kind: "flood";
  baseUrl: string;
  showId: string;
  maxMs: number;
  maxMessages: number;
  /** No send while more than this many bytes wait in the socket's write buffer. */
  highWaterBytes: number;
  /** Size of the oversized junk messages. */
  junkBytes: number;
  /**
   * Stop, and reset both sockets, once workerd's resident memory has grown this much since
   * the flood began: a server that queues a snapshot per `resync` would otherwise take the
   * machine's memory (before the limit, one such flood took workerd past 20 GiB).
   */
  guardBytes: number;
  serverPids: number[];
}

export type LoadTask = HttpTask | SaleTask | SerialTask | CyclesTask | FloodTask | CrowdTask;

/** Lines on the load process's stdin/stdout that pace a phase run by two processes. */
export const READY_LINE = "ready";
export const GO_LINE = "go";
export const STOP_LINE = "stop";
/** The flooder's line when its flood ends, before its result: `ended:<endedBy>`. */
export const ENDED_PREFIX = "ended:";

/** Environment variable carrying the run's JWT secret to the load process. */
export const SECRET_ENV = "BENCH_JWT_SECRET";

export interface Latency {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface HttpResult {
  kind: "http";
  path: string;
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  /** Responses that were not 200, by status (or "network" for transport failures). */
  failures: Record<string, number>;
  latencyMs: Latency;
  bytesPerResponse: number;
  /** CPU the load process itself used during the measured window. */
  clientCpuMs: number;
  /** CPU the server's workerd processes (and the machine) used during the window. */
  server: CpuUse;
}

export interface SaleResult {
  kind: "sale";
  buyers: number;
  viewers: number;
  viewersConnected: number;
  /** Sale start (first request) to the last successful booking answer. */
  sellOutSeconds: number | null;
  soldOut: boolean;
  seatsSold: number;
  seatsTotal: number;
  /** Seats the buyers wanted in total (seeded, drawn before the sale). */
  seatsWanted: number;
  locksOk: number;
  lockAttempts: number;
  lockConflicts: number;
  bookingsOk: number;
  bookingAttempts: number;
  /** Answers that were neither success nor an expected conflict, by code. */
  unexpected: Record<string, number>;
  /** All lock and booking requests of the sale. */
  lockAndBookRequests: number;
  lockAndBookPerSecond: number;
  locksPerSecond: number;
  seatsPerSecond: number;
  lockAndBookLatencyMs: Latency;
  lockLatencyMs: Latency;
  bookLatencyMs: Latency;
  /** Lock answer at the buyer to the seats message at each viewer. */
  broadcastDelayMs: Latency;
  /**
   * The lock's commit (its `locked_at`, from the show object's clock on this machine) to the
   * seats message at each viewer: the fan-out alone, whatever the answer's own delay.
   */
  broadcastFromCommitMs: Latency;
  /** (lock, viewer) pairs where the viewer never got the message. */
  broadcastMissed: number;
  /** Viewers that saw a version gap and asked for a resync. */
  viewerGaps: number;
  /** WebSocket extensions agreed with the server ("" = none, so no per-message compression). */
  viewerExtensions: string;
  messagesPerViewer: number;
  /** Booking ids the buyers were told are confirmed, for the invariant checks. */
  confirmedBookingIds: string[];
  /** The measured window: buyers' start until the viewers have the last message. */
  windowSeconds: number;
  clientCpuMs: number;
  server: CpuUse;
  /** The relay process's CPU in the same window, when it was metered apart. */
  relayServer?: CpuUse;
  /** The show's version after the sale (the last message the viewers must get). */
  finalVersion: number;
  /** The lock commit → viewer delays as a histogram, to merge with a crowd's. */
  fromCommitHistogram?: SparseHistogram;
  /** With reportLocks: each successful lock's seat ids and commit time (epoch ms). */
  locks?: [string[], number][];
}

export interface SerialResult {
  kind: "serial";
  locks: number;
  bookings: number;
  seconds: number;
  requestsPerSecond: number;
  lockLatencyMs: Latency;
  bookLatencyMs: Latency;
  unexpected: Record<string, number>;
  clientCpuMs: number;
  server: CpuUse;
}

export interface CyclesResult {
  kind: "cycles";
  buyers: number;
  viewers: number;
  viewersConnected: number;
  /** Measured cycles completed (a lock answered 200 and its release answered). */
  cycles: number;
  seconds: number;
  cyclesPerSecond: number;
  lockLatencyMs: Latency;
  releaseLatencyMs: Latency;
  /** Answers other than 200, by request and status (or "network"). */
  failures: Record<string, number>;
  messagesPerViewer: number;
  viewerGaps: number;
  clientCpuMs: number;
  server: CpuUse;
}

/** What one flooding socket sent and got. */
export interface FloodSocket {
  connected: boolean;
  sent: number;
  bytesSent: number;
  /** Snapshots after the one every socket gets on connecting: the answers to the flood. */
  snapshots: number;
  /** Other messages (the feed's `seats` changes). */
  otherMessages: number;
  bytesReceived: number;
  /** The server's close code, null if the socket stayed open until the flooder stopped. */
  closeCode: number | null;
  closeReason: string;
  /** From the start of the flood to the close. */
  closedAfterMs: number | null;
}

export interface FloodResult {
  kind: "flood";
  /** From the start of the flood to its stop. */
  seconds: number;
  /**
   * Why it stopped: run.ts said so (the measured cycles were done), or on its own: its time
   * or message bound, or the server closed both sockets. Only "stop" means the flood
   * covered the whole measured window.
   */
  endedBy: "stop" | "time" | "count" | "closed" | "memory guard";
  /** Most workerd's resident memory grew over its size when the flood began. */
  serverGrowthMiB: number;
  resync: FloodSocket;
  junk: FloodSocket;
  clientCpuMs: number;
  server: CpuUse;
}

export type LoadResult =
  | HttpResult
  | SaleResult
  | SerialResult
  | CyclesResult
  | FloodResult
  | CrowdResult;
