/**
 * What the orchestrator (run.ts) asks of the load process (load.ts) and what it gets back.
 * The load process takes one LoadTask as JSON in argv[2] and prints one LoadResult as JSON
 * on the last line of its stdout; anything else it says goes to stderr.
 */

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

export type LoadTask = HttpTask | SaleTask | SerialTask;

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

export type LoadResult = HttpResult | SaleResult | SerialResult;
