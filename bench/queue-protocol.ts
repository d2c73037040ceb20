/**
 * The waiting-room benchmark's task (orchestrator → load process) and result (back).
 * Kept apart from protocol.ts: the queue run has its own process and report.
 */
import type { CpuUse } from "./proc.ts";
import type { Latency } from "./protocol.ts";

export interface QueueTask {
  baseUrl: string;
  showId: string;
  users: number;
  /** Users that first try to lock without a pass (each must get 403 QUEUE_REQUIRED). */
  impatient: number;
  connections: number;
  /** A waiting user polls again after half its estimated wait, within these bounds. */
  pollMinMs: number;
  pollMaxMs: number;
  deadlineMs: number;
  serverPids: number[];
}

export interface Throughput {
  count: number;
  seconds: number;
  perSecond: number;
  latencyMs: Latency;
  /** Answers that were not 200, by status (or "network"). */
  failures: Record<string, number>;
  server: CpuUse;
}

export interface QueueResult {
  joins: Throughput;
  polls: Throughput & { perUser: number };
  /** Users whose join answer already had them admitted or waiting before the opening. */
  joinedBeforeOpening: number;
  admitted: number;
  /** Users seen admitted more than once (a second place for one user): must be 0. */
  admittedTwice: number;
  impatient: { tried: number; refused: number; answers: Record<string, number> };
  sale: {
    lockAttempts: number;
    locksOk: number;
    /** Lock answers saying the seats were gone (SEATS_UNAVAILABLE, SEATS_ALREADY_LOCKED). */
    conflicts: number;
    booked: number;
    /** Lock answers from the show object (not 403 from the gate) to users never admitted. */
    answersToUnadmitted: number;
    /** Distinct users whose locks reached the show object. */
    usersReachingShow: number;
    unexpected: Record<string, number>;
    lockLatencyMs: Latency;
    bookLatencyMs: Latency;
  };
  /** Seconds from the first join to the last user admitted. */
  seconds: number;
  clientCpuMs: number;
}
