import { DurableObject } from "cloudflare:workers";
import { invalidInputFailure, notFoundFailure } from "../contract/api-failure.ts";
import type { LiveChange } from "../contract/live-protocol.ts";
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
  SeatStatusRead,
  ShowResult,
} from "../contract/show-rpc.ts";
import type {
  CheckinView,
  HoldView,
  ManifestRead,
  SalesReport,
  ScanOutcome,
  ShowPatch,
  ShowStatusView,
  TicketRead,
  VerifiedScan,
} from "../contract/show-views.ts";
import { database } from "../db/database.ts";
import { runKeyed } from "./keyed-request.ts";
import { salesReport } from "./services/show-report.ts";
import { loadFromCatalog } from "./show-loader.ts";
import { ok, refused } from "./show-results.ts";
import { ShowServices } from "./show-services.ts";
import { ShowState } from "./show-state.ts";
import { SeatStorage } from "./storage/seat-storage.ts";

/**
 * One per show (`idFromName(show_id)`; the id's name is the show id): the single writer of
 * that show's state. A thin shell: RPC methods, the alarm and start-up. Live viewers are
 * not here: they are on the show's relays (src/relay/), which this object publishes to.
 * The state lives in ShowState; the logic in ShowServices. Requests do await other things
 * (the payment gateway, D1), and other requests run meanwhile; what must not change in
 * between is guarded by state (a lock being paid for, a booking being cancelled).
 */
