import type { BookingSnapshot } from "../bookings/booking-views.ts";
import { bookingDetailView, createdBookingView } from "../bookings/booking-views.ts";
import { newId } from "../lib/ids.ts";
import { iso } from "../lib/iso-time.ts";
import { fromMinorUnits, toMinorUnits } from "../lib/money.ts";
import {
  type CardDetails,
  type PaymentGateway,
  PaymentOutcomeUnknown,
} from "../payments/payment-gateway.ts";
import {
  bookingConfirmed,
  bookingEnded,
  bookingInserted,
  paymentRecorded,
  paymentRefunded,
} from "./booking-records.ts";
import { lockEnded } from "./lock-records.ts";
import type {
  BookCommand,
  BookingRead,
  CancelCommand,
  PayCommand,
  ShowResult,
} from "./show-api.ts";
import { type LoadedShow, RETRY_MS, type ShowCore } from "./show-core.ts";
import {
  fail,
  invalid,
  notFound,
  type Outcome,
  paymentUnderWay,
  showClosed,
} from "./show-outcomes.ts";
import { newShowScopedId } from "./show-scoped-ids.ts";
import type { StoredBooking } from "./show-storage.ts";

/**
 * Bookings, payments and cancellations of one show, inside its object. The one outside
 * call, the payment gateway, happens while the lock is marked as paying, which no other
 * request can take or expire; every charge has its own idempotency key, and a charge whose
 * outcome is unknown is settled by a refund under that key.
 */
export class ShowBookings {
  /** Charge keys this instance is waiting on the gateway for → the lock each pays for. */
  private readonly inFlight = new Map<string, string>();
  /** Bookings whose cancellation (refund) is under way. */
  private readonly cancelling = new Set<string>();

  constructor(
    private readonly core: ShowCore,
    private readonly gateway: PaymentGateway,
  ) {}

  /**
   * POST /v1/bookings: turns the caller's live lock into a booking. With a card it is paid
   * at once (201 confirmed, or 422 and the lock keeps holding); without, it is pending.
   */
  async book(show: LoadedShow, command: BookCommand): Promise<Outcome> {
    const { storage, outbox } = this.core;
    const now = Date.now();
    this.core.expireDue(show, now);
    const closed = showClosed(show, now, "booked");
    if (closed) return closed;
    const lock = storage.findLock(command.lockId);
    if (!lock || lock.userId !== command.userId) {
      return invalid("lock_id", "no lock of yours with this id in this show");
    }
    const existing = storage.bookingOfLock(lock.lockId);
    // A paid-at-once booking still being paid for is not a booking yet: retry shortly.
    if (existing?.direct && existing.status === "pending") return paymentUnderWay();
    if (existing && (existing.status === "pending" || existing.status === "confirmed")) {
      return fail({
        status: 409,
        code: "BOOKING_EXISTS",
        message: `lock ${lock.lockId} already has booking ${existing.bookingId}`,
        details: { field: "lock_id", booking_id: existing.bookingId },
      });
    }
    if (lock.status === "released") return invalid("lock_id", "the lock was released");
    if (lock.status === "confirmed") return invalid("lock_id", "the lock's booking was cancelled");
    if (lock.status !== "locked" || !show.book.liveLock(lock.lockId, now)) {
      return fail({
        status: 400,
        code: "LOCK_EXPIRED",
        message: `lock ${lock.lockId} expired at ${iso(lock.expiresAt)}; lock the seats again`,
        details: { field: "lock_id", lock_id: lock.lockId, expired_at: iso(lock.expiresAt) },
      });
    }
    if (!sameSeats(command.seatIds, lock.seatIds)) {
      return invalid("seat_ids", "must be exactly the seats of the lock", {
        locked_seats: lock.seatIds,
      });
    }
    const booking: StoredBooking = {
      bookingId: newShowScopedId("booking", show.info.showId),
      lockId: lock.lockId,
      userId: command.userId,
      seatIds: lock.seatIds,
      totalMinor: lock.seatIds.reduce(
        (sum, id) => sum + toMinorUnits(show.book.seats.get(id)?.price ?? 0),
        0,
      ),
      status: "pending",
      direct: command.card !== undefined,
      paymentId: null,
      ticketId: null,
      cardBrand: null,
      cardLast4: null,
      createdAt: now,
      confirmedAt: null,
      cancelledAt: null,
    };
    if (!command.card) {
      this.core.transaction(() => {
        storage.insertBooking(booking);
        outbox.enqueue(this.bookingRows(show, booking));
      });
      await this.core.flushToD1();
      return {
        ok: true,
        status: 201,
        value: { booking: createdBookingView(this.snapshotOf(show, booking)) },
      };
    }
    storage.insertBooking(booking);
    const paid = await this.pay(show, booking, command.card, 1);
    if (!paid.ok) {
      // Paid-for-at-once bookings exist only once paid: the lock is free to book again.
      storage.deleteBooking(booking.bookingId);
      return paid;
    }
    return {
      ok: true,
      status: 201,
      value: { booking: createdBookingView(this.snapshotOf(show, booking)) },
    };
  }

