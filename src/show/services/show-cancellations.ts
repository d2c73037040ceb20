import {
  invalidInputFailure,
  notFoundFailure,
  requestInProgress,
} from "../../contract/api-failure.ts";
import { bookingDetailView } from "../../contract/booking-views.ts";
import type { BookingDetail, CancelCommand, ShowResult } from "../../contract/show-rpc.ts";
import { resaleInProgress, ticketAlreadyUsed } from "../../contract/ticket-failures.ts";
import type { LogFields } from "../../observability/log.ts";
import type { PaymentGateway } from "../../payments/payment-gateway.ts";
import { bookingEventData, refundEventData } from "../../webhooks/booking-events.ts";
import { bookingEnded, paymentRefunded } from "../d1/booking-d1.ts";
import { lockEnded } from "../d1/lock-d1.ts";
import { ticketsVoided } from "../d1/ticket-d1.ts";
import { ok, paymentUnderWay, refused, showClosed } from "../show-results.ts";
import { RETRY_MS } from "../show-schedule.ts";
import type { ShowState } from "../show-state.ts";
import type { StoredBooking } from "../storage/booking-storage.ts";
import { bookingShow, bookingSnapshot } from "./booking-snapshot.ts";
import { bookingTickets } from "./booking-tickets.ts";
import type { PaymentActions } from "./payment-actions.ts";
import { earliestTry, refundTryFailed } from "./refund-retry.ts";
import { listingBeingBought, resaleOf, withdrawListingsOf } from "./resold-seats.ts";
import type { ShowBookings } from "./show-bookings.ts";

/**
 * Cancelling bookings before the show. A confirmed booking is refunded first (key
 * `refund:<booking_id>`); the request is kept in storage, so when the provider cannot
 * confirm the refund, the alarm tries again, with backoff, until it goes through.
 */
export class ShowCancellations {
  /** Bookings whose refund this instance is waiting on the gateway for. */
  private readonly refunding = new Set<string>();

  constructor(
    private readonly show: ShowState,
    private readonly bookings: ShowBookings,
    private readonly actions: PaymentActions,
    private readonly gateway: PaymentGateway,
    private readonly ticketBaseUrl: string,
  ) {}

  /** POST /v1/bookings/{id}/cancel: refunds, frees the seats. Idempotent by nature. */
  async cancel(command: CancelCommand): Promise<ShowResult<BookingDetail>> {
    const { show } = this;
    const now = Date.now();
    show.expireDue(now);
    const booking = this.bookings.visibleBooking(command.bookingId);
    if (!booking || (!command.isAdmin && booking.userId !== command.userId)) {
      return refused(notFoundFailure("booking", command.bookingId));
    }
    if (booking.status === "cancelled") return this.answer(booking);
    if (booking.status === "expired" || booking.status === "failed") {
      return refused(
        invalidInputFailure(
          "booking_id",
          `the booking ${booking.status === "failed" ? "failed" : "expired"}; there is nothing to cancel`,
        ),
      );
    }
    // A booking with a ticket used at the door cannot be refunded: someone came in on it.
    const [used] = booking.ticketId ? show.checkinStorage.ofBooking(booking.bookingId) : [];
    if (used) return refused(ticketAlreadyUsed(used));
    const closed = showClosed(show.info, now, "cancelled");
    if (closed) return refused(closed);
    if (this.refunding.has(booking.bookingId) || show.seats.liveLock(booking.lockId, now)?.paying) {
      return refused(paymentUnderWay());
    }
    const resale = resaleOf(show, booking);
    // A buyer holding a listed seat of it may be paying for it: the seat may be theirs soon.
    const buying = listingBeingBought(show, resale.listings, now);
    if (buying) {
      return refused(resaleInProgress(buying.seatId, { booking_id: booking.bookingId }));
    }
    if (resale.held.length === 0 && !booking.areas?.length && resale.resold > 0) {
      return refused(
        invalidInputFailure(
          "booking_id",
          "every seat of the booking was resold; there is nothing to cancel",
        ),
      );
    }
    if (booking.status === "pending") {
      // A payment waiting for the buyer is called off first, so it can never charge later;
      // one that went through meanwhile confirmed the booking, which is then refunded.
      const waiting = show.attemptStorage.waitingAttemptOf(booking.bookingId);
      const calledOff = waiting ? await this.actions.callOff(waiting.chargeKey) : "called_off";
      if (calledOff === "busy" || calledOff === "failed") {
        return refused(
          requestInProgress(
            "The payment waiting for the buyer could not be called off yet; retry shortly",
            { reason: "refund_pending", booking_id: booking.bookingId },
          ),
        );
      }
      const now = show.bookingStorage.findBooking(booking.bookingId);
      if (now?.status !== "pending") return this.cancel(command);
      this.cancelPending(now, Date.now());
      await show.flushToD1();
      return this.answer(now);
    }
    show.bookingStorage.requestCancellation(booking.bookingId, now);
    const context = {
      request_id: command.requestId,
      lock_id: booking.lockId,
      booking_id: booking.bookingId,
    };
    show.log.write("info", "refund requested", { ...context, amount_minor: booking.totalMinor });
    if (!(await this.refundAndCancel(booking, context))) {
      return refused(
        requestInProgress(
          "The refund could not be confirmed yet; it is retried and the booking is cancelled once it goes through",
          { reason: "refund_pending", booking_id: booking.bookingId },
        ),
      );
    }
    await show.flushToD1();
    return this.answer(booking);
  }

