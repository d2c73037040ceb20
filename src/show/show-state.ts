import { CODE_OF } from "../contract/live-protocol.ts";
import { type Database, database } from "../db/database.ts";
import { DEFAULT_ORG_ID } from "../db/schema.ts";
import { bookingEventData } from "../webhooks/booking-events.ts";
import type { EventData, WebhookEventType } from "../webhooks/webhook-event-types.ts";
import { WebhookOutbox } from "../webhooks/webhook-outbox.ts";
import { bookingEnded } from "./d1/booking-d1.ts";
import { D1Outbox, type D1Statement } from "./d1/d1-outbox.ts";
import { lockEnded } from "./d1/lock-d1.ts";
import { RelayFeed } from "./relay-feed.ts";
import { ChangeCoalescer } from "./seats/change-coalescer.ts";
import { ResaleListings } from "./seats/resale-listings.ts";
import { SeatLedger } from "./seats/seat-ledger.ts";
import { SeatMapTexts } from "./seats/seat-map-texts.ts";
import { ShowLog } from "./show-log.ts";
import { ShowSchedule } from "./show-schedule.ts";
import { AccessCodeStorage } from "./storage/access-code-storage.ts";
import { AttemptStorage } from "./storage/attempt-storage.ts";
import { BookingStorage } from "./storage/booking-storage.ts";
import { CheckinStorage } from "./storage/checkin-storage.ts";
import { HoldStorage } from "./storage/hold-storage.ts";
import { IdempotencyStorage } from "./storage/idempotency-storage.ts";
import { LateRefundStorage } from "./storage/late-refund-storage.ts";
import { ProviderEventStorage } from "./storage/provider-event-storage.ts";
import { ResaleStorage } from "./storage/resale-storage.ts";
import { ScanLogStorage } from "./storage/scan-log-storage.ts";
import { SeatStorage, type ShowInfo } from "./storage/seat-storage.ts";
import { TicketChangeLog } from "./storage/ticket-change-log.ts";
import { TicketStorage } from "./storage/ticket-storage.ts";
import { WaitlistStorage } from "./storage/waitlist-storage.ts";

/** Coalescing window for live seat-map changes. */
const LIVE_WINDOW_MS = 20;

/** One change of the show, as a service describes it to ShowState.change(). */
export interface ShowChange {
  /** When it happened (epoch ms). */
  at: number;
  /**
   * Seats whose status it changes: the seat map's version moves on and viewers hear. (The
   * standing areas whose counts it changes need no naming: the seat ledger knows them.)
   */
  seats?: readonly string[];
  /** Its writes to the object's own storage. */
  store?: () => void;
  /** D1's copy of it, sent through the outbox. */
  d1?: readonly D1Statement[];
  /** The webhook events it causes, in the order they are delivered. */
  events?: readonly { type: WebhookEventType; data: EventData }[];
  /** Keeps the request's reply (KeyedRequest.keep), in the same transaction. */
  reply?: () => void;
}

/**
 * The one owner of a loaded show's state: its seats and locks (SeatLedger), its SQLite
 * storage (`seatStorage`: show, seats, locks, version; `bookingStorage`: bookings, payment
 * attempts, cancellations) and D1 outbox, the seat map's version, the live viewers'
 * broadcaster, and the alarm. Every change goes through change(), which stores it (with its
 * D1 rows, webhook events and kept reply), moves the version on, tells viewers and starts
 * the D1 flush. Lock, booking and payment logic
 * use this class; it uses none of them.
 */
