import { DurableObject } from "cloudflare:workers";
import { CatalogStore } from "../catalog/catalog-store.ts";
import { type Database, database } from "../db/database.ts";
import { pickBestAvailable } from "./best-available.ts";
import { D1Outbox } from "./d1-outbox.ts";
import { newLockId } from "./lock-ids.ts";
import { lockCreated, lockEnded } from "./lock-records.ts";
import { SeatBook, type SeatLock } from "./seat-book.ts";
import { SeatMapBroadcaster } from "./seat-map-broadcaster.ts";
import type { LockCommand, LockView, SeatMapRead, ShowFailure, ShowResult } from "./show-api.ts";
import { type ShowInfo, ShowStorage } from "./show-storage.ts";

/** Coalescing window for live seat-map messages. */
const BROADCAST_WINDOW_MS = 20;
/** How soon the alarm retries D1 writes that failed. */
const OUTBOX_RETRY_MS = 5_000;

interface LoadedShow {
  info: ShowInfo;
  book: SeatBook;
  version: number;
  /** The seat map JSON of `version`, built on first read after a change. */
  snapshot: string | undefined;
}

const fail = (failure: ShowFailure): { ok: false; error: ShowFailure } => ({
  ok: false,
  error: failure,
});

const showNotFound = (showId: string) =>
  fail({
    status: 404,
    code: "NOT_FOUND",
    message: `show ${showId} was not found`,
    details: { resource: "show", id: showId },
  });

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One per show (`idFromName(show_id)`): the single writer of that show's seat state. Every
 * method runs to completion on in-memory state and the object's SQLite storage without
 * awaiting anything but storage, so the runtime's input gate serializes them: two lockers
 * can never interleave. D1 learns of each change through the outbox.
 */
export class ShowObject extends DurableObject<Env> {
  private readonly storage: ShowStorage;
  private readonly outbox: D1Outbox;
  private readonly db: Database;
  private readonly broadcaster: SeatMapBroadcaster;
  private show: LoadedShow | undefined;
  /** The alarm time last set, to avoid re-setting an alarm that is already right. */
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.storage = new ShowStorage(ctx.storage.sql);
    this.db = database(env.DB);
    this.outbox = new D1Outbox(ctx.storage.sql, env.DB);
    this.broadcaster = new SeatMapBroadcaster(() => ctx.getWebSockets(), BROADCAST_WINDOW_MS);
    // Answered by the runtime without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    ctx.blockConcurrencyWhile(async () => {
      if (this.storage.isInitialized()) {
        this.outbox.prepare();
        this.adopt();
      }
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  // ---- RPC: reads ----------------------------------------------------------------------

  /** The seat map; `json` is null when `knownVersion` is still current. */
  async seatMap(showId: string, knownVersion?: number): Promise<ShowResult<SeatMapRead>> {
    const show = await this.ready(showId);
    if (!show) return showNotFound(showId);
    this.expireDue(show, Date.now());
    if (knownVersion === show.version)
      return { ok: true, value: { version: show.version, json: null } };
    return { ok: true, value: { version: show.version, json: this.snapshotJson(show) } };
  }

  async getLock(showId: string, lockId: string, userId: string): Promise<ShowResult<LockView>> {
    const show = await this.ready(showId);
    if (!show) return showNotFound(showId);
    this.expireDue(show, Date.now());
    const lock = this.storage.findLock(lockId);
    if (!lock || lock.userId !== userId) return lockNotFound(lockId);
    return { ok: true, value: lockView(showId, lock) };
  }

  // ---- RPC: changes --------------------------------------------------------------------

