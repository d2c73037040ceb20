import { relayStub } from "../contract/object-stubs.ts";
import { RELAY_CAPACITY_HEADER, RELAY_FULL_HEADER } from "../contract/relay-names.ts";
import { ApiError, notFound } from "../http/api-error.ts";

/**
 * Where a viewer's WebSocket goes: the show's relays `<show id>:0`, `:1`, ..., each holding
 * up to VIEWERS_PER_RELAY, filled in order; a show takes VIEWERS_PER_SHOW across them.
 * The show object never holds a socket. Each isolate remembers, for a few seconds, the
 * first relay it found with room, so a full relay is not asked by every upgrade.
 */

const DEFAULT_PER_SHOW = 100_000;
const DEFAULT_PER_RELAY = 5_000;
/** How long a relay found full is skipped by this isolate (viewers leave; it fills again). */
const FULL_HINT_MS = 5_000;

const firstWithRoom = new Map<string, { index: number; until: number }>();

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function viewerLimits(env: Env): { perShow: number; perRelay: number } {
  return {
    perShow: positive(env.VIEWERS_PER_SHOW, DEFAULT_PER_SHOW),
    perRelay: positive(env.VIEWERS_PER_RELAY, DEFAULT_PER_RELAY),
  };
}

/** The upgrade, answered by the first relay of the show with room; 503 when all are full. */
export async function upgradeToRelay(
  env: Env,
  showId: string,
  request: Request,
): Promise<Response> {
  const { perShow, perRelay } = viewerLimits(env);
  const relays = Math.ceil(perShow / perRelay);
  const now = Date.now();
  const hint = firstWithRoom.get(showId);
  const start = hint && hint.until > now ? hint.index : 0;
  for (let index = start; index < relays; index++) {
    const headers = new Headers(request.headers);
    headers.set(RELAY_CAPACITY_HEADER, String(Math.min(perRelay, perShow - index * perRelay)));
    const relay = relayStub(env, showId, index);
    const response = await relay.fetch(new Request(request.url, { method: "GET", headers }));
    if (response.status === 101) {
      if (index > 0) firstWithRoom.set(showId, { index, until: now + FULL_HINT_MS });
      return response;
    }
    if (response.headers.get(RELAY_FULL_HEADER) !== "1") throw notFound("show", showId);
  }
  firstWithRoom.delete(showId);
  throw new ApiError(
    503,
    "VIEWERS_LIMIT_REACHED",
    "This show's live seat map has as many viewers as it can take; retry shortly, or read the seat map",
    { limit: perShow },
    { "Retry-After": "5" },
  );
}
