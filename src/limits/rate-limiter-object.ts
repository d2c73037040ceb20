import { DurableObject } from "cloudflare:workers";
import { type Decision, take, type WindowCount } from "./fixed-window.ts";

/**
 * One per client (`idFromName("user:<sub>")`, `"ip:<IPv4>"` or `"ip6:<prefix>::/64"`, see
 * client-address.ts): the client's request counts per endpoint class. A single object per
 * client makes counts exact under any concurrency: its calls run one at a time. Counts are kept in its SQLite storage, so an
 * eviction does not hand out a fresh budget mid-window.
 */
export class RateLimiter extends DurableObject<Env> {
  private readonly counts = new Map<string, WindowCount>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS windows (class TEXT PRIMARY KEY, window_start INTEGER NOT NULL, count INTEGER NOT NULL)",
    );
    for (const row of ctx.storage.sql.exec<{ class: string; window_start: number; count: number }>(
      "SELECT * FROM windows",
    )) {
      this.counts.set(row.class, { windowStart: row.window_start, count: row.count });
    }
  }

  /** Counts one request of `limitClass` and says whether it may go ahead. */
  async take(limitClass: string, limit: number, windowMs: number): Promise<Decision> {
    const { next, decision } = take(this.counts.get(limitClass), limit, windowMs, Date.now());
    if (decision.allowed) {
      this.counts.set(limitClass, next);
      this.ctx.storage.sql.exec(
        "INSERT INTO windows (class, window_start, count) VALUES (?, ?, ?) ON CONFLICT (class) DO UPDATE SET window_start = excluded.window_start, count = excluded.count",
        limitClass,
        next.windowStart,
        next.count,
      );
    }
    return decision;
  }
}
