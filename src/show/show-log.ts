import { type LogFields, type LogLevel, logLine } from "../observability/log.ts";
import { type MetricKind, recordMetric } from "../observability/metrics.ts";

/**
 * A show object's events: money and state changes as one JSON log line each, tagged with
 * the show, and the refunds the object settles on its own as metric points. Only ids,
 * statuses, amounts and card brand/last4 are ever passed in.
 */
export class ShowLog {
  constructor(
    private readonly showId: string,
    private readonly metrics: AnalyticsEngineDataset | undefined,
  ) {}

  write(level: LogLevel, msg: string, fields: LogFields = {}): void {
    logLine(level, msg, { show_id: this.showId, ...fields });
  }

  metric(kind: MetricKind, outcome: string, latencyMs: number): void {
    recordMetric(this.metrics, { kind, showId: this.showId, outcome, latencyMs });
  }
}
