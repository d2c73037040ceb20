import { DurableObject } from "cloudflare:workers";
import { CatalogStore } from "../catalog/catalog-store.ts";
import { type Database, database } from "../db/database.ts";
import { iso } from "../lib/iso-time.ts";
import { selectGateway } from "../payments/select-gateway.ts";
import { pickBestAvailable } from "./best-available.ts";
import { bookingEnded } from "./booking-records.ts";
import { D1Outbox } from "./d1-outbox.ts";
import { lockCreated, lockEnded } from "./lock-records.ts";
import { OperationLog } from "./operation-log.ts";
import { SeatBook, type SeatLock } from "./seat-book.ts";
import { SeatMapBroadcaster } from "./seat-map-broadcaster.ts";
import type {
  BookCommand,
  BookingRead,
  CancelCommand,
  HttpReply,
  LockCommand,
  LockView,
  PayCommand,
  RequestContext,
  SeatMapRead,
  ShowResult,
} from "./show-api.ts";
import { ShowBookings } from "./show-bookings.ts";
import { type LoadedShow, RETRY_MS, type ShowCore } from "./show-core.ts";
import {
  fail,
  invalid,
  notFound,
  type Outcome,
  paymentUnderWay,
  render,
  showClosed,
} from "./show-outcomes.ts";
import { newShowScopedId } from "./show-scoped-ids.ts";
import { type ShowInfo, ShowStorage } from "./show-storage.ts";

/** What each viewer's socket keeps across hibernation. */
interface ViewerAttachment {
  showId: string;
}

/** Coalescing window for live seat-map messages. */
const BROADCAST_WINDOW_MS = 20;

/**
 * One per show (`idFromName(show_id)`): the single writer of that show's seat state. Every
 * seat change is decided and stored in one synchronous step on in-memory state and the
 * object's SQLite storage, so two lockers can never interleave. Requests do await other
 * things (the payment gateway, D1 flushes, refunds), and other requests run meanwhile;
 * what must not change in between is guarded by state: a lock being paid for is marked
 * as paying (nothing else takes or expires it), a booking being cancelled is marked as
 * such. D1 learns of each change through the outbox.
 */
