import { selectGateway } from "../payments/select-gateway.ts";
import { SeatLocking } from "./seat-locking.ts";
import { ShowBookings } from "./show-bookings.ts";
import { ShowCancellations } from "./show-cancellations.ts";
import { ShowPayments } from "./show-payments.ts";
import { RETRY_MS, type ShowState } from "./show-state.ts";

/**
 * The logic of a loaded show, wired once: each part uses the show's state (and the parts
 * listed before it), never the reverse.
 */
export class ShowServices {
  readonly locking: SeatLocking;
  readonly payments: ShowPayments;
  readonly bookings: ShowBookings;
  readonly cancellations: ShowCancellations;

  constructor(
    readonly state: ShowState,
    env: Env,
  ) {
    const gateway = selectGateway(env);
    this.locking = new SeatLocking(state);
    this.payments = new ShowPayments(state, gateway, env.CURRENCY || "INR");
    this.bookings = new ShowBookings(state, this.payments);
    this.cancellations = new ShowCancellations(state, this.bookings, gateway, env.TICKET_BASE_URL);
  }

  /**
   * The alarm's work: settles payments left unsettled, retries refunds that are due,
   * expires what is due, sends D1 what it lacks, forgets old idempotency records, and arms
   * the alarm again while anything is unsettled. Running it twice changes nothing.
   */
  async upkeep(): Promise<void> {
    const { state } = this;
    await this.payments.settleAbandoned();
    await this.cancellations.retryDue(Date.now());
    state.expireDue(Date.now());
    state.operations.prune(Date.now());
    const flushed = await state.outbox.flush();
    await state.armAlarm(this.nextRetryAt(Date.now(), flushed));
  }

  /**
   * When unsettled work is next due (D1 writes, payments, refunds), or undefined when
   * nothing is unsettled. `flushed`: whether the outbox is known to be empty.
   */
  nextRetryAt(now: number, flushed = !this.state.outbox.pending()): number | undefined {
    const due: number[] = [];
    if (!flushed || this.payments.hasAbandoned()) due.push(now + RETRY_MS);
    const refund = this.cancellations.nextRetryAt();
    if (refund !== undefined) due.push(Math.max(refund, now));
    return due.length > 0 ? Math.min(...due) : undefined;
  }
}
