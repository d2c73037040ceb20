import type { PaymentGateway } from "../../payments/payment-gateway.ts";
import { resaleRefundDone } from "../d1/resale-d1.ts";
import type { ShowState } from "../show-state.ts";
import type { ResaleRefund } from "../storage/resale-storage.ts";
import { earliestTry, refundTryFailed } from "./refund-retry.ts";

/**
 * Sellers' refunds of resold tickets: each is owed from the step that resold the seat
 * (resold-seats.ts), paid through the seller's own charge under the key
 * `refund:resale:<ticket id>` (one refund per resold ticket, however often it is tried),
 * and tried by the alarm, with backoff, until the provider confirms it, across restarts.
 */
export class ResaleRefunds {
  /** Tickets whose refund this instance is waiting on the gateway for. */
  private readonly refunding = new Set<string>();

  constructor(
    private readonly show: ShowState,
    private readonly gateway: PaymentGateway,
  ) {}

  /** For the alarm: tries each refund whose time has come. */
  async retryDue(now: number): Promise<void> {
    for (const owed of this.show.resale.pendingRefunds()) {
      if (owed.nextTryAt > now || this.refunding.has(owed.ticketId)) continue;
      await this.refund(owed);
    }
  }

  /** When the next try is due, if any refund waits. */
  nextRetryAt(): number | undefined {
    return earliestTry(this.show.resale.pendingRefunds());
  }

  private async refund(owed: ResaleRefund): Promise<void> {
    const { show } = this;
    const seller = show.bookingStorage.findBooking(owed.bookingId);
    const charge = show.attemptStorage
      .attemptsOf(owed.bookingId)
      .find((attempt) => attempt.status === "succeeded");
    const fields = {
      booking_id: owed.bookingId,
      ticket_id: owed.ticketId,
      buyer_booking_id: owed.buyerBookingId,
      amount_minor: owed.amountMinor,
    };
    this.refunding.add(owed.ticketId);
    const started = Date.now();
    let refundId: string;
    try {
      if (owed.amountMinor === 0) {
        // Given away (listed at 0): nothing to give back, and providers refuse a refund of 0.
        refundId = "none";
      } else {
        if (!charge) throw new Error(`booking ${owed.bookingId} has no charge to refund through`);
        const outcome = await this.gateway.refund({
          idempotencyKey: `refund:resale:${owed.ticketId}`,
          chargeIdempotencyKey: charge.chargeKey,
          paymentId: seller?.paymentId ?? undefined,
          amountMinor: owed.amountMinor,
        });
        refundId = outcome.status === "refunded" ? outcome.refundId : "none";
      }
    } catch (err) {
      refundTryFailed(show, {
        failures: owed.attempts + 1,
        retried: (nextTryAt) => show.resale.retried(owed.ticketId, nextTryAt),
        msg: "resale refund retrying",
        fields,
        error: err,
        startedAt: started,
      });
      return;
    } finally {
      this.refunding.delete(owed.ticketId);
    }
    const at = Date.now();
    show.change({
      at,
      store: () => show.resale.refunded(owed.ticketId, refundId, at),
      d1: [resaleRefundDone(show.db, owed.ticketId, refundId, at)],
    });
    show.log.write("info", "resale refund done", { ...fields, refund_id: refundId });
    show.log.metric("refund", "done", Date.now() - started);
  }
}
