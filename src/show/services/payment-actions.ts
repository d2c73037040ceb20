import type { ChargeOutcome, PaymentGateway } from "../../payments/payment-gateway.ts";
import type { ShowState } from "../show-state.ts";
import type { AttemptStatus, PaymentAttempt } from "../storage/attempt-storage.ts";
import type { LatePayments } from "./late-payments.ts";
import type { ShowPayments } from "./show-payments.ts";

/** How often the alarm asks the provider about a payment waiting for the buyer, while the seats are held. */
export const ACTION_CHECK_MS = 60_000;
/** ... and once the hold is over (a buyer may still finish late: late money). */
export const LATE_CHECK_MS = 10 * 60_000;
/**
 * After this long a payment still waiting is given up: settled like an unknown outcome
 * (Stripe cancels the intent), so it can never charge later.
 */
export const ACTION_GIVE_UP_MS = 24 * 60 * 60_000;

/**
 * The attempts the provider is asked about: those waiting for the buyer, and those that
 * ended without money (declined, called off) in case the buyer paid after all. A refunded
 * attempt's money went back: a success the provider still reports for it is that money.
 */
export const MAY_STILL_BE_PAID: readonly AttemptStatus[] = [
  "requires_action",
  "declined",
  "no_charge",
];

/** What became of a waiting payment when it was looked at. */
export type WaitOutcome = "settled" | "waiting" | "not_waiting";

/**
 * Payments waiting for the buyer in the provider's page (3-D Secure, a provider's
 * checkout): the provider's webhook says when one ends, and the alarm asks the provider
 * meanwhile (a webhook may be lost). Either way the provider is asked (retrieve): an event
 * only says when to look, the provider's answer is what is applied, once, whoever looks
 * first.
 */
export class PaymentActions {
  /** Attempts this instance is asking the provider about. */
  private readonly checking = new Set<string>();
  /** Attempts to be asked about again once the look under way is over. */
  private readonly again = new Set<string>();

  constructor(
    private readonly show: ShowState,
    private readonly gateway: PaymentGateway,
    private readonly payments: ShowPayments,
    private readonly late: LatePayments,
    private readonly actionHoldMs: number,
  ) {}

  /**
   * Asks the provider about the attempt and applies what it says: success confirms the
   * booking (or is late money), failure fails it, a wait is looked at again later. An
   * attempt that was not waiting is looked at only for a success it does not know of (a
   * buyer who paid after all, or after the payment was called off): that too is late
   * money, never lost. A look asked for while one is under way is made again after it,
   * so an event arriving meanwhile is not lost to the earlier answer.
   */
  async check(chargeKey: string, trigger: "event" | "alarm"): Promise<WaitOutcome> {
    if (this.checking.has(chargeKey)) {
      this.again.add(chargeKey);
      return "waiting";
    }
    this.checking.add(chargeKey);
    try {
      let outcome: WaitOutcome;
      do {
        this.again.delete(chargeKey);
        outcome = await this.checkOnce(chargeKey, trigger);
      } while (this.again.has(chargeKey));
      return outcome;
    } finally {
      this.checking.delete(chargeKey);
      this.payments.attemptEnded();
    }
  }

  /**
   * Calls off a payment waiting for the buyer (its booking is being cancelled): asked
   * about first, so one that went through confirms its booking (which the caller then
   * cancels with a refund); else called off at the provider. "busy" while the payment is
   * being looked at; "failed" when the provider could not be reached.
   */
  async callOff(chargeKey: string): Promise<"paid" | "called_off" | "busy" | "failed"> {
    if (this.checking.has(chargeKey)) return "busy";
    this.checking.add(chargeKey);
    try {
      const outcome = await this.checkOnce(chargeKey, "cancel");
      if (outcome === "settled") return "paid";
      if (this.show.attemptStorage.findAttempt(chargeKey)?.status !== "requires_action") {
        return "called_off";
      }
      return (await this.payments.settle(chargeKey)) ? "called_off" : "failed";
    } finally {
      this.checking.delete(chargeKey);
      this.payments.attemptEnded();
    }
  }

