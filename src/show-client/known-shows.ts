import { eq, sql } from "drizzle-orm";
import { database } from "../db/database.ts";
import { shows } from "../db/schema.ts";

/**
 * Which show ids exist, cached per isolate, so that a request naming a show that does not
 * exist is refused in the Worker: a Durable Object is created for any name it is asked for,
 * and an object woken for an unknown show would only ask D1 and find nothing.
 *
 * Shows are never deleted, so a known id stays known (least recently used ids leave first
 * when the cache is full). An unknown id is remembered briefly: a show created through
 * another isolate becomes usable here once that entry runs out; one created through this
 * isolate at once (`showCreated`).
 */

interface KnownShowsLimits {
  maxKnown: number;
  maxUnknown: number;
  unknownTtlMs: number;
}

/** Whether D1 holds the show; the cache's lookup on a miss. */
type ShowLookup = (showId: string) => Promise<boolean>;

export class KnownShows {
  /** Known ids, least recently used first (Maps iterate in insertion order). */
  private readonly known = new Map<string, true>();
  /** Unknown ids and the epoch ms until which they count as unknown, oldest first. */
  private readonly unknown = new Map<string, number>();
  /** Lookups under way: concurrent requests for one id share a single D1 query. */
  private readonly lookups = new Map<string, Promise<boolean>>();

  constructor(private readonly limits: KnownShowsLimits) {}

  async exists(showId: string, lookup: ShowLookup, now = Date.now()): Promise<boolean> {
    if (this.known.has(showId)) {
      this.markKnown(showId);
      return true;
    }
    const unknownUntil = this.unknown.get(showId);
    if (unknownUntil !== undefined) {
      if (now < unknownUntil) return false;
      this.unknown.delete(showId);
    }
    let pending = this.lookups.get(showId);
    if (!pending) {
      pending = this.lookUp(showId, lookup, now);
      this.lookups.set(showId, pending);
    }
    return pending;
  }

  /** A show created through this isolate: known from now on, whatever was cached. */
  showCreated(showId: string): void {
    this.unknown.delete(showId);
    this.markKnown(showId);
  }

  private async lookUp(showId: string, lookup: ShowLookup, now: number): Promise<boolean> {
    try {
      if (await lookup(showId)) {
        this.markKnown(showId);
        return true;
      }
      // Created through this isolate while D1 was being asked: the answer is already old.
      if (this.known.has(showId)) return true;
      this.markUnknown(showId, now);
      return false;
    } finally {
      this.lookups.delete(showId);
    }
  }

  private markKnown(showId: string): void {
    this.known.delete(showId);
    this.known.set(showId, true);
    evictOldest(this.known, this.limits.maxKnown);
  }

  private markUnknown(showId: string, now: number): void {
    this.unknown.delete(showId);
    this.unknown.set(showId, now + this.limits.unknownTtlMs);
    evictOldest(this.unknown, this.limits.maxUnknown);
  }
}

function evictOldest(entries: Map<string, unknown>, max: number): void {
  while (entries.size > max) {
    const oldest = entries.keys().next().value;
    if (oldest === undefined) return;
    entries.delete(oldest);
  }
}

/** `SELECT 1 FROM shows WHERE show_id = ? LIMIT 1`: the primary key answers it. */
export function showInD1(db: D1Database): ShowLookup {
  return async (showId) => {
    const row = await database(db)
      .select({ one: sql<number>`1` })
      .from(shows)
      .where(eq(shows.showId, showId))
      .limit(1)
      .get();
    return row !== undefined;
  };
}

/** This isolate's cache: 10,000 known ids (~1 MB), unknown ids for 30 s. */
export const knownShows = new KnownShows({
  maxKnown: 10_000,
  maxUnknown: 10_000,
  unknownTtlMs: 30_000,
});
