import type { ShowLog } from "../show-log.ts";
import { migrateShowSchema } from "../storage/schema-migrations.ts";

/**
 * Writes bound for D1, kept in the show object's SQLite first. A change is stored in the
 * object and queued here in the same synchronous step, so the object can answer without
 * waiting on D1; flush() then sends the queue to D1 in order, in one batch (one D1
 * transaction), and forgets what D1 accepted. What fails stays queued for the next flush
 * (the object's alarm retries), so D1 ends up agreeing with the object.
 */

export interface D1Statement {
  sql: string;
  params: unknown[];
}

interface OutboxRow extends Record<string, SqlStorageValue> {
  id: number;
  statement: string;
  params: string;
  attempts: number;
}

/** A D1 read sent in the outbox's next batch (read()). */
export interface RidingRead {
  answer: Promise<D1Result>;
  /** Whether its batch has been sent: what happens after that may not be in its answer. */
  sent: boolean;
}

interface Rider {
  read: RidingRead;
  statement: D1PreparedStatement;
  resolve: (result: D1Result) => void;
  reject: (error: unknown) => void;
}

/** A batch that failed this often is retried statement by statement to find a bad one. */
const ATTEMPTS_BEFORE_SINGLE_STEPPING = 3;
/** Largest batch sent at once. */
const BATCH_SIZE = 200;
/** Outbox rows one INSERT writes: 3 values each, within an object query's 100. */
const ROWS_PER_INSERT = 33;

export class D1Outbox {
  private flushing: Promise<boolean> | undefined;
  private ready = false;
  private riders: Rider[] = [];

  /**
   * `sendSoon`: how a read asks for its batch to be sent; without it, once the current step
   * is over. The show passes its batch window, so a change's reads and rows go together.
   */
  constructor(
    private readonly sql: SqlStorage,
    private readonly db: D1Database,
    private readonly log: ShowLog,
    private readonly sendSoon: () => void = () => queueMicrotask(() => void this.flush()),
  ) {}

  /** The object's tables, brought up to date once per instance (schema-migrations.ts). */
  prepare(): void {
    if (this.ready) return;
    migrateShowSchema(this.sql);
    this.ready = true;
  }

  /** Queues statements; call inside the same synchronous step as the change they record. */
  enqueue(statements: readonly D1Statement[]): void {
    this.prepare();
    const now = Date.now();
    // A change's statements in one exec() (a booking has four), a row each, in their order:
    // one VALUES list, which SQLite writes without reading a row (a json_each() source is
    // read and sorted first). An object's query binds at most 100 values: 33 rows of 3.
    for (let i = 0; i < statements.length; i += ROWS_PER_INSERT) {
      const rows = statements.slice(i, i + ROWS_PER_INSERT);
      this.sql.exec(
        `INSERT INTO d1_outbox (statement, params, enqueued_at) VALUES ${rows.map(() => "(?, ?, ?)").join(", ")}`,
        ...rows.flatMap((s) => [s.sql, JSON.stringify(s.params), now]),
      );
    }
  }

  /** What waits for D1, for operators: how many rows, since when. */
  backlog(): { waiting: number; oldestAt: number | null } {
    if (!this.ready) return { waiting: 0, oldestAt: null };
    const row = this.sql
      .exec<{ waiting: number; oldest: number | null }>(
        "SELECT count(*) AS waiting, min(enqueued_at) AS oldest FROM d1_outbox",
      )
      .one();
    return { waiting: row.waiting, oldestAt: row.oldest };
  }

  /** Statements D1 refused outright, set aside: they need a person. */
  deadLetters(): { id: number; error: string; failedAt: number }[] {
    if (!this.ready) return [];
    return this.sql
      .exec<{ id: number; error: string; failed_at: number }>(
        "SELECT id, error, failed_at FROM d1_dead_letters ORDER BY id",
      )
      .toArray()
      .map((row) => ({ id: row.id, error: row.error, failedAt: row.failed_at }));
  }

  pending(): boolean {
    if (!this.ready) return false;
    return this.sql.exec("SELECT 1 FROM d1_outbox LIMIT 1").toArray().length > 0;
  }