  private async checkOnce(
    chargeKey: string,
    trigger: "event" | "alarm" | "cancel",
  ): Promise<WaitOutcome> {
    const { show } = this;
    const attempt = show.attemptStorage.findAttempt(chargeKey);
    if (!attempt || !MAY_STILL_BE_PAID.includes(attempt.status)) return "not_waiting";
    const context = {
      trigger,
      booking_id: attempt.bookingId,
      lock_id: attempt.lockId,
      charge_key: chargeKey,
      amount_minor: attempt.amountMinor,
    };
    let outcome: ChargeOutcome | undefined;
    try {
      outcome = await this.gateway.retrieve(chargeKey, attempt.paymentId ?? undefined);
    } catch (err) {
      show.log.write("warn", "payment check failed", {
        ...context,
        message: err instanceof Error ? err.message : String(err),
      });
      if (attempt.status === "requires_action") this.markChecked(attempt);
      return "waiting";
    }
    // Read afresh: while the provider was asked, the attempt may have moved on.
    const fresh = show.attemptStorage.findAttempt(chargeKey);
    if (!fresh || fresh.status !== attempt.status) return "not_waiting";
    if (outcome?.status === "succeeded") {
      await this.late.arrived(fresh, outcome, context);
      return "settled";
    }
    if (fresh.status !== "requires_action") return "not_waiting";
    if (outcome?.status === "declined") {
      this.failed(fresh, outcome.reason);
      return "settled";
    }
    if (Date.now() - fresh.startedAt >= ACTION_GIVE_UP_MS) {
      await this.payments.settle(chargeKey, context);
      show.log.write("warn", "payment given up", context);
      return "settled";
    }
    this.markChecked(fresh);
    return "waiting";
  }

  /** For the alarm: asks about every waiting payment whose time has come. */
  async checkDue(now: number): Promise<void> {
    for (const attempt of this.show.attemptStorage.waitingAttempts()) {
      if (this.nextCheckOf(attempt) <= now) await this.check(attempt.chargeKey, "alarm");
    }
  }

  /** When the next waiting payment is due to be asked about, if any waits. */
  nextCheckAt(): number | undefined {
    const times = this.show.attemptStorage.waitingAttempts().map((a) => this.nextCheckOf(a));
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  /**
   * The buyer's action failed (3-D Secure refused): the attempt is declined; a booking
   * made with this payment is `failed`, its lock holding on until its expiry, so that the
   * buyer may book it again with another card. A pending booking paid later stays pending.
   */
  private failed(attempt: PaymentAttempt, reason: string): void {
    const { show } = this;
    const booking = show.bookingStorage.findBooking(attempt.bookingId);
    const failing = booking?.createdWithCard === true && booking.status === "pending";
    if (booking && failing) booking.status = "failed";
    show.change({
      at: Date.now(),
      store: () => {
        show.attemptStorage.setAttemptStatus(attempt.chargeKey, "declined");
        if (booking && failing) show.bookingStorage.updateBooking(booking);
      },
    });
    show.log.write("info", "payment declined", {
      booking_id: attempt.bookingId,
      lock_id: attempt.lockId,
      charge_key: attempt.chargeKey,
      reason,
      after: "requires_action",
    });
  }

  private markChecked(attempt: PaymentAttempt): void {
    this.show.transaction(() => this.show.attemptStorage.checked(attempt.chargeKey, Date.now()));
  }

  private nextCheckOf(attempt: PaymentAttempt): number {
    const last = attempt.checkedAt ?? attempt.startedAt;
    const holding = last < attempt.startedAt + this.actionHoldMs;
    return last + (holding ? ACTION_CHECK_MS : LATE_CHECK_MS);
  }
}
