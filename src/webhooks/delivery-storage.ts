import type { WebhookEvent } from "./webhook-event-types.ts";

/**
 * A webhook's deliveries in its object's SQLite: one row per event (pending → delivered,
 * failed after the retry window, or cancelled when the webhook is deleted) and a row per
 * attempt, kept for GET /v1/webhooks/{id}/deliveries.
 */

export type DeliveryStatus = "pending" | "delivered" | "failed" | "cancelled";

export interface Delivery extends Record<string, SqlStorageValue> {
  seq: number;
  event_id: string;
  type: string;
  ordering_key: string;
  body: string;
  occurred_at: number;
  status: DeliveryStatus;
  attempts: number;
  first_attempt_at: number | null;
  last_attempt_at: number | null;
  next_attempt_at: number;
  last_response_status: number | null;
  last_error: string | null;
  done_at: number | null;
}

export interface Attempt extends Record<string, SqlStorageValue> {
  event_id: string;
  at: number;
  response_status: number | null;
  error: string | null;
  duration_ms: number;
}

/**
 * A webhook's open and given-up deliveries, for the operator's status: `pending` not tried
 * yet (new, or waiting behind an earlier event of its booking), `failing` tried and failed
 * every time so far but still within the retry window, `failed` given up (kept, like every
 * finished delivery, for KEEP_FINISHED_MS).
 */
export interface DeliveryCounts {
  pending: number;
  failing: number;
  failed: number;
}

export interface Endpoint extends Record<string, SqlStorageValue> {
  webhook_id: string;
  url: string;
  secret: string;
  disabled_at: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS endpoint (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  webhook_id TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  disabled_at INTEGER
);
CREATE TABLE IF NOT EXISTS deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  ordering_key TEXT NOT NULL,
  body TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  first_attempt_at INTEGER,
  last_attempt_at INTEGER,
  next_attempt_at INTEGER NOT NULL,
  last_response_status INTEGER,
  last_error TEXT,
  done_at INTEGER
);
CREATE INDEX IF NOT EXISTS idx_deliveries_open ON deliveries (status, ordering_key, seq);
CREATE TABLE IF NOT EXISTS attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  response_status INTEGER,
  error TEXT,
  duration_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_attempts_event ON attempts (event_id, id);
