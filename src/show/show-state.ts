import { type Database, database } from "../db/database.ts";
import { bookingEnded } from "./booking-records.ts";
import { BookingStorage } from "./booking-storage.ts";
import { CheckinStorage } from "./checkin-storage.ts";
import { D1Outbox } from "./d1-outbox.ts";
import { lockEnded } from "./lock-records.ts";
import { OperationLog } from "./operation-log.ts";
import { SeatBook } from "./seat-book.ts";
import type { SeatMapBroadcaster } from "./seat-map-broadcaster.ts";
import { seatMapView } from "./seat-map-view.ts";
import { ShowEvents } from "./show-events.ts";
import { type ShowInfo, ShowStorage } from "./show-storage.ts";

/** How soon the alarm retries D1 writes and payment settlements that failed. */
export const RETRY_MS = 5_000;

/**
 * The one owner of a loaded show's state: its seats and locks (SeatBook), its SQLite
 * storage (`seatStorage`: show, seats, locks, version; `bookingStorage`: bookings, payment
 * attempts, cancellations) and D1 outbox, the seat map's version, the live viewers'
 * broadcaster, and the alarm. Every change goes through commit(), which stores it, moves
 * the version on, tells viewers and starts the D1 flush. Lock, booking and payment logic
 * use this class; it uses none of them.
 */
export class ShowState {
  /** Show info, seats, locks and the version. */
  readonly seatStorage: ShowStorage;
  /** Bookings, payment attempts and cancellations. */
  readonly bookingStorage: BookingStorage;
  /** Check-ins at the door: the scan that admitted each ticket. */
  readonly checkinStorage: CheckinStorage;
  readonly outbox: D1Outbox;
  readonly operations: OperationLog;
  readonly db: Database;
  readonly info: ShowInfo;
  readonly seats: SeatBook;
  /** Money and state events (log lines) and the object's own metric points. */
  readonly events: ShowEvents;
  version: number;
  /** The seat map JSON of `version`, built on first read after a change. */
  private seatMapJson: string | undefined;

  private constructor(
    private readonly ctx: DurableObjectState,
    env: Env,
    private readonly broadcaster: SeatMapBroadcaster,
    /** The alarm time last set, so an alarm that is already right is not set again. */
    private alarmAt: number | null,
  ) {
    this.seatStorage = new ShowStorage(ctx.storage.sql);
    this.bookingStorage = new BookingStorage(ctx.storage.sql);
    this.checkinStorage = new CheckinStorage(ctx.storage.sql);
    // The show id is its object's name (ctx.id.name, set since the object is got by name).
    this.events = new ShowEvents(ctx.id.name ?? "unknown", env.METRICS);
    this.outbox = new D1Outbox(ctx.storage.sql, env.DB, this.events);
    this.operations = new OperationLog(ctx.storage.sql);
    this.db = database(env.DB);
    this.outbox.prepare();
    this.operations.prepare();
    this.bookingStorage.ensureSchema();
    this.checkinStorage.ensureSchema();
    // Locks whose payment was under way when the object stopped stay held (see load()).
    const paying = new Set(this.bookingStorage.openAttempts().map((attempt) => attempt.lockId));
    const stored = this.seatStorage.load(paying);
    this.info = stored.info;
    this.version = stored.version;
    this.seats = new SeatBook(stored.seats, stored.liveLocks, stored.booked);
  }

  /** The show this object holds, rebuilt from its storage; undefined if it holds none. */
  static open(
    ctx: DurableObjectState,
    env: Env,
    broadcaster: SeatMapBroadcaster,
    alarmAt: number | null,
  ): ShowState | undefined {
    if (!new ShowStorage(ctx.storage.sql).isInitialized()) return undefined;
    return new ShowState(ctx, env, broadcaster, alarmAt);
  }

  get showId(): string {
    return this.info.showId;
  }

  /** Runs `write` as one SQLite transaction of the object. */
  transaction(write: () => void): void {
    this.ctx.storage.transactionSync(write);
  }

  /**
   * Applies one change to the seats: `write` stores it and the version moves on by one in
   * the same transaction, viewers hear of `seatIds`, the alarm and the D1 flush follow.
   */
  commit(seatIds: readonly string[], now: number, write: () => void): void {
    const version = this.version + 1;
    this.transaction(() => {
      write();
      this.seatStorage.setVersion(version);
    });
    this.version = version;
    this.seatMapJson = undefined;
    this.broadcaster.record(
      version,
      seatIds.map((seatId) => ({ seat_id: seatId, status: this.seats.statusOf(seatId, now) })),
    );
    void this.armAlarm();
    this.ctx.waitUntil(this.flushToD1());
  }

  /** Ends the locks whose time has come (and pending bookings made from them), as one change. */
  /** Expires the locks whose time is up; answers how many. */
  expireDue(now: number): number {
    const expired = this.seats.expireDue(now);
    if (expired.length === 0) return 0;
    this.commit(
      expired.flatMap((lock) => lock.seatIds),
      now,
      () => {
        for (const lock of expired) {
          this.seatStorage.endLock(lock.lockId, "expired", now);
          const rows = [lockEnded(this.db, lock.lockId, "expired", lock.expiresAt)];
          const booking = this.bookingStorage.bookingOfLock(lock.lockId);
          if (booking?.status === "pending" && !booking.createdWithCard) {
            booking.status = "expired";
            this.bookingStorage.updateBooking(booking);
            rows.push(bookingEnded(this.db, booking.bookingId, "expired", now));
          }
          this.outbox.enqueue(rows);
        }
      },
    );
    for (const lock of expired) {
      this.events.log("info", "lock expired", { lock_id: lock.lockId, seats: lock.seatIds.length });
    }
    return expired.length;
  }

  /** Sends queued D1 writes; what D1 did not take is retried by the alarm. */
  async flushToD1(): Promise<void> {
    if (!(await this.outbox.flush())) await this.armAlarm(Date.now() + RETRY_MS);
  }

  /** One alarm, armed for the earliest of: the next lock expiry, `retryAt`. */
  async armAlarm(retryAt?: number): Promise<void> {
    const candidates = [this.seats.nextExpiry(), retryAt].filter(
      (t): t is number => t !== undefined,
    );
    if (candidates.length === 0) return;
    const at = Math.min(...candidates);
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  /** The alarm has fired: none is armed until the next armAlarm(). */
  alarmFired(): void {
    this.alarmAt = null;
  }

  /** The seat map with its version, as JSON (built once per version). */
  seatMap(now: number): string {
    this.seatMapJson ??= JSON.stringify(seatMapView(this.info, this.seats, this.version, now));
    return this.seatMapJson;
  }
}
