import { newId } from "../lib/ids.ts";
import { addressKey } from "../limits/client-address.ts";
import { rateLimitsEnabled } from "../limits/rate-limit-classes.ts";
import { freshSeatMap, type ReadKind } from "../show-client/seat-map-cache.ts";
import { countRequest } from "./rate-limit.ts";
import { keepsCrowdRead, logRequestLine } from "./request-log.ts";
import { etagOf, knownVersion } from "./version-etag.ts";

/**
 * The seat map and its status answered from this isolate's cache without the app's
 * routing and middleware, when the answer is already known: during a flash sale they are
 * most requests, and each would otherwise go through the request id, log, security and
 * CORS middleware, the router and the route's validators to send the bytes it sent a moment
 * ago (issue 29).
 *
 * Only a plain read takes this path: GET of `/v1/shows/{id}/seats` or `.../seats/status`
 * with no query, no body, no Origin (CORS answers differ by it), no Authorization (the
 * app verifies tokens) and no X-Request-Id of the client's own, whose show has a fresh
 * cached answer (so the id was validated when the app cached it). Anything else, a refused
 * rate limit included, goes through the app as before.
 *
 * The answer is the app's own: the same body bytes, status and ETag rules (version-etag.ts),
 * a new request id, the rate limit counted the same way (rate-limit.ts), the request's log
 * line sampled as the app samples it (request-log.ts), and every other header copied from
 * the app's answer to the same kind of read in this isolate, which the path waits for: a
 * header the middleware adds or changes reaches it with the next deploy, nothing to keep in
 * step by hand.
 */

export interface CrowdRead {
  showId: string;
  kind: ReadKind;
  route: string;
  /** The version the client has, from If-None-Match. */
  known: number | undefined;
  /** CF-Connecting-IP: who the client is for its rate limit (it sends no token). */
  address: string | undefined;
}

const PATH = /^\/v1\/shows\/([^/]{1,64})\/seats(\/status)?$/;
/** Headers each answer sets for itself; the others are learned from the app's answers. */
const OWN_HEADERS = new Set([
  "x-request-id",
  "etag",
  "content-length",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
  "ratelimit",
  "ratelimit-policy",
]);
/** What a request may carry and still take this path (any other header is ignored by the app). */
const DISQUALIFYING = [
  "origin",
  "authorization",
  "x-request-id",
  "content-length",
  "transfer-encoding",
];

/**
 * The app's other headers on its answers, by kind and status, learned once per isolate. Kept
 * as Headers: a copy of one is made in the runtime, far cheaper than from a list of pairs.
 */
const learned = new Map<string, Headers>();
const keyOf = (kind: ReadKind, status: number) => `${kind}|${status}`;

/** The read this request is, if it is a plain one (see above). */
export function crowdRead(request: Request): CrowdRead | undefined {
  // Every request comes through here: the cheap checks first, so others pay next to nothing.
  const href = request.url;
  if (request.method !== "GET" || !(href.endsWith("/seats") || href.endsWith("/seats/status"))) {
    return undefined;
  }
  // The path after the origin; a query leaves the read to the app (it ends in neither then
  // but for `?x=/seats`). What the match takes for an id is only used if it is a cached one.
  const path = href.slice(href.indexOf("/", href.indexOf("//") + 2));
  const match = href.includes("?") ? null : PATH.exec(path);
  const showId = match?.[1];
  if (!match || !showId) return undefined;
  const { headers } = request;
  if (DISQUALIFYING.some((name) => headers.has(name))) return undefined;
  const ifNoneMatch = headers.get("If-None-Match");
  if (ifNoneMatch !== null && ifNoneMatch.length > 256) return undefined;
  const kind: ReadKind = match[2] ? "status" : "map";
  const route = kind === "status" ? "/v1/shows/:show_id/seats/status" : "/v1/shows/:show_id/seats";
  return {
    showId,
    kind,
    route,
    known: knownVersion(ifNoneMatch ?? undefined),
    address: headers.get("CF-Connecting-IP") ?? undefined,
  };
}

/** The answer from the cache, or undefined for the app to answer. */
export async function answerFromCache(read: CrowdRead, env: Env): Promise<Response | undefined> {
  const entry = freshSeatMap(read.showId, Date.now(), read.kind);
  if (!entry) return undefined;
  const status = read.known === entry.version ? 304 : 200;
  const others = learned.get(keyOf(read.kind, status));
  if (!others) return undefined;
  const headers = new Headers(others);
  if (rateLimitsEnabled(env)) {
    // Refused: the app answers, from the refusal this count remembered (no second count). A
    // limiter that failed: the app asks it again and answers its failure as it answers any.
    const counted = await countRequest(env, "seat_map", addressKey(read.address)).catch(
      () => undefined,
    );
    if (counted === undefined || counted instanceof Error) return undefined;
    for (const [name, value] of Object.entries(counted)) headers.set(name, value);
  }
  const requestId = newId("req");
  headers.set("X-Request-Id", requestId);
  headers.set("ETag", etagOf(entry.version));
  if (keepsCrowdRead()) {
    const { route, showId } = read;
    logRequestLine({
      requestId,
      method: "GET",
      route,
      status,
      durationMs: 0,
      showId,
      sampled: true,
    });
  }
  return new Response(status === 304 ? null : entry.body, { status, headers });
}

/** Learns the app's other headers from its answer to a plain read, once per kind and status. */
export function learnFrom(read: CrowdRead, response: Response): void {
  if (response.status !== 200 && response.status !== 304) return;
  const key = keyOf(read.kind, response.status);
  if (learned.has(key)) return;
  learned.set(
    key,
    new Headers([...response.headers].filter(([name]) => !OWN_HEADERS.has(name.toLowerCase()))),
  );
}
