import { type ApiFailure, failure } from "../../contract/api-failure.ts";
import type { ShowResult } from "../../contract/show-rpc.ts";
import type { LogFields } from "../../observability/log.ts";
import {
  type ChargeOutcome,
  type PaymentGateway,
  type PaymentMethodInput,
  PaymentOutcomeUnknown,
} from "../../payments/payment-gateway.ts";
import type { KeyedRequest } from "../keyed-request.ts";
import { refused } from "../show-results.ts";
import { RETRY_MS, type ShowState } from "../show-state.ts";
import type { StoredBooking } from "../storage/booking-storage.ts";
import { confirmBooking } from "./booking-confirmation.ts";

type Succeeded = Extract<ChargeOutcome, { status: "succeeded" }>;

/**
 * Paying for a booking: charge, settle, confirm. The one outside call, the gateway's charge,
 * happens while the lock is marked as paying, which no other request can take or expire;
 * every charge has its own idempotency key (`<booking_id>:<attempt>`), and a charge whose
 * outcome is unknown is settled by a refund under that key.
 */
export class ShowPayments {
  /** Charge keys this instance is waiting on the gateway for → the lock each pays for. */
  private readonly inFlight = new Map<string, string>();

  constructor(
    private readonly show: ShowState,
    private readonly gateway: PaymentGateway,
    private readonly currency: string,
    private readonly hooks: {
      /** Refunds a booking queued for its refund now (the cancellations' own retries). */
      refundNow: (bookingId: string) => Promise<void>;
      /** A payment attempt ended (the operator's status may list it). */
      settled: () => void;
    },
  ) {}

