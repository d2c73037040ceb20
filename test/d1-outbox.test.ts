import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { D1Outbox } from "../src/show/d1/d1-outbox.ts";
import { ShowLog } from "../src/show/show-log.ts";
import type { ShowObject } from "../src/show/show-object.ts";

/** Runs `body` with an outbox over a fresh object's SQLite storage and the test D1. */
function withOutbox<T>(body: (outbox: D1Outbox, sql: SqlStorage) => Promise<T>): Promise<T> {
  const stub = env.SHOW.get(env.SHOW.newUniqueId());
  return runInDurableObject(stub, async (_object: ShowObject, state) => {
    const outbox = new D1Outbox(state.storage.sql, env.DB, new ShowLog("show_outbox", undefined));
    outbox.prepare();
    return body(outbox, state.storage.sql);
  });
}

const insertEvent = (id: string) => ({
  sql: "INSERT INTO events (event_id, name) VALUES (?, ?)",
  params: [id, `Outbox ${id}`],
});

async function eventExists(id: string): Promise<boolean> {
  return (
    (await env.DB.prepare("SELECT 1 FROM events WHERE event_id = ?").bind(id).first()) !== null
  );
}

describe("D1Outbox", () => {
  it("sends queued statements in order, in one batch, and forgets them", async () => {
    await withOutbox(async (outbox) => {
      outbox.enqueue([insertEvent("event_ob_1"), insertEvent("event_ob_2")]);
      expect(outbox.pending()).toBe(true);
      expect(await outbox.flush()).toBe(true);
      expect(outbox.pending()).toBe(false);
    });
    expect(await eventExists("event_ob_1")).toBe(true);
    expect(await eventExists("event_ob_2")).toBe(true);
  });

  it("queues a change of more statements than one object query may bind, in their order", async () => {
    const ids = Array.from({ length: 70 }, (_, i) => `event_ob_many_${String(i).padStart(2, "0")}`);
    await withOutbox(async (outbox, sql) => {
      outbox.enqueue(ids.map(insertEvent));
      const queued = sql
        .exec<{ params: string }>("SELECT params FROM d1_outbox ORDER BY id")
        .toArray()
        .map((row) => (JSON.parse(row.params) as string[])[0]);
      expect(queued).toEqual(ids);
      expect(await outbox.flush()).toBe(true);
    });
    const stored = await env.DB.prepare(
      "SELECT count(*) AS n FROM events WHERE event_id LIKE 'event_ob_many_%'",
    ).first<{ n: number }>();
    expect(stored?.n).toBe(ids.length);
  });

  it("sends a read in the next batch, after the rows queued before it, or alone", async () => {
    await withOutbox(async (outbox) => {
      const batch = vi.spyOn(env.DB, "batch");
      outbox.enqueue([insertEvent("event_ob_read")]);
      const read = outbox.read(
        env.DB.prepare("SELECT count(*) AS n FROM events WHERE event_id = ?").bind("event_ob_read"),
      );
      expect(read.sent).toBe(false);
      expect((await read.answer).results).toEqual([{ n: 1 }]);
      expect(read.sent).toBe(true);
      expect(batch).toHaveBeenCalledTimes(1);
      expect(outbox.pending()).toBe(false);
      // Nothing queued: the read goes alone.
      const alone = outbox.read(env.DB.prepare("SELECT 2 AS two"));
      expect((await alone.answer).results).toEqual([{ two: 2 }]);
      expect(batch).toHaveBeenCalledTimes(2);
      batch.mockRestore();
    });
  });

  it("sends a read alone when D1 refuses the batch it rode", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    await withOutbox(async (outbox) => {
      outbox.enqueue([insertEvent("event_ob_twice"), insertEvent("event_ob_twice")]);
      const read = outbox.read(env.DB.prepare("SELECT 3 AS three"));
      expect(await outbox.flush()).toBe(false);
      expect((await read.answer).results).toEqual([{ three: 3 }]);
    });
    vi.restoreAllMocks();
  });

  it("keeps statements queued while D1 fails, and delivers them once it recovers", async () => {
    await env.DB.prepare(
      "CREATE TRIGGER outbox_outage BEFORE INSERT ON events WHEN NEW.event_id LIKE 'event_outage%' BEGIN SELECT RAISE(ABORT, 'simulated outage'); END",
    ).run();
    vi.spyOn(console, "error").mockImplementation(() => {});
    await withOutbox(async (outbox) => {
      outbox.enqueue([insertEvent("event_outage_1")]);
      // Far past the attempts that switch to one statement at a time: still not dropped.
      for (let i = 0; i < 5; i++) expect(await outbox.flush()).toBe(false);
      expect(outbox.pending()).toBe(true);
      await env.DB.prepare("DROP TRIGGER outbox_outage").run();
      expect(await outbox.flush()).toBe(true);
    });
    vi.restoreAllMocks();
    expect(await eventExists("event_outage_1")).toBe(true);
  });

  it("sets aside a statement D1 refuses on its merits, so the queue behind it moves", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const deadLetters = await withOutbox(async (outbox, sql) => {
      outbox.enqueue([
        insertEvent("event_dup"),
        insertEvent("event_dup"),
        insertEvent("event_after_dup"),
      ]);
      let empty = false;
      for (let i = 0; i < 6 && !empty; i++) empty = await outbox.flush();
      expect(empty).toBe(true);
      return sql.exec<{ error: string }>("SELECT error FROM d1_dead_letters").toArray();
    });
    vi.restoreAllMocks();
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]?.error).toMatch(/UNIQUE constraint failed/);
    expect(await eventExists("event_dup")).toBe(true);
    expect(await eventExists("event_after_dup")).toBe(true);
  });

  it("keeps every dead letter when the emptied queue gives a row's id again", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const outcome = await withOutbox(async (outbox, sql) => {
      const setAside = async (id: string) => {
        // The first row goes through, its copy is refused: the queue is empty afterwards.
        outbox.enqueue([insertEvent(id), insertEvent(id)]);
        const ids = sql.exec<{ id: number }>("SELECT id FROM d1_outbox ORDER BY id").toArray();
        let empty = false;
        for (let i = 0; i < 6 && !empty; i++) empty = await outbox.flush();
        expect(empty).toBe(true);
        return ids.map((row) => row.id);
      };
      const first = await setAside("event_dead_again_1");
      const second = await setAside("event_dead_again_2");
      return { first, second, letters: outbox.deadLetters() };
    });
    vi.restoreAllMocks();
    // The outbox numbered the second change's rows as it did the first's.
    expect(outcome.second).toEqual(outcome.first);
    expect(outcome.letters).toHaveLength(2);
    expect(new Set(outcome.letters.map((letter) => letter.id)).size).toBe(2);
  });
});
