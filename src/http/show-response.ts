import type { Context, TypedResponse } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONParsed } from "hono/utils/types";
import type { ShowResult } from "../contract/show-rpc.ts";
import { ApiError } from "./api-error.ts";
import type { AppEnv } from "./app-env.ts";
import { rememberReply, replayResponse } from "./idempotency.ts";

/** The value of a show object's answer, or its refusal thrown into the one error path. */
export function unwrap<T>(result: ShowResult<T>): T {
  if (result.ok) return result.value;
  throw ApiError.from(result.error);
}

/** A JSON answer typed as the route declares it, for the route's handler and hc clients. */
export type JsonAnswer<T, S extends 200 | 201 | 202> = Response &
  TypedResponse<JSONParsed<T>, S, "json">;

/**
 * The HTTP response for a show object's answer. A reply kept under an Idempotency-Key is
 * sent as its exact bytes (and kept in KV too, unless it is itself a replay); anything else
 * is its value as JSON, or its refusal as the error envelope. `declared` is the route's
 * success status, which the object answers too; it only types the response.
 */
export function respond<T, S extends 200 | 201>(
  c: Context<AppEnv>,
  result: ShowResult<T>,
  _declared: S,
): JsonAnswer<T, S> {
  return answer(c, result) as JsonAnswer<T, S>;
}

/**
 * The same, for a route whose success is `declared` when the payment is through, or 202
 * with `{booking, payment}` while it waits for the buyer (3-D Secure): the answer that
 * has `payment`.
 */
export function respondOrWait<T, S extends 200 | 201>(
  c: Context<AppEnv>,
  result: ShowResult<T>,
  _declared: S,
): JsonAnswer<Exclude<T, Waiting>, S> | JsonAnswer<Extract<T, Waiting>, 202> {
  return answer(c, result) as
    | JsonAnswer<Exclude<T, Waiting>, S>
    | JsonAnswer<Extract<T, Waiting>, 202>;
}

/** An answer whose payment waits for the buyer. */
type Waiting = { payment: unknown };

function answer<T>(c: Context<AppEnv>, result: ShowResult<T>): Response {
  const { kept } = result;
  if (!result.ok) c.set("errorCode", result.error.code);
  if (kept?.replayed) return replayResponse(c, kept.status, kept.body);
  if (kept) {
    rememberReply(c, kept.status, kept.body);
    return c.body(kept.body, kept.status as ContentfulStatusCode, {
      "Content-Type": "application/json",
    });
  }
  return c.json(unwrap(result), result.ok ? result.status : 200);
}
