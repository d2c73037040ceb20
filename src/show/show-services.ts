import { opsRegistryStub } from "../contract/object-stubs.ts";
import { isSettled, type StuckWork } from "../ops/stuck-work.ts";
import { actionHoldSeconds, selectGateway } from "../payments/select-gateway.ts";
import { AccessCodes } from "./services/access-codes.ts";
import { Allocations } from "./services/allocations.ts";
import { LatePayments } from "./services/late-payments.ts";
import { PaymentActions } from "./services/payment-actions.ts";
import { ProviderEvents } from "./services/provider-events.ts";
import { ResaleRefunds } from "./services/resale-refunds.ts";
import { SeatLocking } from "./services/seat-locking.ts";
import { SeatReads } from "./services/seat-reads.ts";
import { ShowBookings } from "./services/show-bookings.ts";
import { ShowCancellations } from "./services/show-cancellations.ts";
import { ShowCheckins } from "./services/show-checkins.ts";
import { ShowHolds } from "./services/show-holds.ts";
import { ShowOperations } from "./services/show-operations.ts";
import { ShowPayments } from "./services/show-payments.ts";
import { TicketResale } from "./services/ticket-resale.ts";
import { TicketTransfers } from "./services/ticket-transfers.ts";
import { Waitlist } from "./services/waitlist.ts";
import { RETRY_MS } from "./show-schedule.ts";
import type { ShowState } from "./show-state.ts";

/**
 * The logic of a loaded show, wired once: each part uses the show's state (and the parts
 * listed before it), never the reverse.
 */
export class ShowServices {
  readonly locking: SeatLocking;
  readonly payments: ShowPayments;
  readonly bookings: ShowBookings;
  readonly cancellations: ShowCancellations;
  readonly operations: ShowOperations;
  readonly holds: ShowHolds;
  readonly codes: AccessCodes;
  readonly allocations: Allocations;
  readonly checkins: ShowCheckins;
  readonly transfers: TicketTransfers;
  readonly resale: TicketResale;
  readonly resaleRefunds: ResaleRefunds;
  readonly reads: SeatReads;
  readonly providerEvents: ProviderEvents;
  readonly actions: PaymentActions;
  readonly late: LatePayments;
  readonly waitlist: Waitlist;

  /** The unsettled work last reported to the ops registry (JSON), if any since load. */
  private reported: string | undefined;
  /** Whether the registry lists this show (the last report was not settled). */
  private listed = false;

  constructor(
    readonly state: ShowState,
    private readonly env: Env,
  ) {
    const gateway = selectGateway(env);
    const currency = env.CURRENCY || "INR";
    const actionHoldMs = actionHoldSeconds(env) * 1000;
    this.codes = new AccessCodes(state);
    this.locking = new SeatLocking(state, this.codes);
    // Called only once a payment is made, long after every part here is wired.
    this.payments = new ShowPayments(state, gateway, currency, actionHoldMs, {
      refundNow: (bookingId) => this.cancellations.refundNow(bookingId),
      settled: () => this.reportIfListed(),
    });
    this.late = new LatePayments(state, gateway, this.payments, currency);
    this.actions = new PaymentActions(state, gateway, this.payments, this.late, actionHoldMs);
    this.bookings = new ShowBookings(state, this.payments);
    this.cancellations = new ShowCancellations(
      state,
      this.bookings,
      this.actions,
      gateway,
      env.TICKET_BASE_URL,
    );
    this.operations = new ShowOperations(state);
    this.holds = new ShowHolds(state);
    this.allocations = new Allocations(state, this.holds);
    this.checkins = new ShowCheckins(state);
    this.transfers = new TicketTransfers(state, this.checkins);
    this.resale = new TicketResale(state);
    this.resaleRefunds = new ResaleRefunds(state, gateway);
    this.reads = new SeatReads(state);
    this.providerEvents = new ProviderEvents(state, this.actions);
    this.waitlist = new Waitlist(state, this.locking, env.TICKET_BASE_URL);
    state.onSeatsFreed((now) => this.waitlist.offerFreed(now));
  }

