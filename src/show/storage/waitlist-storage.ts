/**
 * A show's waitlist in its object's SQLite, with every entry kept in memory in the order
 * they joined (a cache rebuilt from the table on load): the seat book asks after every
 * change that frees seats whether anyone waits, so the answer must cost nothing when
 * nobody does.
 */

export interface WaitlistEntry {
  /** Join order: lower joined first. */
  seq: number;
  userId: string;
  quantity: number;
  /** The zone asked for; null: any zone. */
  zone: string | null;
  joinedAt: number;
  /** The lock offered to this buyer (set once, when seats came back); null while waiting. */
  lockId: string | null;
  offeredAt: number | null;
}

interface WaitlistRow extends Record<string, SqlStorageValue> {
  seq: number;
  user_id: string;
  quantity: number;
  zone: string | null;
  joined_at: number;
  lock_id: string | null;
  offered_at: number | null;
}

export class WaitlistStorage {
  /** Every entry, in join order. */
  private readonly entries: WaitlistEntry[];

  constructor(private readonly sql: SqlStorage) {
    this.entries = sql
      .exec<WaitlistRow>("SELECT * FROM waitlist ORDER BY seq")
      .toArray()
      .map((row) => ({
        seq: row.seq,
        userId: row.user_id,
        quantity: row.quantity,
        zone: row.zone,
        joinedAt: row.joined_at,
        lockId: row.lock_id,
        offeredAt: row.offered_at,
      }));
  }

  /** Whether anyone is on the list (waiting or offered). */
  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** Every entry, in join order. */
  all(): readonly WaitlistEntry[] {
    return this.entries;
  }

  find(userId: string): WaitlistEntry | undefined {
    return this.entries.find((entry) => entry.userId === userId);
  }

  /** 1 for the first in line: entries offered seats still count (they joined before). */
  positionOf(entry: WaitlistEntry): number {
    return this.entries.indexOf(entry) + 1;
  }

  /** Adds a buyer at the end of the line (call inside a transaction). */
  join(input: { userId: string; quantity: number; zone: string | null; joinedAt: number }): void {
    const row = this.sql
      .exec<{ seq: number }>(
        "INSERT INTO waitlist (user_id, quantity, zone, joined_at) VALUES (?, ?, ?, ?) RETURNING seq",
        input.userId,
        input.quantity,
        input.zone,
        input.joinedAt,
      )
      .one();
    this.entries.push({ ...input, seq: row.seq, lockId: null, offeredAt: null });
  }

  /** Records the lock offered to `entry`'s buyer. */
  offer(entry: WaitlistEntry, lockId: string, now: number): void {
    this.sql.exec(
      "UPDATE waitlist SET lock_id = ?, offered_at = ? WHERE seq = ?",
      lockId,
      now,
      entry.seq,
    );
    entry.lockId = lockId;
    entry.offeredAt = now;
  }

  /** Takes the buyer off the list. */
  remove(entry: WaitlistEntry): void {
    this.sql.exec("DELETE FROM waitlist WHERE seq = ?", entry.seq);
    const index = this.entries.indexOf(entry);
    if (index >= 0) this.entries.splice(index, 1);
  }
}
