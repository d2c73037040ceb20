import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type ErrorCode, errorEnvelope, failure } from "../contract/api-failure.ts";
import { logLine } from "../observability/log.ts";
import { ApiError } from "./api-error.ts";
import type { AppEnv } from "./app-env.ts";

/**
 * The code a bare HTTPException (thrown by hono's own middleware) with a 4xx status maps
 * to: the code of that status where one exists, else INVALID_INPUT, the code of a request
 * refused as sent. INTERNAL is only ever a 5xx: a client error is never reported as ours.
 */
function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "FORBIDDEN";
    case 404:
      return "NOT_FOUND";
    case 405:
      return "METHOD_NOT_ALLOWED";
    case 413:
      return "PAYLOAD_TOO_LARGE";
    case 415:
      return "UNSUPPORTED_MEDIA_TYPE";
    case 426:
      return "UPGRADE_REQUIRED";
    case 429:
      return "RATE_LIMITED";
    default:
      // 400 (hono's JSON parser), 409, 422 and any other 4xx without a code of its own.
      return "INVALID_INPUT";
  }
}

function requestIdOf(c: Context<AppEnv>): string {
  return c.get("requestId") ?? "req_unknown";
}

/** The single error path (app.onError): every failure leaves as the envelope. */
export function handleError(err: Error, c: Context<AppEnv>): Response {
  const requestId = requestIdOf(c);
  if (err instanceof ApiError) {
    c.set("errorCode", err.code);
    return c.json(err.toEnvelope(requestId), err.status, err.headers);
  }
  if (err instanceof HTTPException && err.status < 500) {
    const status = err.status as ContentfulStatusCode;
    const code = codeForStatus(status);
    c.set("errorCode", code);
    // A bare exception says nothing beyond its message, so its details are `{}`, except a
    // 400 (hono's JSON parser), which names the body as INVALID_INPUT always names a field.
    const details = status === 400 ? { field: "body", reason: err.message } : {};
    return c.json(errorEnvelope(failure(status, code, err.message, details), requestId), status);
  }
  // Unexpected: log for operators (name and message only; request bodies never reach logs),
  // answer without internals.
  logLine("error", "unexpected error", {
    request_id: requestId,
    error: err.name,
    message: err.message,
  });
  c.set("errorCode", "INTERNAL");
  return c.json(
    errorEnvelope(failure(500, "INTERNAL", "An unexpected error occurred"), requestId),
    500,
  );
}

/** app.notFound: an unknown route. */
export function handleNotFound(c: Context<AppEnv>): Response {
  const notFound = failure(404, "NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`);
  c.set("errorCode", notFound.code);
  return c.json(errorEnvelope(notFound, requestIdOf(c)), 404);
}

/** methodNotAllowed's responder: a known path asked with a method it does not serve. */
export function handleMethodNotAllowed(c: Context<AppEnv>, allowed: string[]): Response {
  const allow = allowed.join(", ");
  const notAllowed = failure(
    405,
    "METHOD_NOT_ALLOWED",
    `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allow}`,
    { allowed },
  );
  c.set("errorCode", notAllowed.code);
  return c.json(errorEnvelope(notAllowed, requestIdOf(c)), 405, { Allow: allow });
}
