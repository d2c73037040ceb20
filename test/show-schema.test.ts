import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { migrateShowSchema, SHOW_SCHEMA_VERSION } from "../src/show/storage/schema-migrations.ts";
import { createShow, lockedSeats, seatMap, stubOf } from "./support/helpers.ts";

/**
 * The show object's SQLite schema is brought up to date by one runner of numbered steps:
 * an object stored by an older version (tables lacking later columns, the old column name)
 * is migrated on start without losing a row, and a migrated one is left alone.
 */

const columnsOf = (sql: SqlStorage, table: string) =>
  sql
    .exec<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
    .toArray()
    .map((c) => c.name);

describe("the show object's schema migrations", () => {
  it("bring an object stored by an older version to the latest schema, keeping its rows", async () => {
    // A fresh object of the show class that holds no show: its storage is ours to shape.
    const stub = stubOf("schema_probe_legacy");
    const after = await runInDurableObject(stub, (_object, state) => {
      const { sql } = state.storage;
      // As an object made before the runner stored it: no `prices`, no `seat_prices`, the
      // cancellations' first two columns, and the column `direct`.
      sql.exec(`
        CREATE TABLE locks (lock_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, seat_ids TEXT NOT NULL,
          locked_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, status TEXT NOT NULL, ended_at INTEGER);
        CREATE TABLE bookings (booking_id TEXT PRIMARY KEY, lock_id TEXT NOT NULL UNIQUE,
          user_id TEXT NOT NULL, seat_ids TEXT NOT NULL, total_minor INTEGER NOT NULL,
          status TEXT NOT NULL, direct INTEGER NOT NULL, payment_id TEXT, ticket_id TEXT,
          card_brand TEXT, card_last4 TEXT, created_at INTEGER NOT NULL, confirmed_at INTEGER,
          cancelled_at INTEGER);
        CREATE TABLE cancellations (booking_id TEXT PRIMARY KEY, requested_at INTEGER NOT NULL);
        INSERT INTO bookings VALUES ('booking_old', 'lock_old', 'user_old', '["s1"]', 50000,
          'confirmed', 1, 'pay_old', 'ticket_old', 'visa', '4242', 1, 2, NULL);`);
      state.storage.transactionSync(() => migrateShowSchema(sql));
      state.storage.transactionSync(() => migrateShowSchema(sql));
      return {
        locks: columnsOf(sql, "locks"),
        bookings: columnsOf(sql, "bookings"),
        cancellations: columnsOf(sql, "cancellations"),
        version: sql.exec<{ version: number }>("SELECT version FROM schema_version").one().version,
        row: sql
          .exec<{ created_with_card: number; status: string }>(
            "SELECT created_with_card, status FROM bookings WHERE booking_id = 'booking_old'",
          )
          .one(),
        tables: sql
          .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
          .toArray()
          .map((t) => t.name),
      };
    });
    expect(after.version).toBe(SHOW_SCHEMA_VERSION);
    expect(after.locks).toContain("prices");
    expect(after.bookings).toContain("seat_prices");
    expect(after.bookings).toContain("created_with_card");
    expect(after.bookings).not.toContain("direct");
    expect(after.cancellations).toEqual(expect.arrayContaining(["attempts", "next_try_at"]));
    expect(after.row).toEqual({ created_with_card: 1, status: "confirmed" });
    for (const table of [
      "payment_attempts",
      "checkins",
      "seat_holds",
      "d1_outbox",
      "live_changes",
    ]) {
      expect(after.tables).toContain(table);
    }
  });

  it("leave a show made today at the latest version, selling as before", async () => {
    const ctx = await lockedSeats(1, "user_schema");
    const version = await runInDurableObject(
      stubOf(ctx.showId),
      (_object, state) =>
        state.storage.sql.exec<{ version: number }>("SELECT version FROM schema_version").one()
          .version,
    );
    expect(version).toBe(SHOW_SCHEMA_VERSION);
    const seat = (await seatMap(ctx.showId)).seats.find((s) => s.seat_id === ctx.seats[0]);
    expect(seat?.status).toBe("locked");
    expect((await createShow()).showId).toMatch(/^show_/);
  });
});
