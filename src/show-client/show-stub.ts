import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { ApiError, notFound } from "../http/api-error.ts";
import { type ErrorCode, failure } from "../http/api-failure.ts";
import { logLine } from "../observability/log.ts";
import { type ShowScopedPrefix, showIdOf } from "../show/show-scoped-ids.ts";
import { knownShows, showInD1 } from "./known-shows.ts";

/**
 * The show's Durable Object: one per show id, wherever the request arrives. The runtime
 * creates an object for any id it is given, so routes go through existingShow instead.
 */
export function showStub(env: Env, showId: string) {
  return env.SHOW.get(env.SHOW.idFromName(showId));
}

type ShowStub = ReturnType<typeof showStub>;

/**
 * The show's object if the show exists; otherwise `missing()` (404 for the show) is thrown
 * and no object is created for the id.
 */
export async function existingShow(
  env: Env,
  showId: string,
  missing: () => ApiError = () => notFound("show", showId),
): Promise<ShowStub> {
  if (!(await showExists(env, showId))) throw missing();
  return showStub(env, showId);
}

/** The object of the show a lock or booking id belongs to; 404 naming the id if none. */
export async function owningShowStub(
  env: Env,
  prefix: ShowScopedPrefix,
  id: string,
): Promise<{ showId: string; stub: ShowStub }> {
  const showId = owningShow(prefix, id);
  return { showId, stub: await existingShow(env, showId, () => notFound(prefix, id)) };
}

async function showExists(env: Env, showId: string): Promise<boolean> {
  try {
    return await knownShows.exists(showId, showInD1(env.DB));
  } catch (err) {
    // D1 did not answer: the object decides, as before this check (it keeps its show in its
    // own storage), so an outage of D1 does not take down shows that are already open.
    logLine("error", "show lookup failed", {
      component: "known-shows",
      message: err instanceof Error ? err.message : String(err),
    });
    return true;
  }
}

/** The show a lock or booking id belongs to (its id carries it); 404 for an id of no show. */
function owningShow(prefix: ShowScopedPrefix, id: string): string {
  const showId = showIdOf(prefix, id);
  if (!showId) throw notFound(prefix, id);
  return showId;
}

/** The JSON body with which the object refuses a live-feed upgrade (e.g. too many viewers). */
const upgradeRefusalSchema = z.object({
  code: z.string().regex(/^[A-Z][A-Z_]{0,63}$/),
  message: z.string().max(1000),
  details: z.record(z.string(), z.unknown()).optional(),
});

/**
 * The error for a live-feed upgrade the object did not accept (any status but 101): its
 * status, code, message and details when it sent them as JSON, else 404 for the show on a
 * 404, else an unexpected failure (500 INTERNAL).
 */
export async function refusedUpgrade(response: Response, showId: string): Promise<Error> {
  const { status } = response;
  const refusal = upgradeRefusalSchema.safeParse(parseJson(await response.text()));
  if (refusal.success && status >= 400 && status <= 599) {
    const { code, message, details } = refusal.data;
    const retryAfter = response.headers.get("Retry-After");
    return ApiError.from(
      failure(
        // 400-599 are all statuses with a body.
        status as ContentfulStatusCode,
        // The object answers with codes of ErrorCode; its members are not checked at run time.
        code as ErrorCode,
        message,
        details,
      ),
      retryAfter ? { "Retry-After": retryAfter } : undefined,
    );
  }
  if (status === 404) return notFound("show", showId);
  return new Error(`the show object answered a live-feed upgrade with ${status}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
