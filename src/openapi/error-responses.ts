import type { RateLimitClass } from "../limits/rate-limit-classes.ts";
import { errorEnvelopeSchema } from "./response-schemas.ts";

/**
 * The error answers a route can give, each the error envelope of docs/api.md, and the
 * rate-limit headers: shared by every route declaration (api-route.ts).
 */

export type ErrorStatus =
  | 400
  | 401
  | 403
  | 404
  | 405
  | 409
  | 413
  | 415
  | 422
  | 426
  | 429
  | 500
  | 503;

const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: "INVALID_INPUT (details.field, details.reason), SEATS_UNAVAILABLE, SEATS_ALREADY_LOCKED, LOCK_EXPIRED or SHOW_CLOSED",
  401: "UNAUTHENTICATED: no token, or a malformed, expired or wrongly signed one",
  403: "FORBIDDEN: the token's role or subject may not do this; on a show whose waiting room is on, QUEUE_REQUIRED (no X-Queue-Pass) or QUEUE_PASS_INVALID (expired, forged or another user's pass; a turn that passed), with details.join_url",
  404: "NOT_FOUND: no such resource (or not yours)",
  405: "METHOD_NOT_ALLOWED; the Allow header lists the methods",
  409: "BOOKING_EXISTS (details.booking_id), REQUEST_IN_PROGRESS, SHOW_CANCELLED (also a payment that went through after the show was cancelled: refunded), WEBHOOK_LIMIT_REACHED or QUEUE_ALREADY_ADMITTING, as the route says",
  413: "PAYLOAD_TOO_LARGE: bodies are limited to 64 KiB (512 KiB for POST /v1/checkins/batch)",
  415: "UNSUPPORTED_MEDIA_TYPE: the body must be application/json",
  422: "PAYMENT_FAILED (details.reason) or IDEMPOTENCY_KEY_REUSED",
  426: "UPGRADE_REQUIRED: this endpoint speaks WebSocket only",
  429: "RATE_LIMITED; Retry-After says when to try again",
  500: "INTERNAL: unexpected; the request id finds the log line",
  503: "VIEWERS_LIMIT_REACHED: the show has as many live viewers as it takes; Retry-After",
};

const RATE_LIMIT_HEADER_NAMES = [
  "X-RateLimit-Limit",
  "X-RateLimit-Remaining",
  "X-RateLimit-Reset",
  "RateLimit",
  "RateLimit-Policy",
] as const;

/** The header components every rate-limited answer refers to. */
export const HEADER_COMPONENTS = {
  "X-RateLimit-Limit": {
    description: "Requests allowed in the window",
    schema: { type: "integer" },
  },
  "X-RateLimit-Remaining": {
    description: "Requests left in the window",
    schema: { type: "integer" },
  },
  "X-RateLimit-Reset": {
    description: "End of the window, epoch seconds",
    schema: { type: "integer" },
  },
  RateLimit: {
    description: 'IETF: `"<class>";r=<remaining>;t=<seconds to reset>`',
    schema: { type: "string" },
  },
  "RateLimit-Policy": {
    description: 'IETF: `"<class>";q=<limit>;w=60`',
    schema: { type: "string" },
  },
  "Retry-After": { description: "Seconds until the window resets", schema: { type: "integer" } },
} as const;

const ref = (name: keyof typeof HEADER_COMPONENTS) => ({ $ref: `#/components/headers/${name}` });

/** Headers of an answer that went through the rate limiter. */
export const RATE_LIMIT_HEADERS = Object.fromEntries(
  RATE_LIMIT_HEADER_NAMES.map((name) => [name, ref(name)]),
);

export function errorResponse(status: ErrorStatus) {
  return {
    description: ERROR_DESCRIPTIONS[status],
    ...(status === 429
      ? { headers: { ...RATE_LIMIT_HEADERS, "Retry-After": ref("Retry-After") } }
      : {}),
    content: { "application/json": { schema: errorEnvelopeSchema } },
  };
}

interface RouteShape {
  access: string;
  rateLimit?: RateLimitClass;
  idempotencyKey?: string;
  errors?: readonly ErrorStatus[];
  request?: { params?: unknown; query?: unknown; body?: unknown };
}

/** Every error status a route can answer: its own, and those its policy and request imply. */
export function errorStatusesOf(route: RouteShape): ErrorStatus[] {
  const statuses = new Set<ErrorStatus>(route.errors ?? []);
  const { request } = route;
  if (request?.params || request?.query || request?.body) statuses.add(400);
  if (request?.body) for (const status of [413, 415] as const) statuses.add(status);
  if (route.access !== "public") statuses.add(401);
  // Every access but "public" and the one open to every role refuses some role.
  if (
    route.access !== "public" &&
    route.access !== "owner, scanner, organizer (own organization) or admin"
  ) {
    statuses.add(403);
  }
  // Another organization's resource is 404, as an unknown id.
  if (route.access.includes("(own organization)") && request?.params) statuses.add(404);
  if (route.rateLimit) statuses.add(429);
  // A missing or malformed key (400), a request with it still running (409), the key
  // reused with another body (422).
  if (route.idempotencyKey) for (const status of [400, 409, 422] as const) statuses.add(status);
  // Every route: a method it does not have (405), the unexpected (500).
  statuses.add(405);
  statuses.add(500);
  return [...statuses].sort((a, b) => a - b);
}