  /**
   * Sends everything queued. Concurrent callers share one flush; resolves true when the
   * queue is empty afterwards.
   */
  flush(): Promise<boolean> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
      // A read asked for after the last batch went.
      if (this.riders.length > 0) void this.flush();
    });
    return this.flushing;
  }

  /**
   * Reads D1 in the next batch this outbox sends (a webhook outbox's subscribers: one D1
   * request fewer per change), or alone when nothing is queued; sent after this call, so
   * its answer is as fresh as a read of one's own. May be called inside a transaction: the
   * flush it asks for (sendSoon) starts once the current step is over. A batch D1 refuses
   * leaves the reads to go alone.
   */
  read(statement: D1PreparedStatement): RidingRead {
    let resolve: (result: D1Result) => void = () => {};
    let reject: (error: unknown) => void = () => {};
    const answer = new Promise<D1Result>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const read: RidingRead = { answer, sent: false };
    this.riders.push({ read, statement, resolve, reject });
    this.sendSoon();
    return read;
  }

  private async drain(): Promise<boolean> {
    let taken: Rider[] = [];
    try {
      for (;;) {
        const rows = this.ready
          ? this.sql
              .exec<OutboxRow>("SELECT * FROM d1_outbox ORDER BY id LIMIT ?", BATCH_SIZE)
              .toArray()
          : [];
        taken = this.riders.splice(0);
        const first = rows[0];
        if (!first) {
          await this.sendReads(taken);
          return true;
        }
        let sent: boolean;
        if (first.attempts >= ATTEMPTS_BEFORE_SINGLE_STEPPING) {
          await this.sendReads(taken);
          sent = await this.sendOne(first);
        } else sent = await this.sendBatch(rows, taken);
        if (!sent) return false;
      }
    } finally {
      // Settled already, but for a step that threw.
      for (const rider of taken) rider.reject(new Error("D1 outbox flush stopped"));
    }
  }

  /** Reads alone, in one batch of their own. */
  private async sendReads(riders: Rider[]): Promise<void> {
    if (riders.length === 0) return;
    for (const rider of riders) rider.read.sent = true;
    try {
      const results = await this.db.batch(riders.map((rider) => rider.statement));
      for (const [i, rider] of riders.entries()) settle(rider, results[i]);
    } catch (err) {
      for (const rider of riders) rider.reject(err);
    }
  }

  private prepared(row: OutboxRow): D1PreparedStatement {
    return this.db.prepare(row.statement).bind(...(JSON.parse(row.params) as unknown[]));
  }

  private async sendBatch(rows: OutboxRow[], riders: Rider[]): Promise<boolean> {
    let results: D1Result[];
    for (const rider of riders) rider.read.sent = true;
    try {
      results = await this.db.batch([
        ...rows.map((row) => this.prepared(row)),
        ...riders.map((rider) => rider.statement),
      ]);
    } catch (err) {
      const ids = rows.map((row) => row.id);
      this.sql.exec(
        `UPDATE d1_outbox SET attempts = attempts + 1 WHERE id IN (${ids.map(() => "?").join(",")})`,
        ...ids,
      );
      this.log.write("warn", "outbox retry", {
        rows: rows.length,
        attempts: (rows[0]?.attempts ?? 0) + 1,
        message: messageOf(err),
      });
      await this.sendReads(riders);
      return false;
    }
    const last = rows.at(-1);
    if (last) this.sql.exec("DELETE FROM d1_outbox WHERE id <= ?", last.id);
    for (const [i, rider] of riders.entries()) settle(rider, results[rows.length + i]);
    return true;
  }

  /**
   * After repeated batch failures: the oldest statement alone. If D1 refuses it outright
   * (a constraint violation, which no retry can mend), it is set aside as a dead letter and
   * logged, so it cannot block the queue behind it for ever; any other failure leaves it
   * queued.
   */
  private async sendOne(row: OutboxRow): Promise<boolean> {
    try {
      await this.prepared(row).run();
    } catch (err) {
      const message = messageOf(err);
      // Only a statement D1 refuses on its merits is set aside; anything else (an outage, a
      // trigger, a timeout) is retried for as long as it takes.
      if (!/(UNIQUE|CHECK|FOREIGN KEY|NOT NULL) constraint failed/i.test(message)) {
        this.sql.exec("UPDATE d1_outbox SET attempts = attempts + 1 WHERE id = ?", row.id);
        this.log.write("warn", "outbox retry", {
          rows: 1,
          attempts: row.attempts + 1,
          message,
        });
        return false;
      }
      // Its own id: an outbox id may be given again once the queue has been empty.
      const letter = this.sql
        .exec<{ id: number }>(
          "INSERT INTO d1_dead_letters (statement, params, error, failed_at) VALUES (?, ?, ?, ?) RETURNING id",
          row.statement,
          row.params,
          message,
          Date.now(),
        )
        .one();
      // outbox_id: the id the operator's status lists the letter under.
      this.log.write("error", "outbox dead letter", { outbox_id: letter.id, message });
    }
    this.sql.exec("DELETE FROM d1_outbox WHERE id = ?", row.id);
    return true;
  }
}

function settle(rider: Rider, result: D1Result | undefined): void {
  if (result) rider.resolve(result);
  else rider.reject(new Error("D1 batch: no result for a read"));
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
