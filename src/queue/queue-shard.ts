import { DurableObject } from "cloudflare:workers";
import { type Entry, isAtOrBefore, newEntryKey } from "./queue-order.ts";

/** A join as the shard answers it. */
export interface ShardJoin {
  entry: Entry;
  /** Whether this join made a new entry (false: the user's existing place). */
  created: boolean;
}

export interface ShardJoinRequest {
  shard: number;
  userId: string;
  opensAt: number;
  /** The last admitted entry the snapshot knows: a new entry always goes after it. */
  cursor: Entry | null;
  /** Entries at or before it have had their turn: their holders join again at the back. */
  expiredCursor: Entry | null;
}

/** Entries after a sequence number, and the shard's rows written since it started. */
export interface ShardRead {
  entries: Entry[];
  rowsWritten: number;
}

/** Entries returned by one read, so a read after a restart comes in pieces. */
export const READ_LIMIT = 20_000;

/**
 * One of a queue's shards (`idFromName("<show_id>#<generation>#<shard>")`): users are
 * spread over them by a hash of their id, so joins are written in many objects' storage,
 * not one. Each join is one row: the user's entry (shard-local sequence, order key, whose
 * key is the join time after the opening). The coordinator reads new entries by sequence.
 */
export class QueueShard extends DurableObject<Env> {
  private ready = false;
  private rowsWritten = 0;

  /** The user's place, or a new one at the back if they have none or theirs is spent. */
  async join(request: ShardJoinRequest): Promise<ShardJoin> {
    this.createTables();
    const sql = this.ctx.storage.sql;
    const existing = sql
      .exec<{ seq: number; order_key: number }>(
        "SELECT seq, order_key FROM entries WHERE user_id = ?",
        request.userId,
      )
      .toArray()[0];
    if (existing) {
      const entry: Entry = [existing.order_key, request.shard, existing.seq];
      if (!isAtOrBefore(entry, request.expiredCursor)) return { entry, created: false };
    }
    const now = Date.now();
    const seq =
      (sql.exec<{ last: number | null }>("SELECT MAX(seq) AS last FROM entries").one().last ?? 0) +
      1;
    const key = newEntryKey(now, request.opensAt, Math.random(), request.cursor);
    const cursor = sql.exec(
      "INSERT INTO entries (seq, user_id, order_key) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET seq = excluded.seq, order_key = excluded.order_key",
      seq,
      request.userId,
      key,
    );
    this.rowsWritten += cursor.rowsWritten;
    return { entry: [key, request.shard, seq], created: true };
  }

  /** Entries with a sequence number above `afterSeq`, in sequence order. */
  async read(shard: number, afterSeq: number): Promise<ShardRead> {
    if (!this.tablesExist()) return { entries: [], rowsWritten: this.rowsWritten };
    const rows = this.ctx.storage.sql.exec<{ seq: number; order_key: number }>(
      "SELECT seq, order_key FROM entries WHERE seq > ? ORDER BY seq LIMIT ?",
      afterSeq,
      READ_LIMIT,
    );
    const entries: Entry[] = [];
    for (const row of rows) entries.push([row.order_key, shard, row.seq]);
    return { entries, rowsWritten: this.rowsWritten };
  }

  /** Whether the shard has any entries at all; reading an empty shard writes nothing. */
  private tablesExist(): boolean {
    if (this.ready) return true;
    this.ready =
      this.ctx.storage.sql
        .exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'entries'")
        .toArray().length > 0;
    return this.ready;
  }

  private createTables(): void {
    if (this.tablesExist()) return;
    // The sequence is the rowid, so a join writes the row and the user's index entry only.
    // A rejoin moves the user's row to a new sequence number.
    this.ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS entries (
        seq INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL UNIQUE,
        order_key INTEGER NOT NULL
      )`);
    this.ready = true;
  }
}
