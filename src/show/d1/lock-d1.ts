import { and, eq } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import type { LockStatus } from "../../db/schema.ts";
import { seatLocks } from "../../db/schema.ts";
import { iso } from "../../lib/iso-time.ts";
import type { SeatLock } from "../seats/seat-lock.ts";
import type { D1Statement } from "./d1-outbox.ts";
import { sqlOnce } from "./record-sql.ts";

/**
 * The D1 `seat_locks` rows that follow a lock's life: one row per seat of the lock. A
 * lock's places of standing areas are the show object's alone (D1 records them once
 * booked, in booking_areas): a lock of places only writes nothing here.
 */

export function lockCreated(db: Database, showId: string, lock: SeatLock): D1Statement[] {
  if (lock.seatIds.length === 0) return [];
  const expiresAt = iso(lock.expiresAt);
  const createdAt = iso(lock.lockedAt);
  const rows = lock.seatIds.map((seatId) => ({
    lockId: lock.lockId,
    showId,
    seatId,
    userId: lock.userId,
    status: "locked" as const,
    expiresAt,
    createdAt,
  }));
  const sql = sqlOnce(`lockCreated:${rows.length}`, () =>
    db
      .insert(seatLocks)
      .values(rows)
      // A retried write of the same rows is a no-op; any other conflict (a second live lock on
      // a seat, uq_seat_locks_live) must fail, not vanish.
      .onConflictDoNothing({ target: [seatLocks.lockId, seatLocks.seatId] }),
  );
  const params = rows.flatMap((r) => [
    r.lockId,
    r.showId,
    r.seatId,
    r.userId,
    r.status,
    r.expiresAt,
    r.createdAt,
  ]);
  return [{ sql, params }];
}

export function lockEnded(
  db: Database,
  lockId: string,
  status: Exclude<LockStatus, "locked">,
  at: number,
): D1Statement {
  const sql = sqlOnce("lockEnded", () =>
    db
      .update(seatLocks)
      .set({ status, releasedAt: iso(at) })
      .where(and(eq(seatLocks.lockId, lockId), eq(seatLocks.status, "locked"))),
  );
  return { sql, params: [status, iso(at), lockId, "locked"] };
}

/** A live lock holds longer (a payment waiting for the buyer). */
export function lockExtended(db: Database, lockId: string, expiresAt: number): D1Statement {
  const sql = sqlOnce("lockExtended", () =>
    db
      .update(seatLocks)
      .set({ expiresAt: iso(expiresAt) })
      .where(and(eq(seatLocks.lockId, lockId), eq(seatLocks.status, "locked"))),
  );
  return { sql, params: [iso(expiresAt), lockId, "locked"] };
}
