import { DurableObject } from "cloudflare:workers";
import { type ApiFailure, notFoundFailure } from "../contract/api-failure.ts";
import type { LiveChange } from "../contract/live-protocol.ts";
import type { ProviderEvent, ProviderEventOutcome } from "../contract/provider-events.ts";
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
  AccessCodeInput,
  AccessCodeView,
  AllocationView,
  AttendanceRead,
  CheckinView,
  HoldView,
  ManifestRead,
  SalesReport,
  ScanOutcome,
  ScanView,
  ShowPatch,
  ShowStatusView,
  TicketRead,
  VerifiedScan,
  WaitlistView,
} from "../contract/show-views.ts";
import type { ListedTicket, ResaleCommand, WithdrawCommand } from "../contract/ticket-resale.ts";
import type { TransferCommand, TransferredTicket } from "../contract/ticket-transfer.ts";
import { runKeyed } from "./keyed-request.ts";
import { salesReport } from "./services/show-report.ts";
import { loadShow, openShow } from "./show-loader.ts";
import { ok, refused } from "./show-results.ts";
import type { ShowServices } from "./show-services.ts";

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
  private loading: Promise<ShowServices | undefined> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.show = await openShow(ctx, env);
    });
  }

  // ---- RPC: every method goes through one guard (withShow) -----------------------------

  seatMap(knownVersion?: number, zone?: string): Promise<ShowResult<SeatMapRead>> {
    return this.withShow((show) => show.reads.seatMap(knownVersion, zone));
  }

  seatStatus(knownVersion?: number): Promise<ShowResult<SeatStatusRead>> {
    return this.withShow((show) => show.reads.seatStatus(knownVersion));
  }

  /** The show's seats without statuses, in layout order, as JSON. */
  layout(): Promise<ShowResult<string>> {
    return this.withShow((show) => ok(show.state.layout()));
  }

  // ---- Organizers ------------------------------------------------------------------------

  /** Seats by zone and status, bookings by status, gross, refunds and net. */
  salesReport(): Promise<ShowResult<SalesReport>> {
    return this.withShow((show) => {
      const now = Date.now();
      show.state.expireDue(now);
      return ok(salesReport(show.state, this.env.CURRENCY || "INR", now));
    });
  }

  /** PATCH /v1/shows/{show_id}: the sale opened or closed, the show moved, new prices. */
  updateShow(patch: ShowPatch): Promise<ShowResult<ShowStatusView>> {
    return this.withShow((show) => show.operations.update(patch, Date.now()));
  }

  /** POST /v1/shows/{show_id}/cancel: idempotent; refunds go on from the alarm. */
  cancelShow(reason: string): Promise<ShowResult<ShowStatusView>> {
    return this.withShow((show) => show.operations.cancel(reason, Date.now()));
  }

  /** The show's status as its object holds it, with a cancelled show's refund progress. */
  showStatus(): Promise<ShowResult<ShowStatusView>> {
    return this.withShow((show) => ok(show.operations.view()));
  }

  createHold(input: {
    seatIds: string[];
    areas?: { zone: string; quantity: number }[];
    reason: string;
    label?: string;
  }): Promise<ShowResult<HoldView>> {
    return this.withShow((show) => show.holds.create(input));
  }

  listHolds(): Promise<ShowResult<HoldView[]>> {
    return this.withShow((show) => ok(show.holds.list()));
  }

  releaseHold(holdId: string): Promise<ShowResult<HoldView>> {
    return this.withShow((show) => show.holds.release(holdId));
  }

  createAccessCode(input: AccessCodeInput): Promise<ShowResult<AccessCodeView>> {
    return this.withShow((show) => show.codes.create(input));
  }

  listAccessCodes(): Promise<ShowResult<AccessCodeView[]>> {
    return this.withShow((show) => ok(show.codes.list()));
  }

  revokeAccessCode(accessCodeId: string): Promise<ShowResult<AccessCodeView>> {
    return this.withShow((show) => show.codes.revoke(accessCodeId));
  }

  createAllocation(input: {
    name: string;
    seatIds: string[];
  }): Promise<ShowResult<AllocationView>> {
    return this.withShow((show) => show.allocations.create(input));
  }

  listAllocations(): Promise<ShowResult<AllocationView[]>> {
    return this.withShow((show) => ok(show.allocations.list()));
  }

  releaseAllocation(allocationId: string): Promise<ShowResult<AllocationView>> {
    return this.withShow((show) => show.allocations.release(allocationId));
  }

  // ---- Relays of the live feed (src/relay/) ----------------------------------------------

  attachRelay(name: string): Promise<ShowResult<SeatStatusRead>> {
    return this.withShow((show) => show.reads.attachRelay(name));
  }

  async detachRelay(name: string): Promise<void> {
    (await this.loaded())?.state.feed.detach(name);
  }

  liveSince(version: number): Promise<ShowResult<LiveChange | SeatStatusRead>> {
    return this.withShow((show) => show.reads.liveSince(version));
  }

  // ---- Buyers ----------------------------------------------------------------------------

  lock(
    command: LockCommand,
    request: RequestContext,
  ): Promise<ShowResult<Omit<LockView, "status">>> {
    return this.withShow((show) =>
      runKeyed(show.state.idempotency, request, (keyed) => show.locking.lock(command, keyed)),
    );
  }

  getLock(lockId: string, userId: string): Promise<ShowResult<LockView>> {
    return this.withShow(
      (show) => show.locking.read(lockId, userId),
      notFoundFailure("lock", lockId),
    );
  }

  /** Releases the caller's lock early. Idempotent: an ended lock answers as it is. */
  releaseLock(lockId: string, userId: string): Promise<ShowResult<LockView>> {
    return this.withShow(
      (show) => show.locking.release(lockId, userId),
      notFoundFailure("lock", lockId),
    );
  }

  book(command: BookCommand, request: RequestContext): Promise<ShowResult<CreatedBooking>> {
    return this.withShow((show) =>
      runKeyed(show.state.idempotency, request, (keyed) => show.bookings.book(command, keyed)),
    );
  }

  payBooking(command: PayCommand, request: RequestContext): Promise<ShowResult<PaymentReceipt>> {
    return this.withShow(
      (show) =>
        runKeyed(show.state.idempotency, request, (keyed) =>
          show.bookings.payPending(command, keyed),
        ),
      notFoundFailure("booking", command.bookingId),
    );
  }

  cancelBooking(command: CancelCommand): Promise<ShowResult<BookingDetail>> {
    return this.withShow(
      (show) => show.cancellations.cancel(command),
      notFoundFailure("booking", command.bookingId),
    );
  }

  readBooking(bookingId: string): Promise<ShowResult<BookingRead>> {
    return this.withShow(
      (show) => show.bookings.read(bookingId),
      notFoundFailure("booking", bookingId),
    );
  }

  /** A payment provider's verified webhook event about a booking of this show. */
  applyProviderEvent(event: ProviderEvent): Promise<ShowResult<ProviderEventOutcome>> {
    return this.withShow(async (show) => ok(await show.providerEvents.apply(event, Date.now())));
  }

  /** POST /v1/shows/{show_id}/waitlist: a sold-out show's line for released seats. */
  joinWaitlist(
    userId: string,
    input: { quantity: number; zone?: string },
  ): Promise<ShowResult<WaitlistView>> {
    return this.withShow((show) => show.waitlist.join(userId, input));
  }

  readWaitlist(userId: string): Promise<ShowResult<WaitlistView>> {
    return this.withShow((show) => show.waitlist.read(userId));
  }

  leaveWaitlist(userId: string): Promise<ShowResult<WaitlistView>> {
    return this.withShow((show) => show.waitlist.leave(userId));
  }

  // ---- Tickets and check-ins ---------------------------------------------------------------

  readTicket(ticketId: string): Promise<ShowResult<TicketRead>> {
    return this.withShow(
      (show) => show.checkins.readTicket(ticketId),
      notFoundFailure("ticket", ticketId),
    );
  }

  checkIn(scan: VerifiedScan): Promise<ShowResult<{ checkin: CheckinView; scan?: ScanView }>> {
    return this.withShow((show) => show.checkins.checkIn(scan));
  }

  checkInBatch(scans: VerifiedScan[]): Promise<ShowResult<ScanOutcome[]>> {
    return this.withShow((show) => show.checkins.checkInBatch(scans));
  }

  /** The door's manifest; with `since`, only the tickets changed after that version. */
  checkinManifest(since?: string): Promise<ShowResult<ManifestRead>> {
    return this.withShow((show) => show.checkins.manifest(since));
  }

  /** POST /v1/tickets/{ticket_id}/transfer: the ticket reissued to another holder. */
  transferTicket(
    command: TransferCommand,
    request: RequestContext,
  ): Promise<ShowResult<TransferredTicket>> {
    return this.withShow(
      (show) =>
        runKeyed(show.state.idempotency, request, (keyed) =>
          show.transfers.transfer(command, keyed),
        ),
      notFoundFailure("ticket", command.ticketId),
    );
  }

  /** POST /v1/tickets/{ticket_id}/resale: the ticket's seat offered at face value or less. */
  listForResale(
    command: ResaleCommand,
    request: RequestContext,
  ): Promise<ShowResult<ListedTicket>> {
    return this.withShow(
      (show) =>
        runKeyed(show.state.idempotency, request, (keyed) => show.resale.list(command, keyed)),
      notFoundFailure("ticket", command.ticketId),
    );
  }

  /** DELETE /v1/tickets/{ticket_id}/resale: the listing withdrawn, the seat `booked` again. */
  withdrawResale(command: WithdrawCommand): Promise<ShowResult<ListedTicket>> {
    return this.withShow(
      (show) => show.resale.withdraw(command),
      notFoundFailure("ticket", command.ticketId),
    );
  }

  /** The headcount: tickets inside now, scans in and out per gate. */
  attendance(): Promise<ShowResult<AttendanceRead>> {
    return this.withShow((show) => show.checkins.attendance());
  }

  /**
   * The one guard in front of every RPC method: the show's logic, loaded on first use, or
   * `missing` (404 for the show) when this object holds no show and the catalog has none.
   */
  private async withShow<T>(
    run: (show: ShowServices) => ShowResult<T> | Promise<ShowResult<T>>,
    missing: ApiFailure = notFoundFailure("show", this.ctx.id.name ?? "unknown"),
  ): Promise<ShowResult<T>> {
    const show = await this.loaded();
    return show ? run(show) : refused(missing);
  }

  // ---- Alarm ---------------------------------------------------------------------------

  override async alarm(): Promise<void> {
    const show = await this.loaded();
    if (!show) return;
    await show.state.alarmFired(() => show.upkeep());
  }

  /** The show's logic, loading the show from the D1 catalog on first use; undefined if unknown. */
  private async loaded(): Promise<ShowServices | undefined> {
    if (this.show) return this.show;
    // Requests arriving together share one load, so the object holds one state, ever.
    this.loading ??= loadShow(this.ctx, this.env).finally(() => {
      this.loading = undefined;
    });
    const show = await this.loading;
    this.show ??= show;
    return this.show;
  }
}