  /**
   * Charges the booking and, on success, confirms it: `answer` builds the reply, which is
   * kept under the request's key in the confirmation's own transaction. A decline or an
   * unknown outcome (settled by refund) leaves the lock as it was, to try another card.
   */
  async pay<T>(
    booking: StoredBooking,
    method: PaymentMethodInput,
    attemptNumber: number,
    request: KeyedRequest,
    answer: (charge: Succeeded) => ShowResult<T>,
  ): Promise<ShowResult<T>> {
    const chargeKey = this.startAttempt(booking, attemptNumber);
    if (!chargeKey) {
      return refused(
        failure(400, "LOCK_EXPIRED", `lock ${booking.lockId} has expired; lock the seats again`, {
          lock_id: booking.lockId,
        }),
      );
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
    if (!charged.ok) {
      this.show.log.write("info", "booking failed", { ...context, code: charged.error.code });
      this.hooks.settled();
      return charged;
    }
    const fields = { ...context, booking_id: booking.bookingId };
    this.show.log.write("info", "payment charged", {
      ...fields,
      payment_id: charged.value.paymentId,
      card_brand: charged.value.card.brand,
    });
    // The show was cancelled while the charge was under way: the booking is recorded with
    // its payment (the money trail), queued for its refund in the same step, and the buyer
    // told at once; the refund starts before the answer.
    const cancelled = this.show.info.status === "cancelled";
    let result: ShowResult<T> | undefined;
    confirmBooking(this.show, this.currency, booking, chargeKey, charged.value, () => {
      if (!cancelled) {
        result = request.keep(answer(charged.value));
        return;
      }
      this.show.bookingStorage.requestCancellation(booking.bookingId, Date.now());
      result = request.keep(refused(paidAfterCancellation(this.show.showId, booking.bookingId)));
    });
    if (cancelled) {
      this.show.log.write("warn", "payment after cancellation", fields);
      await this.hooks.refundNow(booking.bookingId);
    } else {
      this.show.log.write("info", "booking confirmed", {
        ...fields,
        user: booking.userId,
        seats: booking.seatIds.length,
      });
    }
    // Answer once D1 has the booking when it can; if not, the alarm keeps retrying and the
    // object answers reads meanwhile. A stop here loses nothing: the reply is kept already.
    await this.show.flushToD1();
    this.hooks.settled();
    if (!result) throw new Error("the confirmation wrote no reply");
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
      if (!(await this.settleUnknown(chargeKey))) continue;
      const booking = bookingStorage.findBooking(attempt.bookingId);
      if (booking?.createdWithCard && booking.status === "pending") {
        bookingStorage.deleteBooking(booking.bookingId);
      }
      this.endPayment(attempt.lockId);
    }
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

  /** The gateway's charge; anything but a usable success is settled here and refused. */
  private async charge(
    booking: StoredBooking,
    chargeKey: string,
    method: PaymentMethodInput,
    context: LogFields,
  ): Promise<{ ok: true; value: Succeeded } | { ok: false; error: ApiFailure }> {
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
      const settled = await this.settleUnknown(chargeKey, context);
      // Unsettled, the charge waits for the alarm's refund: money an operator may need to see.
      this.show.log.write(settled ? "warn" : "error", "payment outcome unknown", {
        ...context,
        reason: timeout ? "timeout" : "gateway_error",
        settled,
      });
      this.inFlight.delete(chargeKey);
      this.endPayment(booking.lockId);
      return refused(
        failure(
          422,
          "PAYMENT_FAILED",
          `${timeout ? "The payment provider did not answer in time" : "The payment provider failed"}; ${
            settled ? "you have not been charged" : "any charge will be refunded automatically"
          }`,
          {
            field: "payment_method",
            reason: timeout ? "gateway_timeout" : "gateway_error",
            settled,
          },
        ),
      );
    }
    this.inFlight.delete(chargeKey);
    if (outcome.status === "declined") {
      attemptStorage.setAttemptStatus(chargeKey, "declined");
      this.show.log.write("info", "payment declined", {
        ...context,
        reason: outcome.reason,
      });
      this.endPayment(booking.lockId);
      return refused(
        failure(
          422,
          "PAYMENT_FAILED",
          `The card was declined (${outcome.reason.replaceAll("_", " ")})`,
          {
            field: "payment_method",
            reason: outcome.reason,
            ...(outcome.declineCode ? { decline_code: outcome.declineCode } : {}),
            ...(outcome.card
              ? { card_brand: outcome.card.brand, card_last4: outcome.card.last4 }
              : {}),
          },
        ),
      );
    }
    if (outcome.status === "requires_action") {
      // The buyer would have to act in the provider's page (3-D Secure). Until outcomes that
      // come later are taken (the provider's webhook), such a payment is refused: no money
      // moved (an intent waiting for action has charged nothing), and it is settled like an
      // unknown outcome, so the provider cancels it and it can never charge later.
      await this.settleUnknown(chargeKey, context);
      this.show.log.write("info", "payment declined", { ...context, reason: "requires_action" });
      this.endPayment(booking.lockId);
      return refused(
        failure(
          422,
          "PAYMENT_FAILED",
          "This card asks for authentication (3-D Secure), which this deployment does not take yet; use another card",
          { field: "payment_method", reason: "requires_action" },
        ),
      );
    }
    if (!this.show.seats.liveLock(booking.lockId, Date.now())) {
      // Cannot happen while the lock is marked as paying; if it ever does, the seats are no
      // longer ours to sell, so the charge is given back rather than turned into a booking.
      const refunded = await this.settleUnknown(chargeKey, context);
      this.endPayment(booking.lockId);
      return refused(
        failure(
          409,
          "LOCK_EXPIRED",
          `lock ${booking.lockId} no longer holds its seats; the payment ${refunded ? "was" : "will be"} refunded`,
          { field: "lock_id", lock_id: booking.lockId },
        ),
      );
    }
    return { ok: true, value: outcome };
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
  private async settleUnknown(
    chargeKey: string,
    context: LogFields = { charge_key: chargeKey },
  ): Promise<boolean> {
    try {
      const refund = await this.gateway.refund({
        idempotencyKey: `refund:${chargeKey}`,
        chargeIdempotencyKey: chargeKey,
      });
      const status = refund.status === "refunded" ? "refunded" : "no_charge";
      this.show.attemptStorage.setAttemptStatus(chargeKey, status);
      this.show.log.write("info", "refund done", { ...context, outcome: status });
      return true;
    } catch (err) {
      this.show.attemptStorage.setAttemptStatus(chargeKey, "unknown");
      void this.show.armAlarm(Date.now() + RETRY_MS);
      this.show.log.write("error", "refund retrying", {
        ...context,
        message: err instanceof Error ? err.message : String(err),
      });
      return false;
    }
  }
}

/** 409 SHOW_CANCELLED for a payment that went through after its show was cancelled. */
function paidAfterCancellation(showId: string, bookingId: string): ApiFailure {
  return failure(
    409,
    "SHOW_CANCELLED",
    `show ${showId} was cancelled while the payment was under way; the payment is being refunded`,
    { field: "show_id", show_id: showId, booking_id: bookingId, refund: "started" },
  );
}
