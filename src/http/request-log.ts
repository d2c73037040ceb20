import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import { showIdOf } from "../contract/scoped-ids.ts";
import { logLine } from "../observability/log.ts";
import { type MetricKind, recordMetric } from "../observability/metrics.ts";
import type { AppEnv } from "./app-env.ts";

/**
 * One log line per request (`msg: "request"`), and a metric data point for the sales
 * routes. Runs first, so it sees the final status of every answer, errors included. Logs
 * ids, route patterns and codes only: never a body, a header or a token.
 *
 * The public reads a crowd polls (the seat map, its status, the layout) are logged one in
 * READ_SAMPLE when they succeed, as Workers Logs' head sampling would, each kept line
 * carrying `sample_rate` so counts can be scaled back: during a flash sale they are most of
 * the requests and of the logs' bytes, and each line says only "served". Every other
 * request is logged, and so is every such read that fails (4xx, 429, 5xx).
 */

/** The metric kind of a sales route, by `METHOD pattern`. */
const METRIC_KINDS: Record<string, MetricKind> = {
  "POST /v1/seats/lock": "lock",
  "POST /v1/bookings": "booking",
  "POST /v1/payments": "payment",
  "POST /v1/bookings/:booking_id/cancel": "refund",
};

/** Successful reads of these routes are sampled; every other line is kept. */
const SAMPLED_READS = new Set([
  "/v1/shows/:show_id/seats",
  "/v1/shows/:show_id/seats/status",
  "/v1/shows/:show_id/layout",
]);
/** One successful crowd read in this many is logged. */
export const READ_SAMPLE = 100;
/** Successful crowd reads this isolate has answered; the first is logged, then every 100th. */
let crowdReads = 0;

/** A successful read of a sampled route (never a write or a failure). */
function isCrowdRead(method: string, route: string | null, status: number): boolean {
  return method === "GET" && status < 400 && route !== null && SAMPLED_READS.has(route);
}

/** Whether this crowd read's line is the one in READ_SAMPLE that is kept. */
export function keepsCrowdRead(): boolean {
  return crowdReads++ % READ_SAMPLE === 0;
}

interface RequestLine {
  requestId: string;
  method: string;
  route: string | null;
  status: number;
  durationMs: number;
  user?: string | undefined;
  showId: string | undefined;
  code?: string | undefined;
  /** A kept line of a sampled crowd read. */
  sampled: boolean;
}

/** The request's line (also written by crowd-reads.ts for the reads it answers). */
export function logRequestLine(line: RequestLine): void {
  logLine(line.status >= 500 ? "error" : "info", "request", {
    request_id: line.requestId,
    method: line.method,
    route: line.route,
    status: line.status,
    duration_ms: line.durationMs,
    user: line.user,
    show_id: line.showId,
    code: line.code,
    sample_rate: line.sampled ? 1 / READ_SAMPLE : undefined,
  });
}

/** The show a request is about, from its path or its validated body, where it names one. */
function showOf(c: Context<AppEnv>): string | undefined {
  const params = c.req.param() as Record<string, string | undefined>;
  if (params.show_id) return params.show_id;
  if (params.lock_id) return showIdOf("lock", params.lock_id);
  if (params.booking_id) return showIdOf("booking", params.booking_id);
  // Validated bodies only: what failed validation is not trusted even as a label.
  const body = (c.req.valid as (target: "json") => unknown)("json") as
    | { show_id?: unknown; booking_id?: unknown }
    | undefined;
  if (typeof body?.show_id === "string") return body.show_id;
  if (typeof body?.booking_id === "string") return showIdOf("booking", body.booking_id);
  return undefined;
}

export function requestLog() {
  return createMiddleware<AppEnv>(async function requestLog(c, next) {
    const started = Date.now();
    await next();
    const durationMs = Date.now() - started;
    const pattern = routePath(c, -1);
    // Only middleware matched (a 404 or 405): there is no route to name.
    const route = pattern.endsWith("*") ? null : pattern;
    const status = c.res.status;
    const crowdRead = isCrowdRead(c.req.method, route, status);
    if (crowdRead && !keepsCrowdRead()) return;
    const code = c.get("errorCode");
    const showId = route ? showOf(c) : undefined;
    logRequestLine({
      requestId: c.get("requestId"),
      method: c.req.method,
      route,
      status,
      durationMs,
      user: c.get("principal")?.userId,
      showId,
      code,
      sampled: crowdRead,
    });
    const kind = route ? METRIC_KINDS[`${c.req.method} ${route}`] : undefined;
    if (kind && showId) {
      recordMetric(c.env.METRICS, {
        kind,
        showId,
        outcome: status < 400 ? "ok" : (code ?? String(status)),
        latencyMs: durationMs,
        status,
      });
    }
  });
}
