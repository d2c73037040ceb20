import { newId } from "../lib/ids.ts";

/**
 * A lock id carries its show, so `GET /v1/seats/lock/{lock_id}` reaches the right show
 * object without a lookup: `lock_<20 random chars>_<show id without "show_">`.
 */
export function newLockId(showId: string): string {
  return `${newId("lock")}_${showId.slice("show_".length)}`;
}

const LOCK_ID = /^lock_[0-9a-z]{20}_([A-Za-z0-9_-]+)$/;

export function showIdOfLock(lockId: string): string | undefined {
  const match = LOCK_ID.exec(lockId);
  return match?.[1] ? `show_${match[1]}` : undefined;
}