export class ShowState {
  /** Show info, seats, locks and the version. */
  readonly seatStorage: SeatStorage;
  /** Bookings and cancellations. */
  readonly bookingStorage: BookingStorage;
  /** The payment gateway's charges, each under its own key. */
  readonly attemptStorage: AttemptStorage;
  /** The payment provider's webhook events seen, each applied once. */
  readonly providerEvents: ProviderEventStorage;
  readonly lateRefunds: LateRefundStorage;
  /** Check-ins at the door: the scan that admitted each ticket. */
  readonly checkinStorage: CheckinStorage;
  /** Every door scan in and out, and whether it counts: the headcount's facts. */
  readonly scanLog: ScanLogStorage;
  /** Confirmed bookings' tickets, one per seat. */
  readonly ticketStorage: TicketStorage;
  /** Which tickets changed at which manifest version (the door's `since`). */
  readonly ticketChanges: TicketChangeLog;
  readonly outbox: D1Outbox;
  /** The organizer's seat holds (seats kept back from sale). */
  readonly holdStorage: HoldStorage;
  readonly accessCodes: AccessCodeStorage;
  /** Buyers waiting for seats of a sold-out show, and the locks offered to them. */
  readonly waitlist: WaitlistStorage;
  /** Holders' resale listings, and the refunds owed to sellers of resold tickets. */
  readonly resale: ResaleStorage;
  readonly idempotency: IdempotencyStorage;
  readonly db: Database;
  /** The show's facts; replaced (setInfo) when an organizer changes them. */
  info: ShowInfo;
  readonly seats: SeatLedger;
  /** Money and state events (log lines) and the object's own metric points. */
  readonly log: ShowLog;
  /** The relays of the live feed, and what each coalesced change is published to. */
  readonly feed: RelayFeed;
  /**
   * Webhook events (src/webhooks/): recorded inside the transaction of the change they
   * report, through change()'s `events` (or `webhooks.record(type, data)` inside a write).
   */
  readonly webhooks: WebhookOutbox;
  version: number;
  /** The seat map, statuses and layout as texts, built once per change. */
  private readonly texts: SeatMapTexts;
  /** seat id → its index in the layout (the seats' stored order). */
  private readonly layoutIndex: Map<string, number>;
  private readonly coalescer: ChangeCoalescer;
  /** The one alarm and the D1 batch window. */
  private readonly schedule: ShowSchedule;
  /** Told (once per change, after it is stored) when a change left some seat available. */
  private seatsFreed: ((now: number) => void) | undefined;

  private constructor(
    private readonly ctx: DurableObjectState,
    env: Env,
    alarmAt: number | null,
  ) {
    this.seatStorage = new SeatStorage(ctx.storage.sql);
    this.bookingStorage = new BookingStorage(ctx.storage.sql);
    this.attemptStorage = new AttemptStorage(ctx.storage.sql);
    this.checkinStorage = new CheckinStorage(ctx.storage.sql);
    this.scanLog = new ScanLogStorage(ctx.storage.sql);
    this.ticketStorage = new TicketStorage(ctx.storage.sql);
    this.ticketChanges = new TicketChangeLog(ctx.storage.sql);
    this.providerEvents = new ProviderEventStorage(ctx.storage.sql);
    this.lateRefunds = new LateRefundStorage(ctx.storage.sql);
    // The show id is its object's name (ctx.id.name, set since the object is got by name).
    this.log = new ShowLog(ctx.id.name ?? "unknown", env.METRICS);
    // A read (the webhooks' subscribers) goes with the batch window's rows, not alone at once.
    this.outbox = new D1Outbox(ctx.storage.sql, env.DB, this.log, () =>
      queueMicrotask(() => this.schedule.flushToD1Soon()),
    );
    this.schedule = new ShowSchedule(ctx, this.outbox, () => this.seats.nextExpiry(), alarmAt);
    this.idempotency = new IdempotencyStorage(ctx.storage.sql);
    this.db = database(env.DB);
    // The object's tables up to date first (the outbox runs the migrations once per instance).
    ctx.storage.transactionSync(() => this.outbox.prepare());
    this.idempotency.forgetUnfinished();
    // Locks whose payment was under way when the object stopped stay held (see load()).
    const paying = new Set(this.attemptStorage.openAttempts().map((attempt) => attempt.lockId));
    const stored = this.seatStorage.load(paying);
    this.info = stored.info;
    this.version = stored.version;
    this.holdStorage = new HoldStorage(ctx.storage.sql);
    this.accessCodes = new AccessCodeStorage(ctx.storage.sql);
    this.waitlist = new WaitlistStorage(ctx.storage.sql);
    this.resale = new ResaleStorage(ctx.storage.sql);
    this.seats = new SeatLedger(
      stored.seats,
      stored.liveLocks,
      stored.booked,
      this.holdStorage.reservedSeats(),
      this.info.accessibleSeatsReserved !== false,
      stored.areas,
      new ResaleListings(this.resale.openListings(), this.info.resale !== false),
    );
    this.texts = new SeatMapTexts(this.seats);
    this.layoutIndex = new Map([...this.seats.seats.keys()].map((seatId, i) => [seatId, i]));
    this.feed = new RelayFeed(ctx.storage.sql, env, this.log);
    this.coalescer = new ChangeCoalescer((change) => this.feed.publish(change), LIVE_WINDOW_MS);
    this.webhooks = new WebhookOutbox(
      ctx,
      env,
      this.info.showId,
      () => this.info.orgId ?? DEFAULT_ORG_ID,
      this.log,
      (at) => this.armAlarm(at),
      (statement) => this.outbox.read(statement),
    );
  }

