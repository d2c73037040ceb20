import { ApiError } from "../http/api-error.ts";
import type { ShowResult } from "./show-api.ts";
import { type ShowScopedPrefix, showIdOf } from "./show-scoped-ids.ts";

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

/** The show a lock or booking id belongs to (its id carries it); 404 for an id of no show. */
export function owningShow(prefix: ShowScopedPrefix, id: string): string {
  const showId = showIdOf(prefix, id);
  if (!showId)
    throw new ApiError(404, "NOT_FOUND", `${prefix} ${id} was not found`, { resource: prefix, id });
  return showId;
}