  async lock(showId: string, command: LockCommand): Promise<ShowResult<LockView>> {
    const show = await this.ready(showId);
    if (!show) return showNotFound(showId);
    const now = Date.now();
    if (show.info.status !== "scheduled" || now >= show.info.showTime) {
      return fail({
        status: 400,
        code: "SHOW_CLOSED",
        message:
          show.info.status === "scheduled"
            ? `show ${showId} has started; seats can no longer be locked`
            : `show ${showId} is ${show.info.status}`,
        details: { show_id: showId, status: show.info.status, show_time: iso(show.info.showTime) },
      });
    }
    this.expireDue(show, now);

    let seatIds: string[];
    const selection = command.selection;
    if ("seatIds" in selection) {
      seatIds = selection.seatIds;
    } else {
      const zones = selection.zone ? [selection.zone] : show.info.zones.map((z) => z.name);
      if (selection.zone && !show.info.zones.some((z) => z.name === selection.zone)) {
        return fail({
          status: 400,
          code: "INVALID_INPUT",
          message: `zone: show ${showId} has no zone '${selection.zone}'`,
          details: { field: "zone", reason: `no zone '${selection.zone}' in this show` },
        });
      }
      const picked = pickBestAvailable({
        seats: [...show.book.seats.values()],
        isAvailable: (id) => show.book.statusOf(id, now) === "available",
        quantity: selection.quantity,
        zones,
      });
      if (!picked) {
        return fail({
          status: 400,
          code: "SEATS_UNAVAILABLE",
          message: `No ${selection.quantity} adjacent seats are available${selection.zone ? ` in zone ${selection.zone}` : ""}`,
          details: {
            quantity: selection.quantity,
            zone: selection.zone ?? null,
            unavailable_seats: [],
          },
        });
      }
      seatIds = picked.map((seat) => seat.seatId);
    }

    const outcome = show.book.lock({
      lockId: newLockId(showId),
      userId: command.userId,
      seatIds,
      now,
      durationMs: command.durationSeconds * 1000,
    });
    if (!outcome.ok) {
      switch (outcome.reason) {
        case "unknown_seats":
          return fail({
            status: 400,
            code: "INVALID_INPUT",
            message: `seat_ids: not seats of show ${showId}: ${outcome.seatIds.join(", ")}`,
            details: {
              field: "seat_ids",
              reason: "not seats of this show",
              unknown_seats: outcome.seatIds,
            },
          });
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
    return { ok: true, value: lockView(showId, lock) };
  }

  /** Releases the caller's lock early. Idempotent: an ended lock answers as it is. */
  async releaseLock(showId: string, lockId: string, userId: string): Promise<ShowResult<LockView>> {
    const show = await this.ready(showId);
    if (!show) return showNotFound(showId);
    const now = Date.now();
    this.expireDue(show, now);
    const stored = this.storage.findLock(lockId);
    if (!stored || stored.userId !== userId) return lockNotFound(lockId);
    const released = show.book.release(lockId);
    if (!released) return { ok: true, value: lockView(showId, stored) };
    this.commit(show, released.seatIds, now, () => {
      this.storage.endLock(lockId, "released", now);
      this.outbox.enqueue([lockEnded(this.db, lockId, "released", now)]);
    });
    return { ok: true, value: lockView(showId, released) };
  }

  // ---- Alarm and WebSockets --------------------------------------------------------------

  /** Expires what is due, retries D1 writes, re-arms. Running it twice changes nothing. */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const show = this.show;
    if (show) this.expireDue(show, Date.now());
    await this.outbox.flush();
    await this.armAlarm();
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
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ connectedAt: Date.now() });
    server.send(this.snapshotMessage(show));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // The only request a viewer makes: a fresh snapshot after it noticed a version gap.
    if (message === "resync" && this.show) {
      this.expireDue(this.show, Date.now());
      ws.send(this.snapshotMessage(this.show));
    }
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

  // ---- Internals -------------------------------------------------------------------------

  /** The loaded show, initialising from the D1 catalog on first use; undefined if unknown. */
  private async ready(showId: string): Promise<LoadedShow | undefined> {
    if (this.show) return this.show.info.showId === showId ? this.show : undefined;
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.show) return;
      const store = new CatalogStore(this.db);
      const record = await store.getShow(showId);
      if (!record) return;
      const venue = await store.getVenue(record.show.venueId);
      if (!venue) return;
      const info: ShowInfo = {
        showId,
        eventId: record.show.eventId,
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
      this.ctx.storage.transactionSync(() => {
        this.storage.initialize(info, seats);
        this.outbox.prepare();
      });
      this.adopt();
    });
    // Re-read: blockConcurrencyWhile may have loaded it (TS cannot see the callback's effect).
    const loaded = this.show as LoadedShow | undefined;
    return loaded?.info.showId === showId ? loaded : undefined;
  }

  /** Rebuilds memory from storage. */
  private adopt(): void {
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
    this.flushSoon();
  }

  /** Ends the locks whose time has come, as one change. */
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
        }
        this.outbox.enqueue(
          expired.map((lock) => lockEnded(this.db, lock.lockId, "expired", lock.expiresAt)),
        );
      },
    );
  }

  /** Sends queued D1 writes without holding up the answer; the alarm retries failures. */
  private flushSoon(): void {
    this.ctx.waitUntil(
      this.outbox.flush().then(async (empty) => {
        if (!empty) await this.armAlarm(Date.now() + OUTBOX_RETRY_MS);
      }),
    );
  }

  /** One alarm, armed for the earliest lock expiry (or a D1 retry). */
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

function lockNotFound(lockId: string) {
  return fail({
    status: 404,
    code: "NOT_FOUND",
    message: `lock ${lockId} was not found`,
    details: { resource: "lock", id: lockId },
  });
}
