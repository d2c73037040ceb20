import type { ApiFailure } from "../../contract/api-failure.ts";
import type { BookingTicket } from "../../contract/booking-views.ts";
import type { ShowResult } from "../../contract/show-rpc.ts";
import type { LogFields } from "../../observability/log.ts";
import {
  type ChargeOutcome,
  type PaymentGateway,
  type PaymentMethodInput,
  PaymentOutcomeUnknown,
  type PaymentProvider,
} from "../../payments/payment-gateway.ts";
import { lockExtended } from "../d1/lock-d1.ts";
import type { KeyedRequest } from "../keyed-request.ts";
import { refused } from "../show-results.ts";
import { RETRY_MS } from "../show-schedule.ts";
import type { ShowState } from "../show-state.ts";
import type { StoredBooking } from "../storage/booking-storage.ts";
import { confirmPaid, type PaidReplies } from "./booking-confirmation.ts";
import { ACTION_CHECK_MS } from "./payment-actions.ts";
import {
  cardDeclined,
  lockGone,
  lockLost,
  outcomeUnknown,
  paidAfterCancellation,
} from "./payment-failures.ts";

type Succeeded = Extract<ChargeOutcome, { status: "succeeded" }>;
export type ActionNeeded = Extract<ChargeOutcome, { status: "requires_action" }>;

/** How to answer a payment's request: paid at once, or waiting for the buyer's action. */
export interface PayAnswers<T> {
  /** `tickets`: the ones the confirmation issued, as the booking's views show them. */
  paid: (charge: Succeeded, tickets: BookingTicket[]) => ShowResult<T>;
  waiting: (action: ActionNeeded) => ShowResult<T>;
}

/** What a charge came to: paid, waiting for the buyer, or refused (settled already). */
type ChargeResult =
  | { kind: "paid"; charge: Succeeded }
  | { kind: "waiting"; action: ActionNeeded }
  | { kind: "refused"; error: ApiFailure };

/**
 * Paying for a booking: charge, settle, confirm. The one outside call, the gateway's charge,
 * happens while the lock is marked as paying, which no other request can take or expire;
 * every charge has its own idempotency key (`<booking_id>:<attempt>`), and a charge whose
 * outcome is unknown is settled by a refund under that key.
 */
export class ShowPayments {
  /** The provider payments go through (answers name it). */
  get provider(): PaymentProvider {
    return this.gateway.provider;
  }

  /** Charge keys this instance is waiting on the gateway for → the lock each pays for. */
  private readonly inFlight = new Map<string, string>();

  constructor(
    private readonly show: ShowState,
    private readonly gateway: PaymentGateway,
    private readonly currency: string,
    /** How long after its lock was made a payment waiting for the buyer keeps the seats. */
    private readonly actionHoldMs: number,
    private readonly hooks: {
      /** Refunds a booking queued for its refund now (the cancellations' own retries). */
      refundNow: (bookingId: string) => Promise<void>;
      /** A payment attempt ended (the operator's status may list it). */
      settled: () => void;
    },
  ) {}

  /**
   * Charges the booking and, on success, confirms it: `answers` build the reply, which is
   * kept under the request's key in the same transaction as what it reports. A decline or
   * an unknown outcome (settled by refund) leaves the lock as it was, to try another card;
   * a payment that needs the buyer (3-D Secure) keeps the seats held while they act.
   */
  async pay<T>(
    booking: StoredBooking,
    method: PaymentMethodInput,
    attemptNumber: number,
    request: KeyedRequest,
    answers: PayAnswers<T>,
  ): Promise<ShowResult<T>> {
    const chargeKey = this.startAttempt(booking, attemptNumber);
    if (!chargeKey) {
      return refused(lockGone(booking.lockId));
    }
    // What the client can quote: its request id and lock, and the booking only when it was
    // shown one (a pending booking); a booking made with a card exists for the client only
    // once confirmed; a failed one is deleted with its payment.
    const context: LogFields = {
      request_id: request.requestId,
      lock_id: booking.lockId,
      ...(booking.createdWithCard ? {} : { booking_id: booking.bookingId }),
      charge_key: chargeKey,
      amount_minor: booking.totalMinor,
    };
    const charged = await this.charge(booking, chargeKey, method, context);
    if (charged.kind === "refused") {
      this.show.log.write("info", "booking failed", { ...context, code: charged.error.code });
      this.hooks.settled();
      return refused(charged.error);
    }
    if (charged.kind === "waiting") {
      const result = this.awaitBuyer(booking, chargeKey, charged.action, () =>
        request.keep(answers.waiting(charged.action)),
      );
      this.show.log.write("info", "payment waits for the buyer", {
        ...context,
        booking_id: booking.bookingId,
        payment_id: charged.action.paymentId,
      });
      this.hooks.settled();
      return result;
    }
    let result: ShowResult<T> | undefined;
    await this.confirmPaid(booking, chargeKey, charged.charge, context, {
      confirmed: (tickets) => {
        result = request.keep(answers.paid(charged.charge, tickets));
      },
      cancelled: () => {
        result = request.keep(refused(paidAfterCancellation(this.show.showId, booking.bookingId)));
      },
    });
    this.hooks.settled();
    if (!result) throw new Error("the confirmation wrote no reply");
    return result;
  }

