/**
 * A per-isolate cache of seat maps for the read storm of a flash sale: thousands of
 * clients opening one show's map would otherwise each cost a call to its show object.
 *
 * An entry is served for at most SEAT_MAP_CACHE_MS, and never past the moment a lock in
 * it expires (so a read never shows an expired lock as held). Changes made through this
 * isolate drop the show's entry at once, so a client sees its own lock on its next read;
 * changes made elsewhere show within the cache time, and live at once on the WebSocket.
 */

export interface SeatMapEntry {
  version: number;
  json: string;
  /** The JSON as UTF-8, encoded once: a 1,000-seat map is ~120 KB to encode per read. */
  body: Uint8Array<ArrayBuffer>;
  /** Epoch ms after which the entry must be checked with the show object. */
  freshUntil: number;
}

const MAX_SHOWS = 256;
const DEFAULT_CACHE_MS = 250;

const entries = new Map<string, SeatMapEntry>();

export function cacheMs(env: Env): number {
  const configured = Number(env.SEAT_MAP_CACHE_MS);
  return Number.isFinite(configured) && configured >= 0 ? configured : DEFAULT_CACHE_MS;
}

/** A fresh entry for the show, if there is one. */
export function freshSeatMap(showId: string, now: number): SeatMapEntry | undefined {
  const entry = entries.get(showId);
  return entry && now < entry.freshUntil ? entry : undefined;
}

/** The last entry for the show, fresh or not: its version lets the object skip the body. */
export function lastSeatMap(showId: string): SeatMapEntry | undefined {
  return entries.get(showId);
}

/** Keeps the show's seat map (unless caching is off) and returns it as an entry. */
export function rememberSeatMap(
  showId: string,
  version: number,
  json: string,
  now: number,
  ttlMs: number,
  changesBy: number | null,
): SeatMapEntry {
  const entry: SeatMapEntry = {
    version,
    json,
    // encode() always allocates a fresh ArrayBuffer (never a shared one).
    body: new TextEncoder().encode(json) as Uint8Array<ArrayBuffer>,
    freshUntil: Math.min(now + ttlMs, changesBy ?? Number.POSITIVE_INFINITY),
  };
  if (ttlMs <= 0) return entry;
  entries.delete(showId);
  if (entries.size >= MAX_SHOWS) {
    // Maps iterate in insertion order: the first key is the least recently stored.
    const oldest = entries.keys().next().value;
    if (oldest !== undefined) entries.delete(oldest);
  }
  entries.set(showId, entry);
  return entry;
}

/** The show changed through this isolate: its next read asks the object. */
export function forgetSeatMap(showId: string): void {
  entries.delete(showId);
}
