import type { LogFields } from "../../observability/log.ts";
import { RETRY_MS } from "../show-schedule.ts";
import type { ShowState } from "../show-state.ts";

/**
 * What the show's three kinds of refund (a cancelled booking's, a late payment's, a resold
 * seat's to its seller) share when the provider does not confirm one: the next try, with
 * backoff, stored with the refund, the alarm armed for it, and a line that grows louder
 * with the failures. Each kind keeps its own table and key; this is only the retry.
 */

/** The longest wait between two tries of a refund the provider did not confirm. */
export const MAX_REFUND_RETRY_MS = 5 * 60_000;

/** Wait before the next refund try after `failures` failed ones: doubling, capped. */
export function refundRetryDelay(failures: number): number {
  return Math.min(RETRY_MS * 2 ** Math.max(0, failures - 1), MAX_REFUND_RETRY_MS);
}

/** A refund try that failed, as its kind reports it. */
export interface FailedRefundTry {
  /** Failed tries so far, this one included. */
  failures: number;
  /** Stores when the next try is due, with the refund (run in a transaction). */
  retried: (nextTryAt: number) => void;
  /** The log line's message. */
  msg: string;
  fields: LogFields;
  error: unknown;
  /** When the try began (epoch ms), for the metric point. */
  startedAt: number;
}

/** Schedules the next try of a refund whose try failed. */
export function refundTryFailed(show: ShowState, failed: FailedRefundTry): void {
  const nextTryAt = Date.now() + refundRetryDelay(failed.failures);
  show.transaction(() => failed.retried(nextTryAt));
  void show.armAlarm(nextTryAt);
  // Past a few tries the provider is not just blinking: someone should look.
  show.log.write(failed.failures >= 3 ? "error" : "warn", failed.msg, {
    ...failed.fields,
    failures: failed.failures,
    next_try_at: new Date(nextTryAt).toISOString(),
    message: failed.error instanceof Error ? failed.error.message : String(failed.error),
  });
  show.log.metric("refund", "retrying", Date.now() - failed.startedAt);
}

/** The earliest of the refunds' next tries, if any waits (for the alarm). */
export function earliestTry(refunds: readonly { nextTryAt: number }[]): number | undefined {
  return refunds.length > 0 ? Math.min(...refunds.map((refund) => refund.nextTryAt)) : undefined;
}
