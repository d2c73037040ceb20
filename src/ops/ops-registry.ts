import { DurableObject } from "cloudflare:workers";
import { isSettled, type StuckWork } from "./stuck-work.ts";

/**
 * Where shows report their unsettled work, so GET /v1/admin/status answers from one place
 * without waking every show object. A show reports only when its unsettled work changes
 * (from its alarm, which runs while anything is unsettled), so this object sees a handful
 * of calls per show per incident, not one per sale.
 */
export class OpsRegistry extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS stuck_shows (
        show_id TEXT PRIMARY KEY,
        work TEXT NOT NULL,
        reported_at INTEGER NOT NULL
      )`,
    );
  }

  /** A show's unsettled work now; settled work removes the show from the list. */
  report(showId: string, work: StuckWork, at: number): void {
    if (isSettled(work)) {
      this.ctx.storage.sql.exec("DELETE FROM stuck_shows WHERE show_id = ?", showId);
      return;
    }
    this.ctx.storage.sql.exec(
      `INSERT INTO stuck_shows (show_id, work, reported_at) VALUES (?, ?, ?)
       ON CONFLICT (show_id) DO UPDATE SET work = excluded.work, reported_at = excluded.reported_at`,
      showId,
      JSON.stringify(work),
      at,
    );
  }

  /** Every show with unsettled work, oldest report first. */
  stuckShows(): { showId: string; work: StuckWork; reportedAt: number }[] {
    return this.ctx.storage.sql
      .exec<{ show_id: string; work: string; reported_at: number }>(
        "SELECT show_id, work, reported_at FROM stuck_shows ORDER BY reported_at",
      )
      .toArray()
      .map((row) => ({
        showId: row.show_id,
        work: JSON.parse(row.work) as StuckWork,
        reportedAt: row.reported_at,
      }));
  }
}
