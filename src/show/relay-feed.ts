import { type LiveChange, RecentChanges } from "../contract/live-protocol.ts";
import { relayStubNamed } from "../contract/object-stubs.ts";
import type { ShowLog } from "./show-log.ts";

/** Changes kept for relays that missed some (and viewers resuming through them). */
const RECENT_CHANGES = 512;
/** Old changes are pruned from storage once this many more have been added. */
const PRUNE_EVERY = 64;

/**
 * The show object's side of the live feed: the relays that have viewers (kept in the
 * object's SQLite, so a restarted object goes on publishing to them), and each coalesced
 * change published once per relay. The object's work per change grows with the relays,
 * never with the viewers; a relay that misses one asks for what it lacks (`since`). The
 * latest changes are stored too, so viewers resuming after a deploy (which drops every
 * socket and restarts every object) still get only what they missed.
 */
export class RelayFeed {
  private readonly relays = new Set<string>();
  private readonly recent = new RecentChanges(RECENT_CHANGES);
  private sincePrune = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Env,
    private readonly log: ShowLog,
  ) {
    for (const row of sql.exec<{ name: string }>("SELECT name FROM live_relays")) {
      this.relays.add(row.name);
    }
    const stored = sql
      .exec<{ to_version: number; from_version: number; changes: string }>(
        "SELECT * FROM live_changes ORDER BY to_version DESC LIMIT ?",
        RECENT_CHANGES,
      )
      .toArray()
      .reverse();
    for (const row of stored) {
      this.recent.add({
        from: row.from_version,
        to: row.to_version,
        changes: JSON.parse(row.changes) as LiveChange["changes"],
      });
    }
  }

  /** A relay got its first viewer; idempotent. */
  attach(name: string): void {
    if (this.relays.has(name)) return;
    this.relays.add(name);
    this.sql.exec("INSERT OR IGNORE INTO live_relays (name) VALUES (?)", name);
  }

  /** A relay's last viewer left; idempotent. */
  detach(name: string): void {
    if (!this.relays.delete(name)) return;
    this.sql.exec("DELETE FROM live_relays WHERE name = ?", name);
  }

  get relayCount(): number {
    return this.relays.size;
  }

  /** One call per relay, not awaited: a relay that misses it catches up by version. */
  publish(change: LiveChange): void {
    this.recent.add(change);
    this.store(change);
    for (const name of this.relays) {
      this.relay(name)
        .publish(change)
        .catch((err: unknown) => {
          this.log.write("warn", "relay publish failed", {
            relay: name,
            version: change.to,
            message: err instanceof Error ? err.message : String(err),
          });
        });
    }
  }

  private store(change: LiveChange): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO live_changes (to_version, from_version, changes) VALUES (?, ?, ?)",
      change.to,
      change.from,
      JSON.stringify(change.changes),
    );
    if (++this.sincePrune < PRUNE_EVERY) return;
    this.sincePrune = 0;
    this.sql.exec(
      `DELETE FROM live_changes WHERE to_version <
        (SELECT to_version FROM live_changes ORDER BY to_version DESC LIMIT 1 OFFSET ?)`,
      RECENT_CHANGES - 1,
    );
  }

  /**
   * A message about the show itself (not its seats) for every viewer: not versioned. With
   * `layoutChanged` (new prices) each relay reloads the layout and sends fresh snapshots.
   */
  announce(
    message: { type: "show"; status: string; show_time: string },
    layoutChanged = false,
  ): void {
    const text = JSON.stringify(message);
    for (const name of this.relays) {
      this.relay(name)
        .announce(text, layoutChanged)
        .catch((err: unknown) => {
          this.log.write("warn", "relay announce failed", {
            relay: name,
            message: err instanceof Error ? err.message : String(err),
          });
        });
    }
  }

  private relay(name: string) {
    return relayStubNamed(this.env, name);
  }

  /** The changes after `version` up to `current`, if all of them are still held. */
  since(version: number, current: number): LiveChange | undefined {
    return this.recent.since(version, current);
  }
}
