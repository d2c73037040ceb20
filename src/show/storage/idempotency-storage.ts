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
  constructor(private readonly sql: SqlStorage) {}

  /**
   * Forgets operations that were running when the object last stopped: nothing of them
   * runs any more, so a retry must be able to start them again.
   */
  forgetUnfinished(): void {
    this.sql.exec("DELETE FROM operations WHERE status IS NULL");
  }

  begin(key: OperationKey, now: number): OperationStart {
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
    this.sql.exec(
      "INSERT INTO operations (scope, request_hash, created_at) VALUES (?, ?, ?)",
      key.scope,
      key.hash,
      now,
    );
    return { kind: "new" };
  }

  finish(key: OperationKey, status: number, body: string): void {
    this.sql.exec(
      "UPDATE operations SET status = ?, body = ? WHERE scope = ?",
      status,
      body,
      key.scope,
    );
  }

  /** The operation failed in a way worth retrying (a 5xx): forget it. */
  abandon(key: OperationKey): void {
    this.sql.exec("DELETE FROM operations WHERE scope = ?", key.scope);
  }

  prune(now: number): void {
    this.sql.exec(
      "DELETE FROM operations WHERE status IS NOT NULL AND created_at < ?",
      now - OPERATION_TTL_MS,
    );
  }
}