  /** A charge went through: the booking is confirmed (see confirmPaid). */
  confirmPaid(
    booking: StoredBooking,
    chargeKey: string,
    charge: Succeeded,
    context: LogFields,
    replies: PaidReplies = {},
    afterLockExpired = false,
  ): Promise<void> {
    return confirmPaid(this.show, this.currency, this.hooks.refundNow, {
      booking,
      chargeKey,
      charge,
      context,
      replies,
      afterLockExpired,
    });
  }

  /**
   * The buyer must act in the provider's page: the attempt waits (the provider's webhook
   * or the alarm settles it), and the lock holds its seats until `actionHoldMs` after it
   * was made, or its own expiry if later; then it may expire like any lock, the booking
   * with it (a success after that is late money: late-payments.ts).
   */
  private awaitBuyer<T>(
    booking: StoredBooking,
    chargeKey: string,
    action: ActionNeeded,
    reply: () => ShowResult<T>,
  ): ShowResult<T> {
    const { show } = this;
    const now = Date.now();
    this.inFlight.delete(chargeKey);
    const lock = show.seats.liveLock(booking.lockId, now);
    const until = lock ? Math.max(lock.expiresAt, lock.lockedAt + this.actionHoldMs) : now;
    if (lock) show.seats.extend(booking.lockId, until);
    let result: ShowResult<T> | undefined;
    show.change({
      at: now,
      store: () => {
        show.attemptStorage.awaitAction(chargeKey, action.paymentId, now);
        if (lock) show.seatStorage.setLockExpiry(booking.lockId, until);
      },
      d1: lock ? [lockExtended(show.db, booking.lockId, until)] : [],
      reply: () => {
        result = reply();
      },
    });
    this.endPayment(booking.lockId);
    // The provider is asked within a minute if its webhook does not come first.
    void show.armAlarm(now + ACTION_CHECK_MS);
    if (!result) throw new Error("the wait wrote no reply");
    return result;
  }

  /**
   * Settles attempts nobody is waiting on any more (the object stopped mid-payment, or a
   * refund of an unknown outcome failed): refunded under the charge's key, then the lock
   * may expire again. Attempts still unsettled stay for the next alarm.
   */
  async settleAbandoned(): Promise<void> {
    const { attemptStorage, bookingStorage } = this.show;
    for (const { chargeKey } of attemptStorage.openAttempts()) {
      // Read afresh: while an earlier refund was awaited, this attempt may have finished.
      const attempt = attemptStorage.findAttempt(chargeKey);
      if (!attempt || (attempt.status !== "charging" && attempt.status !== "unknown")) continue;
      if (this.inFlight.has(chargeKey)) continue;
      if (!(await this.settle(chargeKey))) continue;
      const booking = bookingStorage.findBooking(attempt.bookingId);
      if (booking?.createdWithCard && booking.status === "pending") {
        bookingStorage.deleteBooking(booking.bookingId);
      }
      this.endPayment(attempt.lockId);
    }
  }

  /** A payment attempt ended outside a request (a webhook, the alarm): the operator's status may list it. */
  attemptEnded(): void {
    this.hooks.settled();
  }

  /** Whether some payment is left to settle that nobody here is waiting on. */
  hasAbandoned(): boolean {
    return this.show.attemptStorage.openAttempts().some((a) => !this.inFlight.has(a.chargeKey));
  }

