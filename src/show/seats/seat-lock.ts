import type { AreaPlaces, AreaRequest } from "../../contract/area-places.ts";
import type { Accessibility } from "../../contract/seat-accessibility.ts";
import type { LockStatus } from "../../db/schema.ts";

/**
 * A show's seats and locks as the seat ledger (seat-ledger.ts) keeps them: what a seat is,
 * what a lock holds, what asking for one may answer, and when a lock holds.
 */

export interface SeatInfo {
  seatId: string;
  row: string;
  number: number;
  zone: string;
  price: number;
  /** Seat-map order (zone order, then row, then number). */
  position: number;
  /** What the seat offers for access (absent on seats stored before: none). */
  accessibility?: Accessibility | null;
  /** Its price category, when it is priced apart from its zone (absent: none). */
  category?: string;
}

export interface SeatLock {
  lockId: string;
  userId: string;
  seatIds: string[];
  /** Epoch milliseconds. */
  lockedAt: number;
  expiresAt: number;
  status: LockStatus;
  /**
   * Each seat's price when the lock was made (seatIds' order): its booking pays these even
   * if the organizer changes the zone's price meanwhile. Absent on locks stored before.
   */
  prices?: number[];
  /** The access code it was made with (it holds one of the code's uses while live). */
  accessCodeId?: string;
  /** Places of general-admission areas it holds, each at its price then (absent: none). */
  areas?: AreaPlaces[];
  /**
   * Set while the lock's booking is being paid for: a paying lock does not expire (the
   * payment settles it either way), so a card charged at the last second still gets its seats.
   */
  paying?: boolean;
}

export type LockOutcome =
  | { ok: true; lock: SeatLock }
  | { ok: false; reason: "unknown_seats"; seatIds: string[] }
  /** Some requested seat is booked (it may also be locked). */
  | { ok: false; reason: "unavailable"; seatIds: string[] }
  /** Every blocking seat is held by a live lock. */
  | { ok: false; reason: "locked"; seatIds: string[] }
  /** Companion seats kept for wheelchair users, asked for without a wheelchair space. */
  | { ok: false; reason: "companion_requires_wheelchair"; seatIds: string[] }
  /** Some area has fewer places available than asked (locked by others count as taken). */
  | { ok: false; reason: "areas_short"; areas: { zone: string; available: number }[] };

export interface LockAttempt {
  lockId: string;
  userId: string;
  seatIds: readonly string[];
  now: number;
  durationMs: number;
  /** An access code's: the seats of this hold (its allocation) may be locked. */
  allowedHold?: string | undefined;
  /** The price of every seat (an access code's), instead of its zone's. */
  priceOverride?: number | undefined;
  accessCodeId?: string | undefined;
  /** Places of general-admission areas, all or nothing with the seats. */
  areas?: readonly AreaRequest[] | undefined;
  /** An area's price per place (its zone's price now), for the lock to keep. */
  areaPrice?: ((zone: string) => number) | undefined;
}

/** Seats and area places a lock holds. */
export function placesOf(lock: { seatIds: readonly string[]; areas?: readonly AreaRequest[] }) {
  return lock.seatIds.length + (lock.areas ?? []).reduce((sum, area) => sum + area.quantity, 0);
}

/** A lock holds its seats until its expiry, or for as long as its payment is under way. */
export function holdsAt(lock: SeatLock, now: number): boolean {
  return lock.paying === true || lock.expiresAt > now;
}