  /** The show this object holds, rebuilt from its storage; undefined if it holds none. */
  static open(ctx: DurableObjectState, env: Env, alarmAt: number | null): ShowState | undefined {
    if (!new SeatStorage(ctx.storage.sql).isInitialized()) return undefined;
    return new ShowState(ctx, env, alarmAt);
  }

  /**
   * `listener` hears of every change that leaves a seat available (a lock released or
   * expired, a booking cancelled, a hold released), right after it is stored and before
   * any other request runs: the waitlist offers those seats in the same step.
   */
  onSeatsFreed(listener: (now: number) => void): void {
    this.seatsFreed = listener;
  }

  /** The show's facts after an organizer's change (stored by the caller). */
  setInfo(info: ShowInfo): void {
    this.info = info;
    this.texts.infoChanged();
  }

  get showId(): string {
    return this.info.showId;
  }

  /** Runs `write` as one SQLite transaction of the object. */
  transaction(write: () => void): void {
    this.ctx.storage.transactionSync(write);
  }

  /**
   * The one way services make a change: what it stores in the object, what D1 gets, the
   * webhook events it causes and the reply kept under the request's Idempotency-Key, all in
   * one transaction, so each exists exactly when the change does. With `seats` it is a
   * change of the seat map (see commit()); without, the version stays.
   */
  change(change: ShowChange): void {
    const write = () => {
      change.store?.();
      if (change.d1 && change.d1.length > 0) this.outbox.enqueue(change.d1);
      for (const event of change.events ?? []) {
        this.webhooks.record(event.type, event.data, change.at);
      }
      change.reply?.();
    };
    // Places of a standing area moved by this change (a lock, a sale, a hold, a lock ended
    // on any path) make it a change of the seat map too: the ledger knows which areas moved.
    if (change.seats || this.seats.areas.hasMoved) {
      this.commit(change.seats ?? [], change.at, write);
      return;
    }
    this.transaction(write);
    if (change.d1 && change.d1.length > 0) this.schedule.flushToD1Soon();
  }

  /**
   * Applies one change to the seats: `write` stores it and the version moves on by one in
   * the same transaction, viewers hear of `seatIds` (and of the standing areas whose places
   * moved), the alarm and the D1 flush follow.
   */
  private commit(seatIds: readonly string[], now: number, write: () => void): void {
    const version = this.version + 1;
    this.transaction(() => {
      write();
      this.seatStorage.setVersion(version);
    });
    this.version = version;
    this.texts.seatsChanged();
    let freed = false;
    const prices: [number, number][] = [];
    this.coalescer.record(
      version,
      seatIds.map((seatId) => {
        const status = this.seats.statusOf(seatId, now);
        if (status === "available") freed = true;
        const index = this.layoutIndex.get(seatId) ?? -1;
        // A seat on resale costs its listing's price: viewers hear it with the status.
        const listing = status === "resale" ? this.seats.resale.onSale(seatId) : undefined;
        if (listing) prices.push([index, listing.price]);
        return [index, CODE_OF[status]];
      }),
      this.movedAreas(),
      prices.length > 0 ? prices : undefined,
    );
    void this.armAlarm();
    this.schedule.flushToD1Soon();
    if (freed && !this.waitlist.isEmpty) this.seatsFreed?.(now);
  }

