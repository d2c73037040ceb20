/**
 * The areas of the profile's table: which part of the request path a CPU sample of the
 * Worker's isolate belongs to, from the bundle module of each frame on its stack. A sample
 * goes to the nearest frame (leaf first) that names an area; frames of shared machinery
 * (Hono, drizzle's builders, V8 builtins and runtime functions without a module) pass it on
 * to their caller, so `c.req.header()` inside authentication counts as authentication.
 * Calls into the object's SQLite (`sql.exec()` and its cursors, `transactionSync`) and JSON
 * builtins are areas of their own whoever calls them.
 */
import type { CallFrame } from "./cpu-profile.ts";

/** Runtime functions that are the show object's SQLite: the work happens inside them. */
const SQLITE_CALLS = new Set([
  "exec",
  "toArray",
  "one",
  "raw",
  "next",
  "transactionSync",
  "databaseSize",
]);

const JSON_CALLS = new Set(["stringify", "parse", "JSONStringify", "JSONParse"]);

/** Module path patterns → area, first match wins; undefined = pass to the caller. */
const AREAS: [RegExp, string | undefined][] = [
  [/^src\/auth\/|^src\/http\/authenticate\.ts|^node_modules\/jose\//, "JWT (verify, principal)"],
  [
    /^src\/http\/validation\.ts|-schemas\.ts$|^node_modules\/zod\/|^node_modules\/@hono\/zod-/,
    "validation (zod, JSON guard)",
  ],
  [/^src\/http\/(idempotency|show-response)\.ts/, "idempotency (hash, KV read/keep)"],
  [/^src\/http\/rate-limit\.ts|^src\/limits\//, "rate limiter"],
  [/^src\/http\/request-log\.ts|^src\/observability\//, "request log, metrics"],
  [/^src\/queue\//, "queue gate"],
  [/^src\/show-client\//, "show stub, known shows, seat-map cache"],
  [/^src\/show\/(d1-outbox|lock-records|booking-records)\.ts/, "show: D1 outbox (queue, send)"],
  [
    /^src\/show\/(show-storage|booking-storage|operation-log|hold-storage|checkin-storage)\.ts/,
    "show: storage code (SQLite wrappers)",
  ],
  [/^src\/show\/(relay-feed|change-coalescer)\.ts|^src\/live\//, "show: live feed (publish)"],
  [/^src\/webhooks\//, "show: webhook outbox"],
  [/^src\/show\/keyed-request\.ts/, "show: idempotency (operation log)"],
  [/^src\/show\/|^src\/bookings\/|^src\/catalog\//, "show: logic (locks, bookings, views)"],
  [/^src\/payments\/(payment-simulator|card-checks)\.ts/, "payment simulator (object)"],
  [/^src\/payments\//, "payment gateway client"],
  [/^src\/relay\//, "relays"],
  [/^src\/(routes|openapi)\/|^src\/app\.ts|^src\/http\//, "routing, middleware, responses"],
  [/^src\/lib\/|^node_modules\/(hono|drizzle-orm)\//, undefined],
];

/** The area of a sample of the Worker's isolate; `moduleAt` maps a frame to its module. */
export function workerArea(stack: CallFrame[], moduleAt: (frame: CallFrame) => string): string {
  const leaf = stack[0];
  if (!leaf) return "runtime";
  if (leaf.functionName === "(garbage collector)") return "GC";
  if (leaf.url === "" && SQLITE_CALLS.has(leaf.functionName))
    return "SQLite calls (object storage)";
  if (leaf.url === "" && JSON_CALLS.has(leaf.functionName)) return "JSON parse/stringify";
  let fallback: string | undefined;
  for (const frame of stack) {
    if (frame.url === "") continue;
    const module = moduleAt(frame);
    const match = AREAS.find(([pattern]) => pattern.test(module));
    if (match?.[1]) return match[1];
    if (!fallback && module.startsWith("node_modules/hono"))
      fallback = "routing, middleware, responses";
  }
  return fallback ?? "other JS (runtime glue, libraries)";
}

/** The table's label of a whole isolate that is not the Worker's. */
export function isolateArea(targetId: string): string {
  if (targetId.startsWith("d1:")) return "D1 (Miniflare's D1 worker)";
  if (targetId.startsWith("kv:")) return "KV (Miniflare's KV worker)";
  if (targetId === "core:user:dev-registry-proxy")
    return "dev-registry proxy (calls to another process)";
  return `isolate ${targetId}`;
}