  /** POST /v1/payments: pays a pending booking whose lock still holds. */
  async payPending(show: LoadedShow, command: PayCommand): Promise<Outcome> {
    const now = Date.now();
    this.core.expireDue(show, now);
    const closed = showClosed(show, now, "paid for");
    if (closed) return closed;
    const booking = this.visibleBooking(command.bookingId);
    if (!booking || booking.userId !== command.userId)
      return notFound("booking", command.bookingId);
    switch (booking.status) {
      case "confirmed":
        return invalid("booking_id", "the booking is already paid");
      case "cancelled":
        return invalid("booking_id", "the booking was cancelled");
      case "expired":
        return fail({
          status: 400,
          code: "LOCK_EXPIRED",
          message: `booking ${booking.bookingId} expired with its lock; lock the seats again`,
          details: { field: "booking_id", booking_id: booking.bookingId, lock_id: booking.lockId },
        });
    }
    if (show.book.liveLock(booking.lockId, Date.now())?.paying) return paymentUnderWay();
    if (toMinorUnits(command.amount) !== booking.totalMinor) {
      return invalid(
        "amount",
        `must equal the booking's total_amount (${fromMinorUnits(booking.totalMinor)})`,
      );
    }
    const attempt = this.core.storage.attemptsOf(booking.bookingId).length + 1;
    const paid = await this.pay(show, booking, command.card, attempt);
    if (!paid.ok) return paid;
    return {
      ok: true,
      status: 200,
      value: {
        payment_id: paid.value.paymentId,
        booking_id: booking.bookingId,
        status: "succeeded",
        amount: fromMinorUnits(booking.totalMinor),
        processed_at: paid.value.processedAt,
      },
    };
  }

  /** POST /v1/bookings/{id}/cancel: refunds, frees the seats. Idempotent. */
  async cancel(show: LoadedShow, command: CancelCommand): Promise<Outcome> {
    const { storage, outbox, db } = this.core;
    const now = Date.now();
    this.core.expireDue(show, now);
    const booking = this.visibleBooking(command.bookingId);
    if (!booking || (!command.isAdmin && booking.userId !== command.userId)) {
      return notFound("booking", command.bookingId);
    }
    const answer = (): Outcome => ({
      ok: true,
      status: 200,
      value: { booking: this.detailOf(show, booking) },
    });
    if (booking.status === "cancelled") return answer();
    if (booking.status === "expired")
      return invalid("booking_id", "the booking expired; there is nothing to cancel");
    const closed = showClosed(show, now, "cancelled");
    if (closed) return closed;
    if (this.cancelling.has(booking.bookingId) || show.book.liveLock(booking.lockId, now)?.paying) {
      return paymentUnderWay();
    }

    if (booking.status === "pending") {
      const released = show.book.release(booking.lockId);
      booking.status = "cancelled";
      booking.cancelledAt = now;
      this.core.commit(show, released?.seatIds ?? [], now, () => {
        storage.updateBooking(booking);
        const rows = [bookingEnded(db, booking.bookingId, "cancelled", now)];
        if (released) {
          storage.endLock(booking.lockId, "released", now);
          rows.push(lockEnded(db, booking.lockId, "released", now));
        }
        outbox.enqueue(rows);
      });
      await this.core.flushToD1();
      return answer();
    }

    // The cancellation is asked for: kept in storage, so if the refund cannot be confirmed
    // now, the alarm keeps trying it (same refund key) and finishes the cancellation.
    storage.requestCancellation(booking.bookingId, now);
    if (!(await this.refundAndCancel(show, booking))) {
      void this.core.armAlarm(Date.now() + RETRY_MS);
      return fail({
        status: 409,
        code: "REQUEST_IN_PROGRESS",
        message:
          "The refund could not be confirmed yet; it is retried and the booking is cancelled once it goes through",
        details: { reason: "refund_pending", booking_id: booking.bookingId },
      });
    }
    await this.core.flushToD1();
    return answer();
  }