  /** Marks the lock as paying and records the attempt; undefined if the lock is gone. */
  private startAttempt(booking: StoredBooking, attemptNumber: number): string | undefined {
    const now = Date.now();
    if (!this.show.seats.beginPayment(booking.lockId, now)) return undefined;
    const chargeKey = `${booking.bookingId}:${attemptNumber}`;
    this.show.attemptStorage.insertAttempt({
      chargeKey,
      bookingId: booking.bookingId,
      lockId: booking.lockId,
      amountMinor: booking.totalMinor,
      status: "charging",
      startedAt: now,
    });
    this.inFlight.set(chargeKey, booking.lockId);
    return chargeKey;
  }

  /**
   * The gateway's charge; anything but a usable success or a wait for the buyer is settled
   * here and refused.
   */
  private async charge(
    booking: StoredBooking,
    chargeKey: string,
    method: PaymentMethodInput,
    context: LogFields,
  ): Promise<ChargeResult> {
    const { attemptStorage } = this.show;
    let outcome: ChargeOutcome;
    try {
      outcome = await this.gateway.charge({
        idempotencyKey: chargeKey,
        amountMinor: booking.totalMinor,
        currency: this.currency,
        method,
        reference: booking.bookingId,
      });
    } catch (err) {
      const timeout = err instanceof PaymentOutcomeUnknown && err.kind === "timeout";
      attemptStorage.setAttemptStatus(chargeKey, "unknown");
      const settled = await this.settle(chargeKey, context);
      // Unsettled, the charge waits for the alarm's refund: money an operator may need to see.
      this.show.log.write(settled ? "warn" : "error", "payment outcome unknown", {
        ...context,
        reason: timeout ? "timeout" : "gateway_error",
        settled,
      });
      this.inFlight.delete(chargeKey);
      this.endPayment(booking.lockId);
      return refusal(outcomeUnknown(timeout, settled));
    }
    this.inFlight.delete(chargeKey);
    if (outcome.status === "declined") {
      attemptStorage.setAttemptStatus(chargeKey, "declined");
      this.show.log.write("info", "payment declined", {
        ...context,
        reason: outcome.reason,
      });
      this.endPayment(booking.lockId);
      return refusal(cardDeclined(outcome));
    }
    if (outcome.status === "requires_action") return { kind: "waiting", action: outcome };
    if (!this.show.seats.liveLock(booking.lockId, Date.now())) {
      // Cannot happen while the lock is marked as paying; if it ever does, the seats are no
      // longer ours to sell, so the charge is given back rather than turned into a booking.
      const refunded = await this.settle(chargeKey, context);
      this.endPayment(booking.lockId);
      return refusal(lockLost(booking.lockId, refunded));
    }
    return { kind: "paid", charge: outcome };
  }

  /** The lock's payment is over without a sale: it may expire again (and may be due). */
  private endPayment(lockId: string): void {
    // Another attempt on the same lock may be under way (a retry after an unsettled one):
    // it keeps the lock held until it ends itself.
    if ([...this.inFlight.values()].includes(lockId)) return;
    this.show.seats.abandonPayment(lockId);
    this.show.expireDue(Date.now());
    // Expiry alarms armed meanwhile left this lock out while it was paying.
    void this.show.armAlarm();
  }

  /**
   * A charge whose outcome is unknown is refunded under its own key: a refund of a charge
   * that never happened is a no-op. False when the provider could not be reached; the
   * attempt then stays 'unknown' and the alarm tries again.
   */
  async settle(
    chargeKey: string,
    context: LogFields = { charge_key: chargeKey },
  ): Promise<boolean> {
    try {
      const refund = await this.gateway.refund({
        idempotencyKey: `refund:${chargeKey}`,
        chargeIdempotencyKey: chargeKey,
        // Known once the provider answered (a payment waiting for the buyer): no look-up.
        paymentId: this.show.attemptStorage.findAttempt(chargeKey)?.paymentId ?? undefined,
      });
      const status = refund.status === "refunded" ? "refunded" : "no_charge";
      this.show.attemptStorage.settleAttempt(chargeKey, status);
      this.show.log.write("info", "refund done", { ...context, outcome: status });
      return true;
    } catch (err) {
      // A charge under way becomes unknown; a payment waiting for the buyer stays waiting
      // (the alarm keeps asking the provider about it).
      this.show.attemptStorage.settleAttempt(chargeKey, "unknown", ["charging"]);
      void this.show.armAlarm(Date.now() + RETRY_MS);
      this.show.log.write("error", "refund retrying", {
        ...context,
        message: err instanceof Error ? err.message : String(err),
      });
      return false;
    }
  }
}

function refusal(error: ApiFailure): ChargeResult {
  return { kind: "refused", error };
}
