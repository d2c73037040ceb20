/**
 * The SQL text of the outbox's hot D1 statements (a lock, its end, a booking, a payment),
 * built by drizzle once per shape per isolate and reused. Building and rendering a drizzle
 * query per change cost the show object about as much as its own lock logic (issue 15's
 * profile); the text only depends on the statement and its row count. Callers pass the
 * values in drizzle's order (the table's columns) and as drizzle binds them;
 * test/record-sql.test.ts checks each against drizzle's own output.
 */

const texts = new Map<string, string>();

/** drizzle's SQL for `shape`, rendered by `build` the first time only. */
export function sqlOnce(shape: string, build: () => { toSQL(): { sql: string } }): string {
  let sql = texts.get(shape);
  if (sql === undefined) {
    sql = build().toSQL().sql;
    texts.set(shape, sql);
  }
  return sql;
}

/** How drizzle binds a `numeric(..., { mode: "number" })` column: as its decimal string. */
export function numericParam(value: number): string {
  return String(value);
}
