/**
 * The waiting-room benchmark's task (orchestrator → load process) and result (back).
 * Kept apart from protocol.ts: the queue run has its own process and report.
 */
import type { CpuUse } from "./proc.ts";
import type { Latency } from "./protocol.ts";

export interface QueueTask {
  baseUrl: string;
  showId: string;
  /** Turns the queue on and sets its opening once the crowd has joined. */
  adminToken: string;
  admitPerMinute: number;
  /** Users that join before the opening (shuffled), and after it (first come, first served). */
  users: number;
  lateUsers: number;
  /** Users that first try to lock without a pass (each must get 403 QUEUE_REQUIRED). */
  impatient: number;
  connections: number;
  /** Closed-loop polling by every connection before the opening: the status route's capacity. */
  pollCapacityMs: number;
  /** After the opening a waiting user polls again after half its estimated wait, within these. */
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
  clientCores: number;
}

export interface QueueResult {
  joins: Throughput;
  /** Every connection polling as fast as answers come, before the opening. */
  pollCapacity: Throughput;
  /** Polls on each user's own schedule while the line is admitted and the sale runs. */
  polls: Throughput & { perUser: number };
  lateJoins: Throughput;
  /** Epoch ms of the opening the load process set. */
  opensAt: number;
  admitted: number;
  /** Users seen admitted more than once (a second place for one user): must be 0. */
  admittedTwice: number;
  /** Pre-opening users admitted in their join order, of `users` (about 1 in `users` by chance). */
  preOpeningInJoinOrder: number;
  /** Late joiners placed ahead of a join answered before theirs was sent: must be 0. */
  lateOutOfOrder: number;
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
  clientCpuMs: number;
}
