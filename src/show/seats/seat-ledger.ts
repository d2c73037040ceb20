import type { SeatStatus } from "../../contract/live-protocol.ts";
/**
 * The seat state of one show, as plain TypeScript: which seats exist, which are booked,
 * which live locks hold which seats, and the transitions between them. No runtime, no I/O:
 * the show's Durable Object persists what these methods change, and tests drive them
 * directly with explicit times.
 */

import type { AreaRequest } from "../../contract/area-places.ts";
import { AccessibleSeats, pickAccessible } from "./accessible-seats.ts";
import { AreaInventory, mergedRequests, type StoredArea } from "./area-inventory.ts";
import { BestAvailableIndex } from "./best-available.ts";
import { LiveLocks } from "./live-locks.ts";
import { ResaleListings } from "./resale-listings.ts";
import type { LockAttempt, LockOutcome, SeatInfo, SeatLock } from "./seat-lock.ts";

export class SeatLedger {
  readonly seats: ReadonlyMap<string, SeatInfo>;
  /** seat id → booking id, for sold seats. */
  private readonly booked = new Map<string, string>();
  /** Live locks, by id and by seat (live-locks.ts). */
  private readonly locks = new LiveLocks();
  /** seat id → the organizer's hold on it (kept back from sale). */
  private readonly reserved = new Map<string, string>();
  /**
   * Free seats by zone and row, kept in step with `booked`, `locks`, `reserved` and the
   * wheelchair and companion seats kept back (refresh()).
   */
  private readonly free: BestAvailableIndex;
  private readonly accessible: AccessibleSeats;
  /** The places of general-admission areas, as counts. */
  readonly areas: AreaInventory;
  /** Sold seats their holders listed for resale (they stay in `booked` until resold). */
  readonly resale: ResaleListings;

  constructor(
    seats: readonly SeatInfo[],
    liveLocks: readonly SeatLock[] = [],
    booked: ReadonlyMap<string, string> = new Map(),
    reserved: ReadonlyMap<string, string> = new Map(),
    /** Whether wheelchair and companion seats are kept back from plain sale (the show's setting). */
    reserveAccessible = true,
    /** The general-admission areas with their booked and held places (locked: from the locks). */
    areas: readonly StoredArea[] = [],
    resale: ResaleListings = new ResaleListings([], true),
  ) {
    this.areas = new AreaInventory(areas);
    this.resale = resale;
    this.seats = new Map(seats.map((seat) => [seat.seatId, seat]));
    this.free = new BestAvailableIndex(seats);
    this.accessible = new AccessibleSeats(seats, reserveAccessible);
    this.refreshKept(seats.map((seat) => seat.zone));
    for (const [seatId, bookingId] of booked) this.booked.set(seatId, bookingId);
    for (const [seatId, holdId] of reserved) this.reserved.set(seatId, holdId);
    this.refresh(booked.keys());
    this.refresh(reserved.keys());
    for (const lock of liveLocks) if (lock.status === "locked") this.addHold(lock);
    // Rebuilt from storage: nothing has moved since the last published change.
    this.areas.takeMoved();
  }

  /** The booking a seat is sold to, if it is sold. */
  bookingOf(seatId: string): string | undefined {
    return this.booked.get(seatId);
  }

  /** A seat's status at `now`: a lock past its expiry no longer holds, alarm or not. */
  statusOf(seatId: string, now: number): SeatStatus {
    if (this.reserved.has(seatId)) return "held";
    const locked = this.locks.onSeat(seatId, now) !== undefined;
    if (this.booked.has(seatId)) {
      // A listed seat is the seller's until a buyer pays: locked while a buyer holds it,
      // even once resale is off (the lock was made while it was on sale, and may be paid).
      if (locked) return "locked";
      return this.resale.onSale(seatId) ? "resale" : "booked";
    }
    return locked ? "locked" : "available";
  }

  /** What a buyer pays for the seat now: its listing's price when it is on resale. */
  priceOf(seat: SeatInfo): number {
    return this.resale.onSale(seat.seatId)?.price ?? seat.price;
  }