  /**
   * Refunds a booking already queued for its refund (one paid after its show was
   * cancelled), now rather than at the alarm; if the provider fails, the alarm retries.
   */
  async refundNow(bookingId: string): Promise<void> {
    const booking = this.show.bookingStorage.findBooking(bookingId);
    if (booking?.status !== "confirmed" || this.refunding.has(bookingId)) return;
    await this.refundAndCancel(booking);
  }

  /** For the alarm: tries again each refund whose time has come. */
  async retryDue(now: number): Promise<void> {
    const { bookingStorage } = this.show;
    for (const pending of bookingStorage.requestedCancellations()) {
      if (pending.nextTryAt > now || this.refunding.has(pending.bookingId)) continue;
      const booking = bookingStorage.findBooking(pending.bookingId);
      if (booking?.status !== "confirmed") {
        bookingStorage.cancellationDone(pending.bookingId);
        continue;
      }
      await this.refundAndCancel(booking);
    }
  }

  /** When the next refund try is due, if any cancellation waits for one. */
  nextRetryAt(): number | undefined {
    return earliestTry(this.show.bookingStorage.requestedCancellations());
  }

  private cancelPending(booking: StoredBooking, now: number): void {
    const { show } = this;
    const released = show.seats.release(booking.lockId);
    booking.status = "cancelled";
    booking.cancelledAt = now;
    show.change({
      at: now,
      seats: released?.seatIds ?? [],
      store: () => {
        show.bookingStorage.updateBooking(booking);
        if (released) show.seatStorage.endLock(booking.lockId, "released", now);
      },
      d1: [
        bookingEnded(show.db, booking.bookingId, "cancelled", now),
        ...(released ? [lockEnded(show.db, booking.lockId, "released", now)] : []),
      ],
      events: [
        {
          type: "booking.cancelled",
          data: bookingEventData(show.showId, booking, show.webhooks.currency),
        },
      ],
    });
  }

  /**
   * Refunds a confirmed booking and, once the provider confirms, cancels it and frees its
   * seats. False when the refund's outcome is not known yet: the next try is scheduled.
   */
  private async refundAndCancel(
    booking: StoredBooking,
    context: LogFields = { lock_id: booking.lockId, booking_id: booking.bookingId },
  ): Promise<boolean> {
    const { show } = this;
    const charge = show.attemptStorage
      .attemptsOf(booking.bookingId)
      .find((a) => a.status === "succeeded");
    if (!withdrawListingsOf(show, booking)) {
      // A buyer holds one of its listed seats: they may be paying for it. Tried again soon.
      const nextTryAt = Date.now() + RETRY_MS;
      show.transaction(() => show.bookingStorage.cancellationRetried(booking.bookingId, nextTryAt));
      void show.armAlarm(nextTryAt);
      return false;
    }
    // Seats it resold were refunded to it by their resale: what is left is refunded here.
    const resale = resaleOf(show, booking);
    const amountMinor = resale.refundMinor;
    this.refunding.add(booking.bookingId);
    const started = Date.now();
    try {
      if (charge && amountMinor > 0) {
        await this.gateway.refund({
          idempotencyKey: `refund:${booking.bookingId}`,
          chargeIdempotencyKey: charge.chargeKey,
          // The provider's payment, known once confirmed: no look-up by the key needed.
          paymentId: booking.paymentId ?? undefined,
          ...(resale.resold > 0 && { amountMinor }),
        });
      }
    } catch (err) {
      refundTryFailed(show, {
        failures: show.bookingStorage.cancellationFailures(booking.bookingId) + 1,
        retried: (nextTryAt) =>
          show.bookingStorage.cancellationRetried(booking.bookingId, nextTryAt),
        msg: "refund retrying",
        fields: context,
        error: err,
        startedAt: started,
      });
      return false;
    } finally {
      this.refunding.delete(booking.bookingId);
    }
    const at = Date.now();
    booking.status = "cancelled";
    booking.cancelledAt = at;
    const areas = booking.areas ?? [];
    show.seats.unbook(booking.bookingId, resale.held, areas);
    const { currency } = show.webhooks;
    show.change({
      at,
      seats: resale.held,
      store: () => {
        show.bookingStorage.updateBooking(booking);
        show.ticketStorage.voidBooking(booking.bookingId, "cancelled");
        show.seatStorage.setSeatsBooking(resale.held, null);
        show.seatStorage.moveAreaPlaces("booked", areas, -1);
        show.bookingStorage.cancellationDone(booking.bookingId);
      },
      d1: [
        bookingEnded(show.db, booking.bookingId, "cancelled", at),
        ticketsVoided(show.db, booking.bookingId, "cancelled"),
        ...(booking.paymentId ? [paymentRefunded(show.db, booking.paymentId, at)] : []),
      ],
      // The money first, then the booking: both are one booking's, delivered in this order.
      events: [
        ...(booking.paymentId
          ? [
              {
                type: "payment.refunded" as const,
                data: refundEventData(show.showId, booking, currency, at, amountMinor),
              },
            ]
          : []),
        { type: "booking.cancelled", data: bookingEventData(show.showId, booking, currency) },
      ],
    });
    show.log.write("info", "refund done", {
      ...context,
      amount_minor: amountMinor,
      payment_id: booking.paymentId,
    });
    show.log.metric("refund", "done", Date.now() - started);
    return true;
  }

  private answer(booking: StoredBooking): ShowResult<BookingDetail> {
    const { show } = this;
    return ok({
      booking: bookingDetailView(
        bookingSnapshot(
          show.info,
          show.seats,
          booking,
          bookingTickets(show, booking),
          undefined,
          show.resale.refundsOf(booking.bookingId),
        ),
        bookingShow(show.info),
        this.ticketBaseUrl,
      ),
    });
  }
}