  /**
   * Refunds a confirmed booking (key `refund:<booking_id>`) and, once the provider confirms,
   * cancels it and frees its seats. False when the refund's outcome is not known yet.
   */
  private async refundAndCancel(show: LoadedShow, booking: StoredBooking): Promise<boolean> {
    const { storage, outbox, db } = this.core;
    const charge = storage.attemptsOf(booking.bookingId).find((a) => a.status === "succeeded");
    this.cancelling.add(booking.bookingId);
    try {
      if (charge) {
        await this.gateway.refund({
          idempotencyKey: `refund:${booking.bookingId}`,
          chargeIdempotencyKey: charge.chargeKey,
        });
      }
    } catch {
      return false;
    } finally {
      this.cancelling.delete(booking.bookingId);
    }
    const at = Date.now();
    booking.status = "cancelled";
    booking.cancelledAt = at;
    show.book.unbook(booking.bookingId, booking.seatIds);
    this.core.commit(show, booking.seatIds, at, () => {
      storage.updateBooking(booking);
      storage.setSeatsBooking(booking.seatIds, null);
      storage.cancellationDone(booking.bookingId);
      const rows = [bookingEnded(db, booking.bookingId, "cancelled", at)];
      if (booking.paymentId) rows.push(paymentRefunded(db, booking.paymentId, at));
      outbox.enqueue(rows);
    });
    return true;
  }

  /** A booking clients can see (not a paid-for-at-once booking whose payment failed). */
  read(show: LoadedShow, bookingId: string): BookingRead | undefined {
    const booking = this.visibleBooking(bookingId);
    if (!booking) return undefined;
    return { booking: this.snapshotOf(show, booking), show: this.bookingShow(show) };
  }

  /** Settles attempts nobody is waiting on any more (the object stopped mid-payment). */
  async recover(show: LoadedShow): Promise<void> {
    const { storage } = this.core;
    for (const { chargeKey } of storage.openAttempts()) {
      // Read afresh: while an earlier refund was awaited, this attempt may have finished.
      const attempt = storage.findAttempt(chargeKey);
      if (!attempt || (attempt.status !== "charging" && attempt.status !== "unknown")) continue;
      if (this.inFlight.has(chargeKey)) continue;
      if (!(await this.settleUnknown(chargeKey))) continue;
      const booking = storage.findBooking(attempt.bookingId);
      if (booking?.direct && booking.status === "pending") storage.deleteBooking(booking.bookingId);
      this.endPayment(show, attempt.lockId);
    }
    for (const bookingId of storage.requestedCancellations()) {
      const booking = storage.findBooking(bookingId);
      if (booking?.status !== "confirmed") {
        storage.cancellationDone(bookingId);
        continue;
      }
      if (!this.cancelling.has(bookingId)) await this.refundAndCancel(show, booking);
    }
  }

  /** Whether some payment is left to settle that nobody here is waiting on. */
  hasUnsettled(): boolean {
    return this.core.storage
      .openAttempts()
      .some((attempt) => !this.inFlight.has(attempt.chargeKey));
  }