  /** The counts of the standing areas whose places moved since the last change, if any. */
  private movedAreas() {
    const zones = this.seats.areas.takeMoved();
    if (zones.length === 0) return undefined;
    return zones.flatMap((zone) => this.seats.areas.counts(zone) ?? []);
  }

  /**
   * Seats a buyer holds in this show at `now`, as the show's per-buyer limit counts them:
   * their live locks (a pending booking's seats are in its lock) and confirmed bookings.
   */
  seatsHeldBy(userId: string, now: number): number {
    return this.seats.seatsLockedBy(userId, now) + this.bookingStorage.seatsBookedBy(userId);
  }

  /**
   * Ends the locks whose time has come (and pending bookings made from them), as one
   * change; answers how many.
   */
  expireDue(now: number): number {
    const expired = this.seats.expireDue(now);
    if (expired.length === 0) return 0;
    this.commit(
      expired.flatMap((lock) => lock.seatIds),
      now,
      () => {
        for (const lock of expired) this.endLock(lock.lockId, "expired", now, lock.expiresAt);
      },
    );
    for (const lock of expired) {
      this.log.write("info", "lock expired", { lock_id: lock.lockId, seats: lock.seatIds.length });
    }
    return expired.length;
  }

  /**
   * Records a lock's end (call inside a commit's write, its seats already freed in the
   * seat book): the lock's row, D1's rows (ended at `endedAt`), and the pending booking
   * made from it, which expires with it. (A pending booking made with a card whose lock
   * ends is one whose payment waits for the buyer: a payment under way keeps its lock.)
   */
  endLock(
    lockId: string,
    status: "expired" | "released",
    now: number,
    endedAt: number = now,
  ): void {
    this.seatStorage.endLock(lockId, status, now);
    const rows = [lockEnded(this.db, lockId, status, endedAt)];
    const booking = this.bookingStorage.bookingOfLock(lockId);
    if (booking?.status === "pending") {
      booking.status = "expired";
      this.bookingStorage.updateBooking(booking);
      // One made with a card is in D1 only once paid.
      if (!booking.createdWithCard) {
        rows.push(bookingEnded(this.db, booking.bookingId, "expired", now));
      }
      this.webhooks.record(
        "booking.expired",
        bookingEventData(this.showId, booking, this.webhooks.currency),
        now,
      );
    }
    this.outbox.enqueue(rows);
  }

  /** Sends queued D1 writes now (see ShowSchedule). */
  flushToD1(): Promise<void> {
    return this.schedule.flushToD1();
  }

  /** Arms the one alarm for the earliest of: the next lock expiry, `retryAt`. */
  armAlarm(retryAt?: number): Promise<void> {
    return this.schedule.armAlarm(retryAt);
  }

  /** The alarm has fired: runs `upkeep` (see ShowSchedule). */
  alarmFired(upkeep: () => Promise<void>): Promise<void> {
    return this.schedule.alarmFired(upkeep);
  }

  /** The seat map with its version, as JSON (built once per version); or one zone's. */
  seatMap(now: number, zone?: string): string {
    return this.texts.seatMap(this.info, this.version, now, zone);
  }

  /** Every seat's status at `version`, one character each, in layout order. */
  statusString(now: number): string {
    return this.texts.statusString(now);
  }

  /** The show's seats without statuses, in layout order, as JSON. */
  layout(): string {
    return this.texts.layout(this.info);
  }

  /** Sends the pending live change now (before a relay is told the current version). */
  flushLive(): void {
    this.coalescer.flush();
  }
}
