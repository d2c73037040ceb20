import { createMiddleware } from "hono/factory";
import type { Decision } from "../limits/fixed-window.ts";
import {
  limitFor,
  RATE_LIMIT_WINDOW_MS,
  type RateLimitClass,
  rateLimitsEnabled,
} from "../limits/rate-limit-classes.ts";
import { refusedClients } from "../limits/refused-clients.ts";
import { ApiError } from "./api-error.ts";
import type { AppEnv } from "./app-env.ts";
import { clientKey } from "./authenticate.ts";

/**
 * The rate-limit headers of a decision: X-RateLimit-Limit, -Remaining and -Reset (epoch
 * seconds) and the IETF RateLimit-Policy / RateLimit fields (draft-ietf-httpapi-ratelimit-headers).
 */
function headersFor(
  limitClass: RateLimitClass,
  decision: Decision,
  now: number,
): Record<string, string> {
  const resetSeconds = Math.max(0, Math.ceil((decision.resetAt - now) / 1000));
  return {
    "X-RateLimit-Limit": String(decision.limit),
    "X-RateLimit-Remaining": String(decision.remaining),
    "X-RateLimit-Reset": String(Math.ceil(decision.resetAt / 1000)),
    "RateLimit-Policy": `"${limitClass}";q=${decision.limit};w=${RATE_LIMIT_WINDOW_MS / 1000}`,
    RateLimit: `"${limitClass}";r=${decision.remaining};t=${resetSeconds}`,
  };
}

/** The 429 for a refused request, with the decision's headers and Retry-After. */
function refusal(limitClass: RateLimitClass, decision: Decision, now: number): ApiError {
  const retryAfter = Math.max(1, Math.ceil((decision.resetAt - now) / 1000));
  return new ApiError(
    429,
    "RATE_LIMITED",
    `Rate limit exceeded: ${decision.limit} ${limitClass.replace("_", " ")} requests per minute; retry in ${retryAfter} s`,
    { class: limitClass, limit: decision.limit, retry_after: retryAfter },
    { ...headersFor(limitClass, decision, now), "Retry-After": String(retryAfter) },
  );
}

/**
 * Counts one request of `client` against its budget for `limitClass` in the client's own
 * limiter object: the headers to answer with, or the 429 to refuse it with. A client its
 * limiter has refused in this window is refused without asking it again
 * (refused-clients.ts: exact, since a window's refusals last to its end).
 */
export async function countRequest(
  env: Env,
  limitClass: RateLimitClass,
  client: string,
): Promise<Record<string, string> | ApiError> {
  const limit = limitFor(env, limitClass);
  const refused = refusedClients.refusal(client, limitClass, limit, Date.now());
  if (refused) return refusal(limitClass, refused, Date.now());
  const limiter = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(client));
  const decision = await limiter.take(limitClass, limit, RATE_LIMIT_WINDOW_MS);
  const now = Date.now();
  if (decision.allowed) return headersFor(limitClass, decision, now);
  refusedClients.remember(client, limitClass, decision);
  return refusal(limitClass, decision, now);
}

/**
 * Counts the request against the client's budget for `limitClass` before anything else is
 * done: past the limit, 429 and nothing happens.
 */
export function rateLimit(limitClass: RateLimitClass) {
  return createMiddleware<AppEnv>(async function rateLimit(c, next) {
    if (!rateLimitsEnabled(c.env)) return next();
    const counted = await countRequest(c.env, limitClass, await clientKey(c));
    if (counted instanceof ApiError) throw counted;
    for (const [name, value] of Object.entries(counted)) c.header(name, value);
    await next();
  });
}
