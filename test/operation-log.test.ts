import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { KeyedRequest } from "../src/show/keyed-request.ts";
import type { ShowObject } from "../src/show/show-object.ts";
import { ok } from "../src/show/show-results.ts";
import { IdempotencyStorage } from "../src/show/storage/idempotency-storage.ts";
import { migrateShowSchema } from "../src/show/storage/schema-migrations.ts";

/** Runs `body` over a fresh show object's SQLite, its tables made. */
function withStorage<T>(body: (sql: SqlStorage) => T): Promise<T> {
  const stub = env.SHOW.get(env.SHOW.newUniqueId());
  return runInDurableObject(stub, (_object: ShowObject, state) => {
    migrateShowSchema(state.storage.sql);
    return body(state.storage.sql);
  });
}

const key = { scope: "user_1:booking:key-1", hash: "hash-a" };
const storedRows = (sql: SqlStorage) =>
  sql.exec<{ status: number | null }>("SELECT status FROM operations").toArray();

describe("the show object's operation log", () => {
  it("holds a running request in memory and stores only its finished reply", async () => {
    await withStorage((sql) => {
      const log = new IdempotencyStorage(sql);
      expect(log.begin(key, 1_000).kind).toBe("new");
      expect(storedRows(sql)).toEqual([]);
      expect(log.begin(key, 1_001).kind).toBe("in_progress");
      expect(log.begin({ ...key, hash: "hash-b" }, 1_001).kind).toBe("reused");
      log.finish(key, 201, '{"ok":true}');
      expect(storedRows(sql)).toEqual([{ status: 201 }]);
      expect(log.begin(key, 1_002)).toEqual({ kind: "replay", status: 201, body: '{"ok":true}' });
      expect(log.begin({ ...key, hash: "hash-b" }, 1_002).kind).toBe("reused");
    });
  });

  it("lets a retry run afresh after a request was abandoned or its object stopped", async () => {
    await withStorage((sql) => {
      const log = new IdempotencyStorage(sql);
      expect(log.begin(key, 1_000).kind).toBe("new");
      log.abandon(key);
      expect(log.begin(key, 1_001).kind).toBe("new");
      // A new instance of the object (after a restart) knows nothing of what was running.
      const restarted = new IdempotencyStorage(sql);
      restarted.forgetUnfinished();
      expect(restarted.begin(key, 1_002).kind).toBe("new");
      expect(storedRows(sql)).toEqual([]);
    });
  });

  it("forgets a running request's row that an earlier version stored at its start", async () => {
    await withStorage((sql) => {
      sql.exec(
        "INSERT INTO operations (scope, request_hash, created_at) VALUES (?, ?, ?)",
        key.scope,
        key.hash,
        1_000,
      );
      const log = new IdempotencyStorage(sql);
      expect(log.begin(key, 1_001).kind).toBe("in_progress");
      log.forgetUnfinished();
      expect(log.begin(key, 1_002).kind).toBe("new");
    });
  });

  it("answers a kept reply as its body alone, the body a replay answers too", async () => {
    await withStorage((sql) => {
      const log = new IdempotencyStorage(sql);
      const context = { requestId: "req_1", idempotency: key };
      const first = new KeyedRequest(log, context);
      expect(first.begin(1_000)).toBeUndefined();
      const kept = first.keep(ok({ booking_id: "booking_1" }, 201));
      // The Worker sends the body: the value does not cross a second time as an object.
      expect(kept).toEqual({
        ok: true,
        status: 201,
        value: undefined,
        kept: { status: 201, body: '{"booking_id":"booking_1"}', replayed: false },
      });
      const replay = new KeyedRequest(log, context).begin(1_001);
      expect(replay?.kept).toEqual({
        status: 201,
        body: '{"booking_id":"booking_1"}',
        replayed: true,
      });
    });
  });
});