  /**
   * Charges the booking under a key of its own (`<booking_id>:<attempt>`), holding the lock
   * against expiry meanwhile. Success confirms the booking, sells the seats and records it
   * all (D1 through the outbox); a decline or an unknown outcome (settled by refund) leaves
   * the lock as it was, so the user can try another card.
   */
  private async pay(
    show: LoadedShow,
    booking: StoredBooking,
    card: CardDetails,
    attemptNumber: number,
  ): Promise<ShowResult<{ paymentId: string; processedAt: string }>> {
    const { storage, outbox, db, env } = this.core;
    const now = Date.now();
    if (!show.book.beginPayment(booking.lockId, now)) {
      return fail({
        status: 400,
        code: "LOCK_EXPIRED",
        message: `lock ${booking.lockId} has expired; lock the seats again`,
        details: { lock_id: booking.lockId },
      });
    }
    const chargeKey = `${booking.bookingId}:${attemptNumber}`;
    storage.insertAttempt({
      chargeKey,
      bookingId: booking.bookingId,
      lockId: booking.lockId,
      amountMinor: booking.totalMinor,
      status: "charging",
      startedAt: now,
    });
    this.inFlight.set(chargeKey, booking.lockId);
    const currency = env.CURRENCY || "INR";
    let outcome: Awaited<ReturnType<PaymentGateway["charge"]>>;
    try {
      outcome = await this.gateway.charge({
        idempotencyKey: chargeKey,
        amountMinor: booking.totalMinor,
        currency,
        card,
        reference: booking.bookingId,
      });
    } catch (err) {
      const kind = err instanceof PaymentOutcomeUnknown ? err.kind : "provider_error";
      storage.setAttemptStatus(chargeKey, "unknown");
      const settled = await this.settleUnknown(chargeKey);
      this.inFlight.delete(chargeKey);
      this.endPayment(show, booking.lockId);
      return fail({
        status: 422,
        code: "PAYMENT_FAILED",
        message: `${kind === "timeout" ? "The payment provider did not answer in time" : "The payment provider failed"}; ${
          settled ? "you have not been charged" : "any charge will be refunded automatically"
        }`,
        details: {
          field: "payment_method",
          reason: kind === "timeout" ? "gateway_timeout" : "gateway_error",
          settled,
        },
      });
    }
    this.inFlight.delete(chargeKey);
    if (outcome.status === "declined") {
      storage.setAttemptStatus(chargeKey, "declined");
      this.endPayment(show, booking.lockId);
      return fail({
        status: 422,
        code: "PAYMENT_FAILED",
        message: `The card was declined (${outcome.reason.replaceAll("_", " ")})`,
        details: {
          field: "payment_method",
          reason: outcome.reason,
          card_brand: outcome.card.brand,
          card_last4: outcome.card.last4,
        },
      });
    }

    if (!show.book.liveLock(booking.lockId, Date.now())) {
      // Cannot happen while the lock is marked as paying; if it ever does, the seats are no
      // longer ours to sell, so the charge is given back rather than turned into a booking.
      const refunded = await this.settleUnknown(chargeKey);
      this.endPayment(show, booking.lockId);
      return fail({
        status: 409,
        code: "LOCK_EXPIRED",
        message: `lock ${booking.lockId} no longer holds its seats; the payment ${refunded ? "was" : "will be"} refunded`,
        details: { field: "lock_id", lock_id: booking.lockId },
      });
    }
    const at = Date.now();
    booking.status = "confirmed";
    booking.paymentId = outcome.paymentId;
    booking.ticketId = newId("ticket");
    booking.cardBrand = outcome.card.brand;
    booking.cardLast4 = outcome.card.last4;
    booking.confirmedAt = at;
    show.book.confirm(booking.lockId, booking.bookingId);
    this.core.commit(show, booking.seatIds, at, () => {
      storage.setAttemptStatus(chargeKey, "succeeded");
      storage.updateBooking(booking);
      storage.setSeatsBooking(booking.seatIds, booking.bookingId);
      storage.endLock(booking.lockId, "confirmed", at);
      outbox.enqueue([
        ...(booking.direct ? this.bookingRows(show, booking) : [bookingConfirmed(db, booking)]),
        paymentRecorded(db, {
          paymentId: outcome.paymentId,
          bookingId: booking.bookingId,
          amountMinor: booking.totalMinor,
          currency,
          brand: outcome.card.brand,
          last4: outcome.card.last4,
          processedAt: outcome.processedAt,
        }),
        lockEnded(db, booking.lockId, "confirmed", at),
      ]);
    });
    // Answer once D1 has the booking when it can; if not, the alarm keeps retrying and the
    // object answers reads meanwhile.
    await this.core.flushToD1();
    return { ok: true, value: { paymentId: outcome.paymentId, processedAt: outcome.processedAt } };
  }

