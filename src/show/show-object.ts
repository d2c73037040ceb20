import { DurableObject } from "cloudflare:workers";
import { database } from "../db/database.ts";
import { notFoundFailure } from "../http/api-failure.ts";
import { runKeyed } from "./keyed-request.ts";
import { LiveViewers, maxViewers } from "./live-viewers.ts";
import { SeatMapBroadcaster } from "./seat-map-broadcaster.ts";
import type {
  CheckinView,
  ManifestRead,
  ScanOutcome,
  TicketRead,
  VerifiedScan,
} from "./show-checkins.ts";
import { loadFromCatalog } from "./show-loader.ts";
import { ok, refused } from "./show-results.ts";
import type {
  BookCommand,
  BookingDetail,
  BookingRead,
  CancelCommand,
  CreatedBooking,
  LockCommand,
  LockView,
  PayCommand,
  PaymentReceipt,
  RequestContext,
  SeatMapRead,
  ShowResult,
} from "./show-rpc.ts";
import { ShowServices } from "./show-services.ts";
import { ShowState } from "./show-state.ts";
import { ShowStorage } from "./show-storage.ts";

/** Coalescing window for live seat-map messages. */
const BROADCAST_WINDOW_MS = 20;

/**
 * One per show (`idFromName(show_id)`; the id's name is the show id): the single writer of
 * that show's state. A thin shell: RPC methods, the alarm, WebSocket handlers and start-up.
 * The state lives in ShowState; the logic in ShowServices. Requests do await other things
 * (the payment gateway, D1), and other requests run meanwhile; what must not change in
 * between is guarded by state (a lock being paid for, a booking being cancelled).
 */
