import type { LogFields } from "../../observability/log.ts";
import type { ChargeOutcome, PaymentGateway } from "../../payments/payment-gateway.ts";
import { lateRefundEventData } from "../../webhooks/booking-events.ts";
import { paymentRecorded, paymentRefunded } from "../d1/booking-d1.ts";
import { placesOf } from "../seats/seat-lock.ts";
import type { ShowState } from "../show-state.ts";
import type { PaymentAttempt } from "../storage/attempt-storage.ts";
import type { StoredBooking } from "../storage/booking-storage.ts";
import type { LateRefund } from "../storage/late-refund-storage.ts";
import { codeUses } from "./access-codes.ts";
import { earliestTry, refundTryFailed } from "./refund-retry.ts";
import type { ShowPayments } from "./show-payments.ts";

type Succeeded = Extract<ChargeOutcome, { status: "succeeded" }>;

/**
 * Money that arrives when nobody is waiting for it: a payment the buyer finished in the
 * provider's page (3-D Secure) after the seats' hold ran out, or after the booking ended.
 * It never becomes a charge without a booking: in one step of the object, either the
 * booking gets its seats (the same seats, if all are still free) or the payment is
 * refunded at once, exactly once (under its charge's refund key), retried by the alarm
 * until the provider confirms it, and announced as `booking.payment_refunded_late`.
 */
export class LatePayments {
  /** Charges whose late refund this instance is waiting on the gateway for. */
  private readonly refunding = new Set<string>();

  constructor(
    private readonly show: ShowState,
    private readonly gateway: PaymentGateway,
    private readonly payments: ShowPayments,
    private readonly currency: string,
  ) {}

  /**
   * A payment of `attempt` succeeded at the provider, and it is not the booking's own
   * confirmed payment: it confirms the booking if the booking can still have its seats,
   * else it is given back.
   */
  async arrived(attempt: PaymentAttempt, charge: Succeeded, context: LogFields): Promise<void> {
    const { show } = this;
    const now = Date.now();
    show.expireDue(now);
    const booking = show.bookingStorage.findBooking(attempt.bookingId);
    const fields = { ...context, booking_id: attempt.bookingId, payment_id: charge.paymentId };
    if (booking?.status === "confirmed" && booking.paymentId === charge.paymentId) return;
    if (booking && this.mayConfirm(booking, now)) {
      await this.payments.confirmPaid(booking, attempt.chargeKey, charge, context);
      return;
    }
    const open =
      booking &&
      show.info.status !== "cancelled" &&
      endedUnpaid(booking) &&
      this.withinRules(booking, now);
    if (
      booking &&
      open &&
      show.seats.bookFree(booking.seatIds, booking.bookingId, now, booking.areas ?? [])
    ) {
      show.log.write("warn", "late payment kept its seats", fields);
      await this.payments.confirmPaid(booking, attempt.chargeKey, charge, context, {}, true);
      return;
    }
    await this.refundLate(attempt, charge, booking, fields, now);
  }

  /**
   * Whether the booking may still have its seats under the rules its lock was checked
   * against: its buyer's limit, and its access code's uses (the lock gave its use back when
   * it expired; another buyer may have taken it since).
   */
  private withinRules(booking: StoredBooking, now: number): boolean {
    const { show } = this;
    const limit = show.info.maxTicketsPerUser;
    if (limit) {
      if (show.seatsHeldBy(booking.userId, now) + placesOf(booking) > limit) return false;
    }
    const codeId = show.seatStorage.findLock(booking.lockId)?.accessCodeId;
    const code = codeId ? show.accessCodes.find(codeId) : undefined;
    if (
      code &&
      (code.revokedAt !== null || codeUses(show, code.accessCodeId, now) >= code.maxUses)
    ) {
      return false;
    }
    return true;
  }

  /** For the alarm: tries again each late refund whose time has come. */
  async retryDue(now: number): Promise<void> {
    for (const owed of this.show.lateRefunds.pending()) {
      if (owed.nextTryAt > now || this.refunding.has(owed.chargeKey)) continue;
      await this.refund(owed);
    }
  }

  /** When the next late refund try is due, if any waits. */
  nextRetryAt(): number | undefined {
    return earliestTry(this.show.lateRefunds.pending());
  }