  /** The live lock by id, if it still holds its seats at `now`. */
  liveLock(lockId: string, now: number): SeatLock | undefined {
    return this.locks.holding(lockId, now);
  }

  /**
   * The best `quantity` adjacent available seats in the first of `zones` that has them
   * (best-available.ts). Call it after expireDue(now): a lock past its expiry that has not
   * been expired yet still counts as holding its seats here.
   */
  bestAvailable(quantity: number, zones: readonly string[]): SeatInfo[] | undefined {
    return this.free.pick(quantity, zones);
  }

  /**
   * Seats of `zone` that plain best available could pick (not booked, locked, held or kept
   * back for wheelchair users). Call it after expireDue(now), as bestAvailable().
   */
  freeIn(zone: string): number {
    return this.areas.isArea(zone) ? this.areas.available(zone) : this.free.freeIn(zone);
  }

  /** Locks every requested seat, or none (a lock is all or nothing). */
  lock(request: LockAttempt): LockOutcome {
    const unknown = request.seatIds.filter((id) => !this.seats.has(id));
    if (unknown.length > 0) return { ok: false, reason: "unknown_seats", seatIds: unknown };
    const bookedSeats = request.seatIds.filter(
      (id) =>
        (this.booked.has(id) && !this.resale.onSale(id)) ||
        (this.reserved.has(id) && this.reserved.get(id) !== request.allowedHold),
    );
    // Looked up directly: an allocation's seat reads `held` whether a code's lock has it.
    const heldSeats = request.seatIds.filter(
      (id) => this.locks.onSeat(id, request.now) !== undefined,
    );
    if (bookedSeats.length > 0) {
      return { ok: false, reason: "unavailable", seatIds: [...bookedSeats, ...heldSeats] };
    }
    if (heldSeats.length > 0) return { ok: false, reason: "locked", seatIds: heldSeats };
    const lonely = this.lonelyCompanions(request.seatIds);
    if (lonely.length > 0) {
      return { ok: false, reason: "companion_requires_wheelchair", seatIds: lonely };
    }
    const areas = mergedRequests(request.areas ?? []);
    const short = this.areas.shortfall(areas);
    if (short.length > 0) return { ok: false, reason: "areas_short", areas: short };
    const lock: SeatLock = {
      lockId: request.lockId,
      userId: request.userId,
      seatIds: [...request.seatIds],
      lockedAt: request.now,
      expiresAt: request.now + request.durationMs,
      status: "locked",
      // A resale seat's price is its listing's (the seller is refunded exactly that).
      prices: request.seatIds.map(
        (id) =>
          this.resale.onSale(id)?.price ?? request.priceOverride ?? this.seats.get(id)?.price ?? 0,
      ),
      ...(request.accessCodeId ? { accessCodeId: request.accessCodeId } : {}),
      ...(areas.length > 0 && {
        areas: areas.map((area) => ({
          ...area,
          price: request.priceOverride ?? request.areaPrice?.(area.zone) ?? 0,
        })),
      }),
    };
    // A seat still pointing at an expired lock is simply re-pointed: the expired lock stays
    // live until expireDue() reports it, and ending it leaves re-pointed seats be.
    this.addHold(lock);
    return { ok: true, lock };
  }

  /** Ends a live lock early. Returns it, or undefined when it is not live any more. */
  release(lockId: string): SeatLock | undefined {
    const lock = this.locks.get(lockId);
    if (!lock) return undefined;
    this.removeHold(lock);
    lock.status = "released";
    return lock;
  }

  /**
   * Ends every lock whose expiry has come, returning them. Calling it again at the same
   * time returns nothing: expiry is idempotent.
   */
  expireDue(now: number): SeatLock[] {
    const expired = this.locks.due(now);
    for (const lock of expired) {
      this.removeHold(lock);
      lock.status = "expired";
    }
    return expired;
  }

  /** Live locks made with the access code at `now` (each holds one of its uses). */
  liveLocksOfCode(accessCodeId: string, now: number): number {
    return this.locks.ofCode(accessCodeId, now);
  }

