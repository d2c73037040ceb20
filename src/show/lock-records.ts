import { and, eq } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import type { LockStatus } from "../db/schema.ts";
import { seatLocks } from "../db/schema.ts";
import { iso } from "../lib/iso-time.ts";
import type { D1Statement } from "./d1-outbox.ts";
import type { SeatLock } from "./seat-book.ts";

/** The D1 `seat_locks` rows that follow a lock's life: one row per seat of the lock. */

export function lockCreated(db: Database, showId: string, lock: SeatLock): D1Statement {
  const query = db
    .insert(seatLocks)
    .values(
      lock.seatIds.map((seatId) => ({
        lockId: lock.lockId,
        showId,
        seatId,
        userId: lock.userId,
        status: "locked" as const,
        expiresAt: iso(lock.expiresAt),
        createdAt: iso(lock.lockedAt),
      })),
    )
    // A retried write of the same rows is a no-op; any other conflict (a second live lock on
    // a seat, uq_seat_locks_live) must fail, not vanish.
    .onConflictDoNothing({ target: [seatLocks.lockId, seatLocks.seatId] })
    .toSQL();
  return { sql: query.sql, params: query.params };
}

export function lockEnded(
  db: Database,
  lockId: string,
  status: Exclude<LockStatus, "locked">,
  at: number,
): D1Statement {
  const query = db
    .update(seatLocks)
    .set({ status, releasedAt: iso(at) })
    .where(and(eq(seatLocks.lockId, lockId), eq(seatLocks.status, "locked")))
    .toSQL();
  return { sql: query.sql, params: query.params };
}