export class ShowObject extends DurableObject<Env> {
  private readonly storage: ShowStorage;
  private readonly outbox: D1Outbox;
  private readonly operations: OperationLog;
  private readonly db: Database;
  private readonly broadcaster: SeatMapBroadcaster;
  private readonly bookings: ShowBookings;
  private show: LoadedShow | undefined;
  /** The alarm time last set, to avoid re-setting an alarm that is already right. */
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.storage = new ShowStorage(ctx.storage.sql);
    this.db = database(env.DB);
    this.outbox = new D1Outbox(ctx.storage.sql, env.DB);
    this.operations = new OperationLog(ctx.storage.sql);
    const core: ShowCore = {
      storage: this.storage,
      outbox: this.outbox,
      db: this.db,
      env,
      transaction: (write) => ctx.storage.transactionSync(write),
      commit: (show, seatIds, now, write) => this.commit(show, seatIds, now, write),
      expireDue: (show, now) => this.expireDue(show, now),
      armAlarm: (at) => this.armAlarm(at),
      flushToD1: () => this.flushToD1(),
    };
    this.bookings = new ShowBookings(core, selectGateway(env));
    this.broadcaster = new SeatMapBroadcaster(() => ctx.getWebSockets(), BROADCAST_WINDOW_MS);
    // Answered by the runtime without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    ctx.blockConcurrencyWhile(async () => {
      this.alarmAt = await ctx.storage.getAlarm();
      if (!this.storage.isInitialized()) return;
      this.adopt();
      // Payments that were under way when the object stopped are settled by the alarm.
      if (this.storage.openAttempts().length > 0) await this.armAlarm(Date.now());
    });
  }

  // ---- RPC: reads ----------------------------------------------------------------------

  /** The seat map; `json` is null when `knownVersion` is still current. */
  async seatMap(showId: string, knownVersion?: number): Promise<ShowResult<SeatMapRead>> {
    const show = await this.ready(showId);
    if (!show) return notFound("show", showId);
    this.expireDue(show, Date.now());
    const changesBy = show.book.nextExpiry() ?? null;
    const json = knownVersion === show.version ? null : this.snapshotJson(show);
    return { ok: true, value: { version: show.version, json, changesBy } };
  }

  async getLock(showId: string, lockId: string, userId: string): Promise<ShowResult<LockView>> {
    const show = await this.ready(showId);
    if (!show) return notFound("show", showId);
    this.expireDue(show, Date.now());
    const lock = this.storage.findLock(lockId);
    if (!lock || lock.userId !== userId) return notFound("lock", lockId);
    return { ok: true, value: lockView(showId, lock) };
  }

  /** A booking clients can see (not a paid-for-at-once booking whose payment failed). */
  async readBooking(showId: string, bookingId: string): Promise<BookingRead | undefined> {
    const show = await this.ready(showId);
    if (!show) return undefined;
    this.expireDue(show, Date.now());
    return this.bookings.read(show, bookingId);
  }

  // ---- RPC: seat locks -------------------------------------------------------------------

  async lock(showId: string, command: LockCommand, request: RequestContext): Promise<HttpReply> {
    const show = await this.ready(showId);
    if (!show) return render(notFound("show", showId), request.requestId);
    return this.operation(request, async () => {
      const result = this.lockSeats(show, command);
      if (!result.ok) return result;
      // api-design.md's lock response; the status shows in GET.
      const { status: _status, ...view } = lockView(showId, result.value);
      return { ok: true, status: 200, value: view };
    });
  }

  /** Releases the caller's lock early. Idempotent: an ended lock answers as it is. */
  async releaseLock(showId: string, lockId: string, userId: string): Promise<ShowResult<LockView>> {
    const show = await this.ready(showId);
    if (!show) return notFound("show", showId);
    const now = Date.now();
    this.expireDue(show, now);
    const stored = this.storage.findLock(lockId);
    if (!stored || stored.userId !== userId) return notFound("lock", lockId);
    if (show.book.liveLock(lockId, now)?.paying) return paymentUnderWay();
    const booking = this.storage.bookingOfLock(lockId);
    if (booking?.status === "pending" && !booking.direct) {
      return fail({
        status: 409,
        code: "BOOKING_EXISTS",
        message: `lock ${lockId} has a pending booking; cancel the booking to release its seats`,
        details: { booking_id: booking.bookingId },
      });
    }
    const released = show.book.release(lockId);
    if (!released) return { ok: true, value: lockView(showId, stored) };
    this.commit(show, released.seatIds, now, () => {
      this.storage.endLock(lockId, "released", now);
      this.outbox.enqueue([lockEnded(this.db, lockId, "released", now)]);
    });
    return { ok: true, value: lockView(showId, released) };
  }

  // ---- RPC: bookings and payments --------------------------------------------------------

  /** POST /v1/bookings (see ShowBookings.book). */
  async book(showId: string, command: BookCommand, request: RequestContext): Promise<HttpReply> {
    const show = await this.ready(showId);
    if (!show) return render(notFound("show", showId), request.requestId);
    return this.operation(request, () => this.bookings.book(show, command));
  }

  /** POST /v1/payments (see ShowBookings.payPending). */
  async payBooking(
    showId: string,
    command: PayCommand,
    request: RequestContext,
  ): Promise<HttpReply> {
    const show = await this.ready(showId);
    if (!show) return render(notFound("booking", command.bookingId), request.requestId);
    return this.operation(request, () => this.bookings.payPending(show, command));
  }

  /** POST /v1/bookings/{id}/cancel (see ShowBookings.cancel). Idempotent by nature. */
  async cancelBooking(
    showId: string,
    command: CancelCommand,
    request: RequestContext,
  ): Promise<HttpReply> {
    const show = await this.ready(showId);
    if (!show) return render(notFound("booking", command.bookingId), request.requestId);
    return render(await this.bookings.cancel(show, command), request.requestId);
  }

  // ---- Alarm and WebSockets --------------------------------------------------------------

  /**
   * Expires what is due, settles payments left unsettled, retries D1 writes, forgets old
   * idempotency records, re-arms. Running it twice changes nothing.
   */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const show = this.show;
    if (show) {
      await this.bookings.recover(show);
      this.expireDue(show, Date.now());
      this.operations.prune(Date.now());
    }
    const flushed = await this.outbox.flush();
    const unsettled = this.show !== undefined && this.bookings.hasUnsettled();
    await this.armAlarm(flushed && !unsettled ? undefined : Date.now() + RETRY_MS);
  }

  /** Only for the WebSocket upgrade of the live seat map; the Worker passes the show id. */
  override async fetch(request: Request): Promise<Response> {
    const showId = request.headers.get("X-Show-Id") ?? "";
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const show = await this.ready(showId);
    if (!show) return new Response("show not found", { status: 404 });
    this.expireDue(show, Date.now());
    // Changes still waiting in the coalescing window go out first, so the next message a
    // viewer gets starts at its snapshot's version (no gap, no resync).
    this.broadcaster.flush();
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    // Survives hibernation: a woken object knows which show a viewer watches.
    server.serializeAttachment({ showId } satisfies ViewerAttachment);
    server.send(this.snapshotMessage(show));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // The only request a viewer makes: a fresh snapshot after it noticed a version gap.
    if (message !== "resync") return;
    const { showId } = ws.deserializeAttachment() as ViewerAttachment;
    const show = await this.ready(showId);
    if (!show) return;
    this.expireDue(show, Date.now());
    this.broadcaster.flush();
    ws.send(this.snapshotMessage(show));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Reciprocate the close; 1005/1006 are reserved and cannot be sent back.
    const sendable = code === 1005 || code === 1006 ? 1000 : code;
    try {
      ws.close(sendable, reason);
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    try {
      ws.close(1011, "error");
    } catch {
      // Already closed.
    }
  }

  // ---- Internals: seats ------------------------------------------------------------------

  private lockSeats(show: LoadedShow, command: LockCommand): ShowResult<SeatLock> {
    const showId = show.info.showId;
    const now = Date.now();
    const closed = showClosed(show, now, "locked");
    if (closed) return closed;
    this.expireDue(show, now);

    let seatIds: string[];
    const selection = command.selection;
    if ("seatIds" in selection) {
      seatIds = selection.seatIds;
    } else {
      const zone = selection.zone;
      if (zone !== undefined && !show.info.zones.some((z) => z.name === zone)) {
        return invalid("zone", `no zone '${zone}' in this show`);
      }
      const picked = pickBestAvailable({
        seats: [...show.book.seats.values()],
        isAvailable: (id) => show.book.statusOf(id, now) === "available",
        quantity: selection.quantity,
        zones: zone ? [zone] : show.info.zones.map((z) => z.name),
      });
      if (!picked) {
        return fail({
          status: 400,
          code: "SEATS_UNAVAILABLE",
          message: `No ${selection.quantity} adjacent seats are available${zone ? ` in zone ${zone}` : ""}`,
          details: { quantity: selection.quantity, zone: zone ?? null, unavailable_seats: [] },
        });
      }
      seatIds = picked.map((seat) => seat.seatId);
    }

    const outcome = show.book.lock({
      lockId: newShowScopedId("lock", showId),
      userId: command.userId,
      seatIds,
      now,
      durationMs: command.durationSeconds * 1000,
    });
    if (!outcome.ok) {
      switch (outcome.reason) {
        case "unknown_seats":
          return invalid("seat_ids", "not seats of this show", { unknown_seats: outcome.seatIds });
        case "unavailable":
          return fail({
            status: 400,
            code: "SEATS_UNAVAILABLE",
            message: "Some seats are no longer available",
            details: { unavailable_seats: outcome.seatIds },
          });
        case "locked":
          return fail({
            status: 400,
            code: "SEATS_ALREADY_LOCKED",
            message: "Some seats are locked by another user",
            details: { unavailable_seats: outcome.seatIds },
          });
      }
    }
    const lock = outcome.lock;
    this.commit(show, lock.seatIds, now, () => {
      this.storage.insertLock(lock);
      this.outbox.enqueue([lockCreated(this.db, showId, lock)]);
    });
    return { ok: true, value: lock };
  }

  /** Ends the locks whose time has come (and pending bookings made from them), as one change. */
  private expireDue(show: LoadedShow, now: number): void {
    const expired = show.book.expireDue(now);
    if (expired.length === 0) return;
    this.commit(
      show,
      expired.flatMap((lock) => lock.seatIds),
      now,
      () => {
        for (const lock of expired) {
          this.storage.endLock(lock.lockId, "expired", now);
          const rows = [lockEnded(this.db, lock.lockId, "expired", lock.expiresAt)];
          const booking = this.storage.bookingOfLock(lock.lockId);
          if (booking?.status === "pending" && !booking.direct) {
            booking.status = "expired";
            this.storage.updateBooking(booking);
            rows.push(bookingEnded(this.db, booking.bookingId, "expired", now));
          }
          this.outbox.enqueue(rows);
        }
      },
    );
  }

  // ---- Internals: plumbing ---------------------------------------------------------------

  /**
   * Runs an operation under its Idempotency-Key, if it has one: a repeat of a finished one
   * gets the stored reply, a repeat of a running one 409, the key with another request 422.
   */
  private async operation(
    request: RequestContext,
    run: () => Promise<Outcome>,
  ): Promise<HttpReply> {
    const key = request.idempotency;
    if (key) {
      const start = this.operations.begin(key, Date.now());
      switch (start.kind) {
        case "replay":
          return { status: start.status, body: start.body, replayed: true, stored: true };
        case "in_progress":
          return render(
            fail({
              status: 409,
              code: "REQUEST_IN_PROGRESS",
              message:
                "A request with this Idempotency-Key is still being processed; retry shortly",
              details: { field: "Idempotency-Key", reason: "still being processed" },
            }),
            request.requestId,
          );
        case "reused":
          return render(
            fail({
              status: 422,
              code: "IDEMPOTENCY_KEY_REUSED",
              message: "This Idempotency-Key was used with a different request",
              details: { field: "Idempotency-Key", reason: "used with a different request" },
            }),
            request.requestId,
          );
      }
    }
    let outcome: Outcome;
    try {
      outcome = await run();
    } catch (err) {
      if (key) this.operations.abandon(key);
      throw err;
    }
    const reply = render(outcome, request.requestId);
    if (key) {
      // "Retry shortly" is no answer to keep: the retry must be able to run.
      const transient = !outcome.ok && outcome.error.code === "REQUEST_IN_PROGRESS";
      if (reply.status >= 500 || transient) {
        this.operations.abandon(key);
      } else {
        this.operations.finish(key, reply.status, reply.body);
        reply.stored = true;
      }
    }
    return reply;
  }

  /** The loaded show, initialising from the D1 catalog on first use; undefined if unknown. */
  private async ready(showId: string): Promise<LoadedShow | undefined> {
    if (this.show) return this.show.info.showId === showId ? this.show : undefined;
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.show) return;
      const store = new CatalogStore(this.db);
      const record = await store.getShow(showId);
      if (!record) return;
      const [venue, event] = await Promise.all([
        store.getVenue(record.show.venueId),
        store.getEvent(record.show.eventId),
      ]);
      if (!venue || !event) return;
      const info: ShowInfo = {
        showId,
        eventId: event.eventId,
        eventName: event.name,
        venueId: venue.venue.venueId,
        venueName: venue.venue.name,
        totalSeats: venue.venue.totalSeats,
        showTime: Date.parse(record.show.showTime),
        status: record.show.status,
        zones: venue.zones.map((zone) => ({
          name: zone.name,
          price: record.prices[zone.name] ?? 0,
          seats: zone.seatCount,
        })),
      };
      const seats = venue.seats.map((seat) => ({
        seatId: seat.seatId,
        row: seat.row,
        number: seat.number,
        zone: seat.zone,
        price: record.prices[seat.zone] ?? 0,
        position: seat.position,
      }));
      this.ctx.storage.transactionSync(() => this.storage.initialize(info, seats));
      this.adopt();
    });
    // Re-read: blockConcurrencyWhile may have loaded it (TS cannot see the callback's effect).
    const loaded = this.show as LoadedShow | undefined;
    return loaded?.info.showId === showId ? loaded : undefined;
  }

  /** Rebuilds memory from storage. */
  private adopt(): void {
    this.outbox.prepare();
    this.operations.prepare();
    const stored = this.storage.load();
    this.show = {
      info: stored.info,
      version: stored.version,
      book: new SeatBook(stored.seats, stored.liveLocks, stored.booked),
      snapshot: undefined,
    };
  }

  /**
   * Applies one change: `write` stores it, the version moves on by one in the same
   * transaction, viewers hear of the seats, the alarm and the D1 flush follow.
   */
  private commit(
    show: LoadedShow,
    seatIds: readonly string[],
    now: number,
    write: () => void,
  ): void {
    const version = show.version + 1;
    this.ctx.storage.transactionSync(() => {
      write();
      this.storage.setVersion(version);
    });
    show.version = version;
    show.snapshot = undefined;
    this.broadcaster.record(
      version,
      seatIds.map((seatId) => ({ seat_id: seatId, status: show.book.statusOf(seatId, now) })),
    );
    void this.armAlarm();
    this.ctx.waitUntil(this.flushToD1());
  }

  /** Sends queued D1 writes; what D1 did not take is retried by the alarm. */
  private async flushToD1(): Promise<void> {
    if (!(await this.outbox.flush())) await this.armAlarm(Date.now() + RETRY_MS);
  }

  /** One alarm, armed for the earliest of: lock expiry, a retry. */
  private async armAlarm(retryAt?: number): Promise<void> {
    const candidates = [this.show?.book.nextExpiry(), retryAt].filter(
      (t): t is number => t !== undefined,
    );
    if (candidates.length === 0) return;
    const at = Math.min(...candidates);
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  private snapshotJson(show: LoadedShow): string {
    show.snapshot ??= JSON.stringify(seatMapOf(show, Date.now()));
    return show.snapshot;
  }

  private snapshotMessage(show: LoadedShow): string {
    return `{"type":"snapshot",${this.snapshotJson(show).slice(1)}`;
  }
}

/** The seat map of api-design.md, plus its version. */
function seatMapOf(show: LoadedShow, now: number) {
  const { info, book } = show;
  return {
    show_id: info.showId,
    version: show.version,
    venue: { venue_id: info.venueId, name: info.venueName, total_seats: info.totalSeats },
    seats: [...book.seats.values()].map((seat) => ({
      seat_id: seat.seatId,
      row: seat.row,
      number: seat.number,
      status: book.statusOf(seat.seatId, now),
      price: seat.price,
      zone: seat.zone,
    })),
    zones: Object.fromEntries(info.zones.map((z) => [z.name, { price: z.price, seats: z.seats }])),
  };
}

function lockView(showId: string, lock: SeatLock): LockView {
  return {
    lock_id: lock.lockId,
    show_id: showId,
    seat_ids: lock.seatIds,
    expires_at: iso(lock.expiresAt),
    locked_at: iso(lock.lockedAt),
    status: lock.status,
  };
}