  /** Seats and area places `userId`'s live locks hold at `now` (a buyer's limit counts them). */
  seatsLockedBy(userId: string, now: number): number {
    return this.locks.placesOf(userId, now);
  }

  /** Earliest expiry among live locks, for the alarm. */
  nextExpiry(): number | undefined {
    return this.locks.nextExpiry();
  }

  /** Marks a live lock as being paid for, so it cannot expire until the payment settles. */
  beginPayment(lockId: string, now: number): SeatLock | undefined {
    const lock = this.liveLock(lockId, now);
    if (lock) lock.paying = true;
    return lock;
  }

  /** The payment failed: the lock holds until its expiry again (which may have passed). */
  abandonPayment(lockId: string): void {
    const lock = this.locks.get(lockId);
    if (lock) lock.paying = false;
  }

  /**
   * A live lock holds its seats until `until` if that is later than its expiry (a payment
   * waiting for the buyer). Returns the lock, or undefined when it is not live.
   */
  extend(lockId: string, until: number): SeatLock | undefined {
    const lock = this.locks.get(lockId);
    if (!lock) return undefined;
    lock.expiresAt = Math.max(lock.expiresAt, until);
    return lock;
  }

  /**
   * Sells seats no lock holds any more (a payment that came after its lock expired), if
   * every one is available at `now`; false, changing nothing, if any is not.
   */
  bookFree(
    seatIds: readonly string[],
    bookingId: string,
    now: number,
    areas: readonly AreaRequest[] = [],
  ): boolean {
    if (!seatIds.every((id) => this.seats.has(id) && this.statusOf(id, now) === "available")) {
      return false;
    }
    if (this.areas.shortfall(areas).length > 0) return false;
    for (const seatId of seatIds) this.booked.set(seatId, bookingId);
    this.refresh(seatIds);
    this.areas.booked(areas);
    return true;
  }

  /**
   * The lock's seats are sold to `bookingId` (a listed seat's listing ends: it is resold);
   * the lock ends as confirmed.
   */
  confirm(lockId: string, bookingId: string): SeatLock | undefined {
    const lock = this.locks.get(lockId);
    if (!lock) return undefined;
    this.removeHold(lock);
    lock.status = "confirmed";
    lock.paying = false;
    for (const seatId of lock.seatIds) {
      const listing = this.resale.ofSeat(seatId);
      if (listing) this.resale.remove(listing);
      this.booked.set(seatId, bookingId);
    }
    this.refresh(lock.seatIds);
    this.areas.booked(lock.areas ?? []);
    return lock;
  }

  /**
   * The organizer keeps seats back from sale. Refused (nothing changes) when a seat is
   * unknown, or locked, booked or held already at `now`: those seats are answered.
   */
  reserve(
    holdId: string,
    seatIds: readonly string[],
    now: number,
  ): { ok: true } | { ok: false; unknown: string[]; taken: string[] } {
    const unknown = seatIds.filter((id) => !this.seats.has(id));
    const taken = seatIds.filter(
      (id) => this.seats.has(id) && this.statusOf(id, now) !== "available",
    );
    if (unknown.length > 0 || taken.length > 0) return { ok: false, unknown, taken };
    for (const seatId of seatIds) this.reserved.set(seatId, holdId);
    this.refresh(seatIds);
    return { ok: true };
  }

  /**
   * The organizer keeps area places back; refused (nothing changes) when an area has fewer
   * available: those are answered.
   */
  reserveAreas(areas: readonly AreaRequest[]): { zone: string; available: number }[] {
    const short = this.areas.shortfall(areas);
    if (short.length === 0) this.areas.held(areas);
    return short;
  }

  /** Puts a hold's area places back on sale. */
  unreserveAreas(areas: readonly AreaRequest[]): void {
    this.areas.held(areas, -1);
  }