`;

/** Finished deliveries are forgotten after this long; attempts beyond the newest N too. */
export const KEEP_FINISHED_MS = 7 * 24 * 3600_000;
const KEEP_ATTEMPTS = 2_000;

export class DeliveryStorage {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
  }

  endpoint(): Endpoint | undefined {
    return this.sql
      .exec<Endpoint>("SELECT webhook_id, url, secret, disabled_at FROM endpoint")
      .toArray()[0];
  }

  /** Sets the webhook up once; a repeat (same id) changes nothing. */
  configure(webhookId: string, url: string, secret: string): void {
    this.sql.exec(
      "INSERT OR IGNORE INTO endpoint (id, webhook_id, url, secret) VALUES (1, ?, ?, ?)",
      webhookId,
      url,
      secret,
    );
  }

  /** Adds the events not seen before, in the order given; answers how many were new. */
  accept(events: readonly WebhookEvent[], now: number): number {
    let added = 0;
    for (const event of events) {
      added += this.sql.exec(
        `INSERT OR IGNORE INTO deliveries (event_id, type, ordering_key, body, occurred_at, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
        event.eventId,
        event.type,
        event.orderingKey,
        event.body,
        event.occurredAt,
        now,
      ).rowsWritten;
    }
    return added;
  }

  /**
   * The first open delivery of each ordering key whose try is due, oldest first: a later
   * event of a booking waits until the one before it is done, so they arrive in order.
   */
  dueHeads(now: number, limit: number): Delivery[] {
    return this.sql
      .exec<Delivery>(
        `SELECT d.* FROM deliveries d
         JOIN (SELECT min(seq) AS seq FROM deliveries WHERE status = 'pending' GROUP BY ordering_key) h
           ON d.seq = h.seq
         WHERE d.next_attempt_at <= ? ORDER BY d.seq LIMIT ?`,
        now,
        limit,
      )
      .toArray();
  }

  /** When the next try of any ordering key's first open delivery is due. */
  nextDueAt(): number | undefined {
    const row = this.sql
      .exec<{ at: number | null }>(
        `SELECT min(d.next_attempt_at) AS at FROM deliveries d
         JOIN (SELECT min(seq) AS seq FROM deliveries WHERE status = 'pending' GROUP BY ordering_key) h
           ON d.seq = h.seq`,
      )
      .one();
    return row.at ?? undefined;
  }

  /** Records one attempt and where the delivery stands after it, in one transaction. */
  recordAttempt(
    delivery: Delivery,
    attempt: Omit<Attempt, "event_id">,
    outcome: { status: DeliveryStatus; nextAttemptAt: number },
  ): void {
    this.sql.exec(
      "INSERT INTO attempts (event_id, at, response_status, error, duration_ms) VALUES (?, ?, ?, ?, ?)",
      delivery.event_id,
      attempt.at,
      attempt.response_status,
      attempt.error,
      attempt.duration_ms,
    );
    this.sql.exec(
      `UPDATE deliveries SET status = ?, attempts = attempts + 1,
         first_attempt_at = coalesce(first_attempt_at, ?), last_attempt_at = ?,
         next_attempt_at = ?, last_response_status = ?, last_error = ?, done_at = ?
       WHERE event_id = ?`,
      outcome.status,
      attempt.at,
      attempt.at,
      outcome.nextAttemptAt,
      attempt.response_status,
      attempt.error,
      outcome.status === "pending" ? null : attempt.at,
      delivery.event_id,
    );
  }

  /** The webhook was deleted: nothing more is sent, so its signing secret is erased. */
  disable(now: number): void {
    this.sql.exec("UPDATE endpoint SET disabled_at = coalesce(disabled_at, ?), secret = ''", now);
    this.sql.exec(
      "UPDATE deliveries SET status = 'cancelled', done_at = ? WHERE status = 'pending'",
      now,
    );
  }

  /** The newest deliveries with their newest attempts (at most `attemptsEach` each). */
  recent(limit: number, attemptsEach: number): { delivery: Delivery; attempts: Attempt[] }[] {
    const deliveries = this.sql
      .exec<Delivery>("SELECT * FROM deliveries ORDER BY seq DESC LIMIT ?", limit)
      .toArray();
    return deliveries.map((delivery) => ({
      delivery,
      attempts: this.sql
        .exec<Attempt>(
          `SELECT event_id, at, response_status, error, duration_ms FROM attempts
           WHERE event_id = ? ORDER BY id DESC LIMIT ?`,
          delivery.event_id,
          attemptsEach,
        )
        .toArray(),
    }));
  }

  counts(): DeliveryCounts {
    return this.sql
      .exec<{ pending: number; failing: number; failed: number }>(
        `SELECT coalesce(sum(status = 'pending' AND attempts = 0), 0) AS pending,
           coalesce(sum(status = 'pending' AND attempts > 0), 0) AS failing,
           coalesce(sum(status = 'failed'), 0) AS failed
         FROM deliveries`,
      )
      .one();
  }

  /** When the oldest finished delivery is due to be forgotten (see prune). */
  nextCleanupAt(): number | undefined {
    const row = this.sql
      .exec<{ at: number | null }>(
        "SELECT min(done_at) AS at FROM deliveries WHERE status != 'pending'",
      )
      .one();
    return row.at === null ? undefined : row.at + KEEP_FINISHED_MS;
  }

  /** Forgets finished deliveries past their keeping time, and old attempts. */
  prune(now: number): void {
    const old = now - KEEP_FINISHED_MS;
    this.sql.exec(
      "DELETE FROM attempts WHERE event_id IN (SELECT event_id FROM deliveries WHERE status != 'pending' AND done_at <= ?)",
      old,
    );
    this.sql.exec("DELETE FROM deliveries WHERE status != 'pending' AND done_at <= ?", old);
    this.sql.exec(
      "DELETE FROM attempts WHERE id <= (SELECT id FROM attempts ORDER BY id DESC LIMIT 1 OFFSET ?)",
      KEEP_ATTEMPTS,
    );
  }
}
