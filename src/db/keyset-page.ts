import { and, asc, desc, eq, gt, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { invalidInput } from "../http/api-error.ts";
import { decodeCursor, encodeCursor } from "../lib/cursor.ts";

/**
 * Keyset pagination over (sort column, id column): the cursor is the last row's pair, and
 * the next page starts strictly after it in the list's order, so pages neither skip nor
 * repeat rows while rows are added.
 */

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Keyset {
  sort: SQLiteColumn;
  id: SQLiteColumn;
  direction: "asc" | "desc";
}

/** The WHERE condition for rows after `cursor`; throws 400 for a cursor we did not issue. */
export function afterCursor(keyset: Keyset, cursor: string | undefined): SQL | undefined {
  if (cursor === undefined) return undefined;
  const after = decodeCursor(cursor);
  if (!after) throw invalidInput("cursor", "is not a cursor this API issued");
  const beyond = keyset.direction === "asc" ? gt : lt;
  return or(
    beyond(keyset.sort, after.sortKey),
    and(eq(keyset.sort, after.sortKey), beyond(keyset.id, after.id)),
  );
}

export function keysetOrder(keyset: Keyset): SQL[] {
  const order = keyset.direction === "asc" ? asc : desc;
  return [order(keyset.sort), order(keyset.id)];
}

/** A page from `limit + 1` rows: the extra row only says whether there is a next page. */
export function toPage<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => [sortKey: string, id: string],
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(...keyOf(last)) : null };
}
