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

  it("rebuild the outboxes without AUTOINCREMENT, keeping the rows that wait, in order", async () => {
    const stub = stubOf("schema_probe_outboxes");
    const after = await runInDurableObject(stub, (_object, state) => {
      const { sql } = state.storage;
      // An object at step 15: the outboxes as step 1 made them, rows waiting in each.
      state.storage.transactionSync(() => migrateShowSchema(sql));
      sql.exec("UPDATE schema_version SET version = 15");
      sql.exec(`
        DROP TABLE d1_outbox;
        CREATE TABLE d1_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, statement TEXT NOT NULL,
          params TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
          enqueued_at INTEGER NOT NULL DEFAULT 0);
        INSERT INTO d1_outbox (id, statement, params, attempts, enqueued_at)
          VALUES (7, 'SELECT 1', '[]', 2, 100), (9, 'SELECT 2', '[]', 0, 200);
        DROP TABLE webhook_outbox;
        CREATE TABLE webhook_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT,
          event_id TEXT NOT NULL, type TEXT NOT NULL, ordering_key TEXT NOT NULL,
          body TEXT NOT NULL, occurred_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
        INSERT INTO webhook_outbox (seq, event_id, type, ordering_key, body, occurred_at)
          VALUES (4, 'evt_a', 'booking.confirmed', 'booking_a', '{}', 300);`);
      state.storage.transactionSync(() => migrateShowSchema(sql));
      const schemaOf = (table: string) =>
        sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = ?", table).one().sql;
      return {
        version: sql.exec<{ version: number }>("SELECT version FROM schema_version").one().version,
        outbox: sql.exec("SELECT id, statement, attempts FROM d1_outbox ORDER BY id").toArray(),
        webhooks: sql.exec("SELECT seq, event_id FROM webhook_outbox").toArray(),
        schemas: [schemaOf("d1_outbox"), schemaOf("webhook_outbox")],
        // A row queued after the rebuild still comes after the ones that waited.
        next: sql
          .exec<{ id: number }>(
            "INSERT INTO d1_outbox (statement, params) VALUES ('SELECT 3', '[]') RETURNING id",
          )
          .one().id,
      };
    });
    expect(after.version).toBe(SHOW_SCHEMA_VERSION);
    expect(after.outbox).toEqual([
      { id: 7, statement: "SELECT 1", attempts: 2 },
      { id: 9, statement: "SELECT 2", attempts: 0 },
    ]);
    expect(after.webhooks).toEqual([{ seq: 4, event_id: "evt_a" }]);
    for (const schema of after.schemas) expect(schema).not.toMatch(/AUTOINCREMENT/);
    expect(after.next).toBe(10);
  });
});