  /** The lock's payment is over without a sale: it may expire again (and may be due). */
  private endPayment(show: LoadedShow, lockId: string): void {
    // Another attempt on the same lock may be under way (a retry after an unsettled one):
    // it keeps the lock held until it ends itself.
    if ([...this.inFlight.values()].includes(lockId)) return;
    show.book.abandonPayment(lockId);
    this.core.expireDue(show, Date.now());
    // Expiry alarms armed meanwhile left this lock out while it was paying.
    void this.core.armAlarm();
  }

  /**
   * A charge whose outcome is unknown is refunded under its own key: a refund of a charge
   * that never happened is a no-op. False when the provider could not be reached; the
   * attempt then stays 'unknown' and the alarm tries again.
   */
  private async settleUnknown(chargeKey: string): Promise<boolean> {
    try {
      const refund = await this.gateway.refund({
        idempotencyKey: `refund:${chargeKey}`,
        chargeIdempotencyKey: chargeKey,
      });
      this.core.storage.setAttemptStatus(
        chargeKey,
        refund.status === "refunded" ? "refunded" : "no_charge",
      );
      return true;
    } catch {
      this.core.storage.setAttemptStatus(chargeKey, "unknown");
      void this.core.armAlarm(Date.now() + RETRY_MS);
      return false;
    }
  }

  private visibleBooking(bookingId: string): StoredBooking | undefined {
    const booking = this.core.storage.findBooking(bookingId);
    return booking && !(booking.direct && booking.status === "pending") ? booking : undefined;
  }

  private snapshotOf(show: LoadedShow, booking: StoredBooking): BookingSnapshot {
    return {
      bookingId: booking.bookingId,
      showId: show.info.showId,
      userId: booking.userId,
      seats: booking.seatIds.map((id) => {
        const seat = show.book.seats.get(id);
        return {
          seat_id: id,
          row: seat?.row ?? "",
          number: seat?.number ?? 0,
          price: seat?.price ?? 0,
        };
      }),
      totalAmount: fromMinorUnits(booking.totalMinor),
      status: booking.status,
      paymentId: booking.paymentId,
      ticketId: booking.ticketId,
      createdAt: iso(booking.createdAt),
      confirmedAt: booking.confirmedAt === null ? null : iso(booking.confirmedAt),
      cancelledAt: booking.cancelledAt === null ? null : iso(booking.cancelledAt),
    };
  }

  private bookingShow(show: LoadedShow) {
    return {
      eventName: show.info.eventName,
      showTime: iso(show.info.showTime),
      venueName: show.info.venueName,
    };
  }

  private detailOf(show: LoadedShow, booking: StoredBooking) {
    return bookingDetailView(
      this.snapshotOf(show, booking),
      this.bookingShow(show),
      this.core.env.TICKET_BASE_URL,
    );
  }

  private bookingRows(show: LoadedShow, booking: StoredBooking) {
    return bookingInserted(
      this.core.db,
      show.info.showId,
      show.info.eventId,
      booking,
      this.snapshotOf(show, booking).seats,
    );
  }
}

function sameSeats(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return a.length === b.length && set.size === b.length && b.every((id) => set.has(id));
}