  /** The booking still has its live lock (its latest booking): paid as if on time. */
  private mayConfirm(booking: StoredBooking, now: number): boolean {
    if (booking.status !== "pending" && booking.status !== "failed") return false;
    if (!this.show.seats.liveLock(booking.lockId, now)) return false;
    return this.show.bookingStorage.bookingOfLock(booking.lockId)?.bookingId === booking.bookingId;
  }

  /**
   * The booking ends (expired, unless it ended otherwise already) with the refund owed,
   * in one transaction; the refund is tried at once.
   */
  private async refundLate(
    attempt: PaymentAttempt,
    charge: Succeeded,
    booking: StoredBooking | undefined,
    fields: LogFields,
    now: number,
  ): Promise<void> {
    const { show } = this;
    const bookingId = attempt.bookingId;
    const expiring = booking?.status === "pending" || booking?.status === "failed";
    if (booking && expiring) booking.status = "expired";
    show.change({
      at: now,
      store: () => {
        show.attemptStorage.setAttemptStatus(attempt.chargeKey, "succeeded");
        if (booking && expiring) show.bookingStorage.updateBooking(booking);
        show.lateRefunds.owe(
          {
            bookingId,
            chargeKey: attempt.chargeKey,
            paymentId: charge.paymentId,
            amountMinor: attempt.amountMinor,
          },
          now,
        );
      },
      // D1 has the booking only if it was made without a card: its money trail goes there.
      // (Not for one paid by another attempt: D1 keeps one payment per booking.)
      d1:
        booking && !booking.createdWithCard && booking.paymentId === null
          ? [
              paymentRecorded(show.db, {
                paymentId: charge.paymentId,
                bookingId,
                amountMinor: attempt.amountMinor,
                currency: this.currency,
                brand: charge.card.brand,
                last4: charge.card.last4,
                processedAt: charge.processedAt,
              }),
            ]
          : [],
    });
    show.log.write("warn", "late payment refunding", {
      ...fields,
      amount_minor: attempt.amountMinor,
      booking_found: booking !== undefined,
    });
    const owed = show.lateRefunds.find(attempt.chargeKey);
    if (owed) await this.refund(owed);
  }

  /** One try of a late refund; on failure the alarm tries again, with backoff. */
  private async refund(owed: LateRefund): Promise<void> {
    const { show } = this;
    const fields = {
      booking_id: owed.bookingId,
      charge_key: owed.chargeKey,
      payment_id: owed.paymentId,
    };
    this.refunding.add(owed.chargeKey);
    const started = Date.now();
    let refundId: string;
    try {
      const outcome = await this.gateway.refund({
        idempotencyKey: `refund:${owed.chargeKey}`,
        chargeIdempotencyKey: owed.chargeKey,
        paymentId: owed.paymentId,
      });
      // no_charge: the provider says nothing was taken (a payment undone meanwhile).
      refundId = outcome.status === "refunded" ? outcome.refundId : "none";
    } catch (err) {
      refundTryFailed(show, {
        failures: owed.attempts + 1,
        retried: (nextTryAt) => show.lateRefunds.retried(owed.chargeKey, nextTryAt),
        msg: "refund retrying",
        fields,
        error: err,
        startedAt: started,
      });
      return;
    } finally {
      this.refunding.delete(owed.chargeKey);
    }
    const at = Date.now();
    const booking = show.bookingStorage.findBooking(owed.bookingId);
    const inD1 = booking !== undefined && !booking.createdWithCard && booking.paymentId === null;
    show.change({
      at,
      store: () => {
        show.lateRefunds.refunded(owed.chargeKey, refundId);
        show.attemptStorage.setAttemptStatus(owed.chargeKey, "refunded");
      },
      d1: inD1 ? [paymentRefunded(show.db, owed.paymentId, at)] : [],
      events: booking
        ? [
            {
              type: "booking.payment_refunded_late",
              data: lateRefundEventData(
                show.showId,
                booking,
                { paymentId: owed.paymentId, refundId, amountMinor: owed.amountMinor },
                this.currency,
                at,
              ),
            },
          ]
        : [],
    });
    show.log.write("warn", "payment refunded late", {
      ...fields,
      refund_id: refundId,
      amount_minor: owed.amountMinor,
    });
  }
}

/** A booking that ended without being paid (it may yet be, if its seats are free). */
function endedUnpaid(booking: StoredBooking): boolean {
  return booking.status === "expired" || booking.status === "failed";
}
