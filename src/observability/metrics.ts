/**
 * Sales metrics through Workers Analytics Engine (binding METRICS; Miniflare provides one
 * locally). One data point per lock, booking, payment and refund, laid out as:
 *   index1  show id (sampling key, so one show's points are kept together)
 *   blob1   kind: lock | booking | payment | refund
 *   blob2   outcome: ok, or the error code (SEATS_UNAVAILABLE, PAYMENT_FAILED, ...), or
 *           for refunds done | retrying
 *   blob3   show id
 *   double1 latency in ms
 *   double2 HTTP status (0 where there is none, e.g. a refund retried by the alarm)
 * See docs/operations.md for the SQL an operator runs on them.
 */

export type MetricKind = "lock" | "booking" | "payment" | "refund";

export interface MetricPoint {
  kind: MetricKind;
  showId: string;
  outcome: string;
  latencyMs: number;
  status?: number;
}

export function recordMetric(
  dataset: AnalyticsEngineDataset | undefined,
  point: MetricPoint,
): void {
  // Optional by design: a deployment without the binding still sells tickets.
  dataset?.writeDataPoint({
    indexes: [point.showId],
    blobs: [point.kind, point.outcome, point.showId],
    doubles: [point.latencyMs, point.status ?? 0],
  });
}
