import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ShowResult } from "../show/show-rpc.ts";
import { ApiError } from "./api-error.ts";
import type { AppEnv } from "./app-env.ts";
import { rememberReply, replayResponse } from "./idempotency.ts";

/** The value of a show object's answer, or its refusal thrown into the one error path. */
export function unwrap<T>(result: ShowResult<T>): T {
  if (result.ok) return result.value;
  throw ApiError.from(result.error);
}

/**
 * The HTTP response for a show object's answer. A reply kept under an Idempotency-Key is
 * sent as its exact bytes (and kept in KV too, unless it is itself a replay); anything else
 * is its value as JSON, or its refusal as the error envelope.
 */
export function respond<T>(c: Context<AppEnv>, result: ShowResult<T>): Response {
  const { kept } = result;
  if (kept?.replayed) return replayResponse(c, kept.status, kept.body);
  if (kept) {
    rememberReply(c, kept.status, kept.body);
    return c.body(kept.body, kept.status as ContentfulStatusCode, {
      "Content-Type": "application/json",
    });
  }
  return c.json(unwrap(result), result.ok ? result.status : 200);
}
