/**
 * A per-isolate cache of seat maps for the read storm of a flash sale: thousands of
 * clients opening one show's map would otherwise each cost a call to its show object.
 *
 * An entry is served for at most SEAT_MAP_CACHE_MS, and never past the moment a lock in
 * it expires (so a read never shows an expired lock as held). Changes made through this
 * isolate end the show's entry at once, so a client sees its own lock on its next read;
 * changes made elsewhere show within the cache time, and live at once on the WebSocket.
 *
 * Ordering: a read that asked the object before such a change can answer after it. Its
 * map is then older than the change, so it is not stored as fresh (each change through the
 * isolate is stamped with a tick of `clock`, each read with the tick it started at), and a
 * stored map is never replaced by an older version.
 *
 * Two kinds of read share it: the full seat map (`map`) and the compact status string
 * (`status`); a change through the isolate ends both.
 */

/** What is cached per show: the seed's seat map, or the compact status. */
export type ReadKind = "map" | "status";
const KINDS: ReadKind[] = ["map", "status"];
const keyOf = (showId: string, kind: ReadKind) => `${kind}|${showId}`;

interface SeatMapEntry {
  version: number;
  json: string;
  /** The JSON as UTF-8, encoded once: a 1,000-seat map is ~120 KB to encode per read. */
  body: Uint8Array<ArrayBuffer>;
  /** Epoch ms after which the entry must be checked with the show object. */
  freshUntil: number;
}

/** The show object's answer to a seat-map read (with the body filled in if it sent none). */
interface SeatMapAnswer {
  version: number;
  json: string;
  /** Epoch ms of the next lock expiry, if any: the map changes then by itself. */
  changesBy: number | null;
}

interface SeatMapReadTiming {
  /** What beginSeatMapRead returned before the object was asked. */
  startedAt: number;
  now: number;
  ttlMs: number;
}

const MAX_SHOWS = 512;
/** Shows whose last change through this isolate is remembered for in-flight reads. */
const MAX_CHANGED_SHOWS = 4 * MAX_SHOWS;
const DEFAULT_CACHE_MS = 250;

const entries = new Map<string, SeatMapEntry>();
/** Ticks on each change through this isolate; reads are stamped with it. */
let clock = 0;
/** The tick of each show's last change through this isolate, oldest first. */
const changedAt = new Map<string, number>();
/** Ticks up to which forgotten changes may have happened (their show fell out of changedAt). */
let forgottenUpTo = 0;

export function cacheMs(env: Env): number {
  const configured = Number(env.SEAT_MAP_CACHE_MS);
  return Number.isFinite(configured) && configured >= 0 ? configured : DEFAULT_CACHE_MS;
}

/** A fresh entry for the show, if there is one. */
export function freshSeatMap(
  showId: string,
  now: number,
  kind: ReadKind = "map",
): SeatMapEntry | undefined {
  const entry = entries.get(keyOf(showId, kind));
  return entry && now < entry.freshUntil ? entry : undefined;
}

/** The last entry for the show, fresh or not: its version lets the object skip the body. */
export function lastSeatMap(showId: string, kind: ReadKind = "map"): SeatMapEntry | undefined {
  return entries.get(keyOf(showId, kind));
}

/** Call before asking the object for the map; pass the result to rememberSeatMap. */
export function beginSeatMapRead(): number {
  return clock;
}

/** Whether a change through this isolate may have happened since the read started. */
function changedSince(showId: string, startedAt: number): boolean {
  return startedAt < forgottenUpTo || (changedAt.get(showId) ?? 0) > startedAt;
}

/**
 * Keeps the show's seat map and returns it as an entry for the read to answer with. It is
 * not kept when caching is off, when a change through this isolate came after the read
 * started (the map may predate it), or when a newer version is already kept.
 */
export function rememberSeatMap(
  showId: string,
  answer: SeatMapAnswer,
  read: SeatMapReadTiming,
  kind: ReadKind = "map",
): SeatMapEntry {
  const entry: SeatMapEntry = {
    version: answer.version,
    json: answer.json,
    // encode() always allocates a fresh ArrayBuffer (never a shared one).
    body: new TextEncoder().encode(answer.json) as Uint8Array<ArrayBuffer>,
    freshUntil: Math.min(read.now + read.ttlMs, answer.changesBy ?? Number.POSITIVE_INFINITY),
  };
  if (read.ttlMs <= 0 || changedSince(showId, read.startedAt)) return entry;
  const key = keyOf(showId, kind);
  const kept = entries.get(key);
  if (kept && kept.version > answer.version) return entry;
  entries.delete(key);
  if (entries.size >= MAX_SHOWS) {
    // Maps iterate in insertion order: the first key is the least recently stored.
    const oldest = entries.keys().next().value;
    if (oldest !== undefined) entries.delete(oldest);
  }
  entries.set(key, entry);
  return entry;
}

/**
 * The show changed through this isolate: its next read asks the object, and reads already
 * under way do not store what they get. The entry stays as the last known map (not fresh),
 * so an answer that the version is unchanged (a refused lock) still needs no body.
 */
export function forgetSeatMap(showId: string): void {
  clock += 1;
  changedAt.delete(showId);
  if (changedAt.size >= MAX_CHANGED_SHOWS) {
    // Insertion order is tick order: the first entry holds the oldest tick.
    const [oldest, tick] = changedAt.entries().next().value ?? [];
    if (oldest !== undefined && tick !== undefined) {
      changedAt.delete(oldest);
      forgottenUpTo = Math.max(forgottenUpTo, tick);
    }
  }
  changedAt.set(showId, clock);
  for (const kind of KINDS) {
    const entry = entries.get(keyOf(showId, kind));
    if (entry) entry.freshUntil = 0;
  }
}