  /** Puts a hold's seats back on sale. */
  unreserve(holdId: string, seatIds: readonly string[]): void {
    for (const seatId of seatIds) {
      if (this.reserved.get(seatId) === holdId) this.reserved.delete(seatId);
    }
    this.refresh(seatIds);
  }

  /**
   * `wheelchair` wheelchair spaces and `companions` companion seats next to them, available
   * at `now`, in the first of `zones` that has them (kept back or not: these are who they
   * are kept for). Call it after expireDue(now).
   */
  accessibleSeats(
    wheelchair: number,
    companions: number,
    zones: readonly string[],
    now: number,
  ): SeatInfo[] | undefined {
    return pickAccessible(
      this.seats.values(),
      { wheelchair, companions, zones },
      (id) => !this.reserved.has(id) && this.statusOf(id, now) === "available",
    );
  }

  /** Whether the seat is kept back for wheelchair users now. */
  withheld(seatId: string): boolean {
    const seat = this.seats.get(seatId);
    return seat !== undefined && this.accessible.withheld(seat);
  }

  /** The organizer keeps wheelchair and companion seats back (true), or releases them. */
  setReserveAccessible(reserve: boolean): void {
    this.refreshKept(this.accessible.setReserving(reserve));
  }

  /**
   * A new price for a zone's seats (those of no price category) or a price category's, for
   * locks made from now on.
   */
  setPrice(name: string, price: number): void {
    for (const seat of this.seats.values()) {
      if (seat.category === name || (seat.category === undefined && seat.zone === name)) {
        seat.price = price;
      }
    }
  }

  /** A cancelled booking's seats (and area places) become available again. */
  unbook(bookingId: string, seatIds: readonly string[], areas: readonly AreaRequest[] = []): void {
    for (const seatId of seatIds) {
      if (this.booked.get(seatId) === bookingId) this.booked.delete(seatId);
    }
    this.refresh(seatIds);
    this.areas.booked(areas, -1);
  }

  private addHold(lock: SeatLock): void {
    this.locks.add(lock);
    this.refresh(lock.seatIds);
    this.areas.locked(lock.areas ?? []);
  }

  private removeHold(lock: SeatLock): void {
    if (this.locks.remove(lock)) this.areas.locked(lock.areas ?? [], -1);
    this.refresh(lock.seatIds);
  }

  /**
   * Companion seats of `seatIds` kept back and asked for without a wheelchair space: a
   * companion seat is sold with one (its buyer comes with a wheelchair user).
   */
  private lonelyCompanions(seatIds: readonly string[]): string[] {
    const asked = seatIds.map((id) => this.seats.get(id));
    if (asked.some((seat) => seat?.accessibility === "wheelchair")) return [];
    return asked
      .filter((seat): seat is SeatInfo => seat?.accessibility === "companion")
      .filter((seat) => this.accessible.withheld(seat))
      .map((seat) => seat.seatId);
  }

  /**
   * Tells the best-available index whether each seat is now booked, held or kept back, and
   * the kept seats of any zone whose release this changed.
   */
  private refresh(seatIds: Iterable<string>): void {
    const changed: string[] = [];
    for (const seatId of seatIds) {
      const seat = this.seats.get(seatId);
      if (seat) {
        const sold = this.booked.has(seatId) || this.reserved.has(seatId);
        const zone = this.accessible.soldChanged(seat, sold);
        if (zone) changed.push(zone);
      }
      this.setTaken(seatId);
    }
    if (changed.length > 0) this.refreshKept(changed);
  }

  /** The wheelchair and companion seats of `zones`, looked at again. */
  private refreshKept(zones: Iterable<string>): void {
    for (const zone of new Set(zones)) {
      for (const seatId of this.accessible.keptSeatsOf(zone)) this.setTaken(seatId);
    }
  }

  private setTaken(seatId: string): void {
    const seat = this.seats.get(seatId);
    this.free.setTaken(
      seatId,
      this.booked.has(seatId) ||
        this.locks.pointsAt(seatId) ||
        this.reserved.has(seatId) ||
        (seat !== undefined && this.accessible.withheld(seat)),
    );
  }
}
