import { ApiError } from "../http/api-error.ts";
import type { ShowResult } from "./show-api.ts";

/** The show's Durable Object: one per show id, wherever the request arrives. */
export function showStub(env: Env, showId: string) {
  return env.SHOW.get(env.SHOW.idFromName(showId));
}

/** The value of a show object's answer, or its refusal thrown as an ApiError. */
export function unwrap<T>(result: ShowResult<T>): T {
  if (result.ok) return result.value;
  const { status, code, message, details } = result.error;
  throw new ApiError(status, code, message, details);
}
