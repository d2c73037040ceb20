import { holdsAt, placesOf, type SeatLock } from "./seat-lock.ts";

/**
 * A show's live locks, by id and by the seats they hold: what a seat's status, a lock's
 * conflicts, a buyer's limit, an access code's uses and the alarm read (seat-ledger.ts
 * owns them). A lock leaves when it is released, expired or confirmed. Until expireDue()
 * ends it, a lock past its expiry is still here but no longer holds (holdsAt); a new lock
 * on one of its seats simply takes the seat over.
 */
export class LiveLocks {
  private readonly byId = new Map<string, SeatLock>();
  /** seat id → the live lock pointing at it. */
  private readonly bySeat = new Map<string, SeatLock>();

  /** The lock by id while it is live, past its expiry too until it is ended. */
  get(lockId: string): SeatLock | undefined {
    return this.byId.get(lockId);
  }

  /** The lock by id if it holds its seats at `now`. */
  holding(lockId: string, now: number): SeatLock | undefined {
    const lock = this.byId.get(lockId);
    return lock && holdsAt(lock, now) ? lock : undefined;
  }

  /** The lock holding the seat at `now`, if any. */
  onSeat(seatId: string, now: number): SeatLock | undefined {
    const lock = this.bySeat.get(seatId);
    return lock && holdsAt(lock, now) ? lock : undefined;
  }

  /** Whether a live lock points at the seat, held at this moment or not yet expired away. */
  pointsAt(seatId: string): boolean {
    return this.bySeat.has(seatId);
  }

  add(lock: SeatLock): void {
    this.byId.set(lock.lockId, lock);
    for (const seatId of lock.seatIds) this.bySeat.set(seatId, lock);
  }

  /** Ends the lock's hold on its seats; true when it was live until now. */
  remove(lock: SeatLock): boolean {
    const wasLive = this.byId.delete(lock.lockId);
    for (const seatId of lock.seatIds) {
      // A seat another lock took over after this one's expiry stays with that one.
      if (this.bySeat.get(seatId) === lock) this.bySeat.delete(seatId);
    }
    return wasLive;
  }

  /** The locks whose expiry has come at `now` (a lock being paid for does not expire). */
  due(now: number): SeatLock[] {
    const due: SeatLock[] = [];
    for (const lock of this.byId.values()) if (!holdsAt(lock, now)) due.push(lock);
    return due;
  }

  /** Locks made with the access code that hold at `now` (each holds one of its uses). */
  ofCode(accessCodeId: string, now: number): number {
    let count = 0;
    for (const lock of this.byId.values()) {
      if (lock.accessCodeId === accessCodeId && holdsAt(lock, now)) count += 1;
    }
    return count;
  }

  /** Seats and area places `userId`'s locks hold at `now`. */
  placesOf(userId: string, now: number): number {
    let places = 0;
    for (const lock of this.byId.values()) {
      if (lock.userId === userId && holdsAt(lock, now)) places += placesOf(lock);
    }
    return places;
  }

  /** The earliest expiry among locks not being paid for, for the alarm. */
  nextExpiry(): number | undefined {
    let earliest: number | undefined;
    for (const lock of this.byId.values()) {
      if (lock.paying) continue;
      if (earliest === undefined || lock.expiresAt < earliest) earliest = lock.expiresAt;
    }
    return earliest;
  }
}
