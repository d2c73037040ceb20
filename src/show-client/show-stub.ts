import { type ShowScopedPrefix, showIdOf } from "../contract/scoped-ids.ts";
import { type ApiError, notFound } from "../http/api-error.ts";
import { logLine } from "../observability/log.ts";
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