  /**
   * The alarm's work: settles payments left unsettled, retries refunds that are due,
   * expires what is due, sends D1 what it lacks, forgets old idempotency records, and arms
   * the alarm again while anything is unsettled. Running it twice changes nothing.
   */
  async upkeep(): Promise<void> {
    const { state } = this;
    const before = this.stuckWork();
    await this.payments.settleAbandoned();
    await this.actions.checkDue(Date.now());
    await this.late.retryDue(Date.now());
    await this.resaleRefunds.retryDue(Date.now());
    // A cancelled show: what a payment confirmed since is queued for its refund too.
    this.operations.sweep(Date.now());
    await this.cancellations.retryDue(Date.now());
    const expired = state.expireDue(Date.now());
    state.idempotency.prune(Date.now());
    const flushed = await state.outbox.flush();
    await state.webhooks.flush();
    await state.armAlarm(this.nextRetryAt(Date.now(), flushed));
    const after = this.stuckWork();
    state.log.write(isSettled(after) ? "info" : "warn", "alarm run", {
      locks_expired: expired,
      payments_settled: before.payments.length - after.payments.length,
      refunds_done: before.refunds.length - after.refunds.length,
      outbox_sent: before.outbox.waiting - after.outbox.waiting,
      payments_open: after.payments.length,
      refunds_pending: after.refunds.length,
      outbox_waiting: after.outbox.waiting,
    });
    await this.report(after);
  }

  /** What is unsettled now, as operators see it. */
  stuckWork(): StuckWork {
    const { attemptStorage, bookingStorage, outbox } = this.state;
    const backlog = outbox.backlog();
    return {
      // Open ones, and those waiting for the buyer (the alarm asks the provider about them).
      payments: [...attemptStorage.openAttempts(), ...attemptStorage.waitingAttempts()].map(
        (attempt) => ({
          booking_id: attempt.bookingId,
          charge_key: attempt.chargeKey,
          status: attempt.status,
          since: attempt.startedAt,
        }),
      ),
      refunds: [
        ...bookingStorage.requestedCancellations().map((pending) => ({
          booking_id: pending.bookingId,
          attempts: pending.attempts,
          since: pending.requestedAt,
          next_try_at: pending.nextTryAt,
        })),
        ...[...this.state.lateRefunds.pending(), ...this.state.resale.pendingRefunds()].map(
          (owed) => ({
            booking_id: owed.bookingId,
            attempts: owed.attempts,
            since: owed.createdAt,
            next_try_at: owed.nextTryAt,
          }),
        ),
      ],
      outbox: { waiting: backlog.waiting, since: backlog.oldestAt },
      cancellation: this.cancellationInProgress(),
      dead_letters: outbox.deadLetters().map((letter) => ({
        outbox_id: letter.id,
        error: letter.error,
        since: letter.failedAt,
      })),
    };
  }

  /** A cancelled show whose refunds are not all through yet; null otherwise. */
  private cancellationInProgress(): StuckWork["cancellation"] {
    const progress = this.operations.view().cancellation;
    if (!progress || progress.pending === 0) return null;
    return { ...progress, cancelled_at: this.state.info.cancelledAt ?? 0 };
  }

  /**
   * Tells the ops registry when the unsettled work changed since the last report (always
   * once after a load, so a registry entry left by an earlier life is corrected). A failed
   * report is tried again by a later alarm run.
   */
  private async report(work: StuckWork): Promise<void> {
    const json = JSON.stringify(work);
    if (json === this.reported) return;
    try {
      await opsRegistryStub(this.env).report(this.state.showId, work, Date.now());
      this.reported = json;
      this.listed = !isSettled(work);
    } catch (err) {
      this.state.log.write("warn", "ops report failed", {
        message: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /**
   * A payment ended outside the alarm (a charge under way went through or failed): if the
   * registry lists this show, it hears at once, so the operator's status never keeps a
   * payment that went through. Nothing is sent while the show is not listed (a sale's
   * payments cost no call). The payment's D1 rows are sent first, so the report does not
   * list them as waiting.
   */
  private reportIfListed(): void {
    if (!this.listed) return;
    void this.state.flushToD1().then(() => this.report(this.stuckWork()));
  }

  /**
   * When unsettled work is next due (D1 writes, payments, refunds), or undefined when
   * nothing is unsettled. `flushed`: whether the outbox is known to be empty.
   */
  nextRetryAt(now: number, flushed = !this.state.outbox.pending()): number | undefined {
    const due: number[] = [];
    if (!flushed || this.payments.hasAbandoned() || this.state.webhooks.pending()) {
      due.push(now + RETRY_MS);
    }
    for (const at of [
      this.cancellations.nextRetryAt(),
      this.late.nextRetryAt(),
      this.resaleRefunds.nextRetryAt(),
      this.actions.nextCheckAt(),
    ]) {
      if (at !== undefined) due.push(Math.max(at, now));
    }
    const sweep = this.operations.nextSweepAt(now);
    if (sweep !== undefined) due.push(sweep);
    return due.length > 0 ? Math.min(...due) : undefined;
  }
}
