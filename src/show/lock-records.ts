import { and, eq } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import { seatLocks } from "../db/schema.ts";
import type { D1Statement } from "./d1-outbox.ts";
import type { LockStatus, SeatLock } from "./seat-book.ts";

/** The D1 `seat_locks` rows that follow a lock's life: one row per seat of the lock. */

const iso = (ms: number) => new Date(ms).toISOString();

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
    .onConflictDoNothing()
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