export class ShowObject extends DurableObject<Env> {
  private readonly broadcaster: SeatMapBroadcaster;
  private readonly viewers: LiveViewers;
  private show: ShowServices | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.broadcaster = new SeatMapBroadcaster(() => ctx.getWebSockets(), BROADCAST_WINDOW_MS);
    this.viewers = new LiveViewers(ctx, this.broadcaster, maxViewers(env));
    // Answered by the runtime without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    ctx.blockConcurrencyWhile(async () => {
      const state = ShowState.open(ctx, env, this.broadcaster, await ctx.storage.getAlarm());
      if (!state) return;
      this.show = new ShowServices(state, env);
      // Whatever stopped the object (a deploy, an eviction, a crash at an await), work left
      // unsettled (D1 writes, payments, refunds) resumes now rather than when a request
      // happens to come.
      if (this.show.nextRetryAt(Date.now()) !== undefined) await state.armAlarm(Date.now());
    });
  }

  // ---- RPC ------------------------------------------------------------------------------

  /** The seat map; `json` is null when `knownVersion` is still current. */
  async seatMap(knownVersion?: number): Promise<ShowResult<SeatMapRead>> {
    const show = await this.loaded();
    if (!show) return this.showNotFound();
    const { state } = show;
    const now = Date.now();
    state.expireDue(now);
    const json = knownVersion === state.version ? null : state.seatMap(now);
    return ok({ version: state.version, json, changesBy: state.seats.nextExpiry() ?? null });
  }

  async lock(
    command: LockCommand,
    request: RequestContext,
  ): Promise<ShowResult<Omit<LockView, "status">>> {
    const show = await this.loaded();
    if (!show) return this.showNotFound();
    return runKeyed(show.state.operations, request, (keyed) => show.locking.lock(command, keyed));
  }

  async getLock(lockId: string, userId: string): Promise<ShowResult<LockView>> {
    const show = await this.loaded();
    return show ? show.locking.read(lockId, userId) : refused(notFoundFailure("lock", lockId));
  }

  /** Releases the caller's lock early. Idempotent: an ended lock answers as it is. */
  async releaseLock(lockId: string, userId: string): Promise<ShowResult<LockView>> {
    const show = await this.loaded();
    return show ? show.locking.release(lockId, userId) : refused(notFoundFailure("lock", lockId));
  }

  async book(command: BookCommand, request: RequestContext): Promise<ShowResult<CreatedBooking>> {
    const show = await this.loaded();
    if (!show) return this.showNotFound();
    return runKeyed(show.state.operations, request, (keyed) => show.bookings.book(command, keyed));
  }

  async payBooking(
    command: PayCommand,
    request: RequestContext,
  ): Promise<ShowResult<PaymentReceipt>> {
    const show = await this.loaded();
    if (!show) return refused(notFoundFailure("booking", command.bookingId));
    return runKeyed(show.state.operations, request, (keyed) =>
      show.bookings.payPending(command, keyed),
    );
  }

  async cancelBooking(command: CancelCommand): Promise<ShowResult<BookingDetail>> {
    const show = await this.loaded();
    if (!show) return refused(notFoundFailure("booking", command.bookingId));
    return show.cancellations.cancel(command);
  }

  async readBooking(bookingId: string): Promise<ShowResult<BookingRead>> {
    const show = await this.loaded();
    return show ? show.bookings.read(bookingId) : refused(notFoundFailure("booking", bookingId));
  }

  // ---- Tickets and check-ins (show-checkins.ts) ------------------------------------------

  async readTicket(ticketId: string): Promise<ShowResult<TicketRead>> {
    const show = await this.loaded();
    return show ? show.checkins.readTicket(ticketId) : refused(notFoundFailure("ticket", ticketId));
  }

  async checkIn(scan: VerifiedScan): Promise<ShowResult<{ checkin: CheckinView }>> {
    const show = await this.loaded();
    return show ? show.checkins.checkIn(scan) : this.showNotFound();
  }

  async checkInBatch(scans: VerifiedScan[]): Promise<ShowResult<ScanOutcome[]>> {
    const show = await this.loaded();
    return show ? show.checkins.checkInBatch(scans) : this.showNotFound();
  }

  async checkinManifest(): Promise<ShowResult<ManifestRead>> {
    const show = await this.loaded();
    return show ? show.checkins.manifest() : this.showNotFound();
  }

  // ---- Alarm and WebSockets -------------------------------------------------------------

  override async alarm(): Promise<void> {
    const show = await this.loaded();
    if (!show) return;
    show.state.alarmFired();
    await show.upkeep();
  }

  /** Only for the WebSocket upgrade of the live seat map. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const show = await this.loaded();
    if (!show) return Response.json(this.showNotFound().error, { status: 404 });
    return this.viewers.accept(show.state);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.viewers.message(ws, message, (await this.loaded())?.state);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.viewers.forget(ws);
    // Reciprocate the close; 1005/1006 are reserved and cannot be sent back.
    const sendable = code === 1005 || code === 1006 ? 1000 : code;
    try {
      ws.close(sendable, reason);
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.viewers.forget(ws);
    try {
      ws.close(1011, "error");
    } catch {
      // Already closed.
    }
  }

  // ---- Start-up -------------------------------------------------------------------------

  /** The show's logic, loading the show from the D1 catalog on first use; undefined if unknown. */
  private async loaded(): Promise<ShowServices | undefined> {
    if (this.show) return this.show;
    const showId = this.ctx.id.name;
    if (!showId) return undefined;
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.show) return;
      const catalog = await loadFromCatalog(database(this.env.DB), showId);
      if (!catalog) return;
      const { storage } = this.ctx;
      storage.transactionSync(() =>
        new ShowStorage(storage.sql).initialize(catalog.info, catalog.seats),
      );
      const state = ShowState.open(this.ctx, this.env, this.broadcaster, null);
      if (state) this.show = new ShowServices(state, this.env);
    });
    return this.show;
  }

  private showNotFound() {
    return refused(notFoundFailure("show", this.ctx.id.name ?? "unknown"));
  }
}
