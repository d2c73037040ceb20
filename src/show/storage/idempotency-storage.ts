/**
 * The show object's memory of idempotent operations (Idempotency-Key), the guard against
 * concurrent duplicates that KV, being eventually consistent, cannot be. Scoped by user,
 * endpoint and key; keeps the exact reply so a retry gets the same bytes back.
 */

interface OperationKey {
  /** `<user>:<endpoint>:<Idempotency-Key>` */
  scope: string;
  /** A keyed hash of the request, to refuse the same key with a different request. */
  hash: string;
}

type OperationStart =
  | { kind: "new" }
  | { kind: "replay"; status: number; body: string }
  | { kind: "in_progress" }
  | { kind: "reused" };

/** How long a finished operation is remembered, as KV keeps it. */
const OPERATION_TTL_MS = 24 * 3600 * 1000;

export class IdempotencyStorage {
  /**
   * Operations running in this instance, by scope: kept in memory, never stored. One that
   * was running when the object stopped runs no more, so a retry must start it afresh; and
   * a row written at the start would cost every keyed request a commit of its own (the
   * change's transaction commits what was written before it first).
   */
  private readonly running = new Map<string, { hash: string; startedAt: number }>();

  constructor(private readonly sql: SqlStorage) {}

  /**
   * Forgets the rows of operations that were running when the object last stopped (earlier
   * versions stored them at the start): a retry must be able to start them again.
   */
  forgetUnfinished(): void {
    this.sql.exec("DELETE FROM operations WHERE status IS NULL");
  }

  begin(key: OperationKey, now: number): OperationStart {
    const running = this.running.get(key.scope);
    if (running) return running.hash === key.hash ? { kind: "in_progress" } : { kind: "reused" };
    const row = this.sql
      .exec<{ request_hash: string; status: number | null; body: string | null }>(
        "SELECT request_hash, status, body FROM operations WHERE scope = ?",
        key.scope,
      )
      .toArray()[0];
    if (row) {
      if (row.request_hash !== key.hash) return { kind: "reused" };
      if (row.status === null || row.body === null) return { kind: "in_progress" };
      return { kind: "replay", status: row.status, body: row.body };
    }
    this.running.set(key.scope, { hash: key.hash, startedAt: now });
    return { kind: "new" };
  }

  /** Stores the operation's reply (inside the transaction of the change it reports). */
  finish(key: OperationKey, status: number, body: string): void {
    const startedAt = this.running.get(key.scope)?.startedAt ?? Date.now();
    this.running.delete(key.scope);
    this.sql.exec(
      `INSERT INTO operations (scope, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (scope) DO UPDATE SET status = excluded.status, body = excluded.body`,
      key.scope,
      key.hash,
      status,
      body,
      startedAt,
    );
  }

  /** The operation failed in a way worth retrying (a 5xx): forget it. */
  abandon(key: OperationKey): void {
    this.running.delete(key.scope);
  }

  prune(now: number): void {
    this.sql.exec(
      "DELETE FROM operations WHERE status IS NOT NULL AND created_at < ?",
      now - OPERATION_TTL_MS,
    );
  }
}
