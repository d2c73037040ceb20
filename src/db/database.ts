import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as schema from "./schema.ts";

/** `$client` is the D1 binding itself, for batches of raw SQL drizzle cannot carry. */
export type Database = DrizzleD1Database<typeof schema> & { $client: D1Database };

/**
 * Handles made so far, one per D1 binding. drizzle() walks the whole schema each time it is
 * called (its relational config), a tenth of a millisecond per request; the handle keeps no
 * state of a request's, so one per binding (per isolate) serves them all.
 */
const handles = new WeakMap<D1Database, Database>();

/** The drizzle handle over the D1 binding (made once per binding). */
export function database(d1: D1Database): Database {
  let db = handles.get(d1);
  if (!db) {
    db = drizzle(d1, { schema });
    handles.set(d1, db);
  }
  return db;
}

/**
 * D1 binds at most 100 parameters per statement: rows per multi-row INSERT for a table of
 * `columns` columns.
 */
export function rowsPerInsert(columns: number): number {
  return Math.floor(100 / columns);
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