export class ShowObject extends DurableObject<Env> {
  private show: ShowServices | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const state = ShowState.open(ctx, env, await ctx.storage.getAlarm());
      if (!state) return;
      this.show = new ShowServices(state, env);
      // Whatever stopped the object (a deploy, an eviction, a crash at an await), work left
      // unsettled (D1 writes, payments, refunds) resumes now rather than when a request
      // happens to come.
      if (this.show.nextRetryAt(Date.now()) !== undefined) await state.armAlarm(Date.now());
    });
  }

  // ---- RPC ------------------------------------------------------------------------------

  /** The seat map (or one zone's); `json` is null when `knownVersion` is still current. */
  async seatMap(knownVersion?: number, zone?: string): Promise<ShowResult<SeatMapRead>> {
    const show = await this.loaded();
    if (!show) return this.showNotFound();
    const { state } = show;
    const now = Date.now();
    state.expireDue(now);
    if (zone !== undefined && !state.info.zones.some((z) => z.name === zone)) {
      return refused(invalidInputFailure("zone", `this show has no zone '${zone}'`));
    }
    const json = knownVersion === state.version ? null : state.seatMap(now, zone);
    return ok({ version: state.version, json, changesBy: state.seats.nextExpiry() ?? null });
  }

  /** Every seat's status as one character, in layout order; `status` null when current. */
  async seatStatus(knownVersion?: number): Promise<ShowResult<SeatStatusRead>> {
    const show = await this.loaded();
    if (!show) return this.showNotFound();
    const { state } = show;
    const now = Date.now();
    state.expireDue(now);
    const status = knownVersion === state.version ? null : state.statusString(now);
    return ok({ version: state.version, status, changesBy: state.seats.nextExpiry() ?? null });
  }

  /** The show's seats without statuses, in layout order, as JSON. */
  async layout(): Promise<ShowResult<string>> {
    const show = await this.loaded();
    return show ? ok(show.state.layout()) : this.showNotFound();
  }

  // ---- Organizers ------------------------------------------------------------------------

  /** Seats by zone and status, bookings by status, gross, refunds and net. */
  async salesReport(): Promise<ShowResult<SalesReport>> {
    const show = await this.loaded();
    if (!show) return this.showNotFound();
    const now = Date.now();
    show.state.expireDue(now);
    return ok(salesReport(show.state, this.env.CURRENCY || "INR", now));
  }

  /** PATCH /v1/shows/{show_id}: the sale opened or closed, the show moved. */
  async updateShow(patch: ShowPatch): Promise<ShowResult<ShowStatusView>> {
    const show = await this.loaded();
    return show ? show.operations.update(patch, Date.now()) : this.showNotFound();
  }

  /** POST /v1/shows/{show_id}/cancel: idempotent; refunds go on from the alarm. */
  async cancelShow(reason: string): Promise<ShowResult<ShowStatusView>> {
    const show = await this.loaded();
    return show ? show.operations.cancel(reason, Date.now()) : this.showNotFound();
  }

  /** The show's status as its object holds it, with a cancelled show's refund progress. */
  async showStatus(): Promise<ShowResult<ShowStatusView>> {
    const show = await this.loaded();
    return show ? ok(show.operations.view()) : this.showNotFound();
  }

  async createHold(input: {
    seatIds: string[];
    reason: string;
    label?: string;
  }): Promise<ShowResult<HoldView>> {
    const show = await this.loaded();
    return show ? show.holds.create(input) : this.showNotFound();
  }

  async listHolds(): Promise<ShowResult<HoldView[]>> {
    const show = await this.loaded();
    return show ? ok(show.holds.list()) : this.showNotFound();
  }

  async releaseHold(holdId: string): Promise<ShowResult<HoldView>> {
    const show = await this.loaded();
    return show ? show.holds.release(holdId) : this.showNotFound();
  }

  // ---- Relays of the live feed (src/relay/) ----------------------------------------------

  /** A relay's first viewer came: it gets every change from now, and the current statuses. */
  async attachRelay(name: string): Promise<ShowResult<SeatStatusRead>> {
    const show = await this.loaded();
    if (!show) return this.showNotFound();
    // A change still in the coalescing window is published first (to the other relays), so
    // the feed's recent changes hold every version the relay may be asked to resume from.
    show.state.flushLive();
    show.state.feed.attach(name);
    return this.seatStatus();
  }

  async detachRelay(name: string): Promise<void> {
    (await this.loaded())?.state.feed.detach(name);
  }

  /** What a relay that missed changes lacks since `version`: the changes, or the statuses. */
  async liveSince(version: number): Promise<ShowResult<LiveChange | SeatStatusRead>> {
    const show = await this.loaded();
    if (!show) return this.showNotFound();
    const { state } = show;
    state.expireDue(Date.now());
    // Without this a change still in the coalescing window is counted in the version but
    // not in the feed's recent changes, and a resume during a sale costs a whole snapshot.
    state.flushLive();
    const change = state.feed.since(version, state.version);
    return change ? ok(change) : this.seatStatus();
  }

  async lock(
    command: LockCommand,
    request: RequestContext,
  ): Promise<ShowResult<Omit<LockView, "status">>> {
    const show = await this.loaded();
    if (!show) return this.showNotFound();
    return runKeyed(show.state.idempotency, request, (keyed) => show.locking.lock(command, keyed));
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
    return runKeyed(show.state.idempotency, request, (keyed) => show.bookings.book(command, keyed));
  }

  async payBooking(
    command: PayCommand,
    request: RequestContext,
  ): Promise<ShowResult<PaymentReceipt>> {
    const show = await this.loaded();
    if (!show) return refused(notFoundFailure("booking", command.bookingId));
    return runKeyed(show.state.idempotency, request, (keyed) =>
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

  // ---- Alarm ---------------------------------------------------------------------------

  override async alarm(): Promise<void> {
    const show = await this.loaded();
    if (!show) return;
    show.state.alarmFired();
    await show.upkeep();
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
        new SeatStorage(storage.sql).initialize(catalog.info, catalog.seats),
      );
      const state = ShowState.open(this.ctx, this.env, null);
      if (state) this.show = new ShowServices(state, this.env);
    });
    return this.show;
  }

  private showNotFound() {
    return refused(notFoundFailure("show", this.ctx.id.name ?? "unknown"));
  }
}
