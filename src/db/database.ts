import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as schema from "./schema.ts";

/** `$client` is the D1 binding itself, for batches of raw SQL drizzle cannot carry. */
export type Database = DrizzleD1Database<typeof schema> & { $client: D1Database };

/** A drizzle handle over the D1 binding; cheap, so made per request. */
export function database(d1: D1Database): Database {
  return drizzle(d1, { schema });
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
