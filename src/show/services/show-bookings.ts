import {
  type ApiFailure,
  failure,
  invalidInputFailure,
  notFoundFailure,
  requestInProgress,
} from "../../contract/api-failure.ts";
import { type BookingTicket, createdBookingView } from "../../contract/booking-views.ts";
import { newShowScopedId } from "../../contract/scoped-ids.ts";
import type {
  BookCommand,
  BookingRead,
  CreatedBooking,
  PayCommand,
  PaymentAction,
  PaymentReceipt,
  ShowResult,
} from "../../contract/show-rpc.ts";
import { iso } from "../../lib/iso-time.ts";
import { fromMinorUnits, toMinorUnits } from "../../lib/money.ts";
import { bookingInserted } from "../d1/booking-d1.ts";
import type { KeyedRequest } from "../keyed-request.ts";
import { ok, paymentUnderWay, refused, showClosed } from "../show-results.ts";
import type { ShowState } from "../show-state.ts";
import type { StoredBooking } from "../storage/booking-storage.ts";
import { areasOf, sameAreas } from "./area-requests.ts";
import { bookingSeats, bookingShow, bookingSnapshot } from "./booking-snapshot.ts";
import { bookingTickets } from "./booking-tickets.ts";
import type { ActionNeeded, ShowPayments } from "./show-payments.ts";

/** Turning a live lock into a booking, paying a pending one, reading one. */
export class ShowBookings {
  constructor(
    private readonly show: ShowState,
    private readonly payments: ShowPayments,
  ) {}

  /**
   * POST /v1/bookings: turns the caller's live lock into a booking. With a card it is paid
   * at once (201 confirmed, or 422 and the lock keeps holding); without, it is pending.
   */
  async book(command: BookCommand, request: KeyedRequest): Promise<ShowResult<CreatedBooking>> {
    const { show } = this;
    const now = Date.now();
    show.expireDue(now);
    const closed = showClosed(show.info, now, "booked");
    if (closed) return refused(closed);
    const lock = show.seatStorage.findLock(command.lockId);
    if (!lock || lock.userId !== command.userId) {
      return refused(invalidInputFailure("lock_id", "no lock of yours with this id in this show"));
    }
    const existing = show.bookingStorage.bookingOfLock(lock.lockId);
    if (existing?.createdWithCard && existing.status === "pending") {
      // Its payment waits for the buyer (3-D Secure) until it succeeds, fails or expires.
      const waiting = show.attemptStorage.waitingAttemptOf(existing.bookingId);
      if (waiting) return refused(waitsForBuyer(existing.bookingId));
      // A booking with a card still being paid for is not a booking yet: retry shortly.
      return refused(paymentUnderWay());
    }
    if (existing && (existing.status === "pending" || existing.status === "confirmed")) {
      return refused(
        failure(
          409,
          "BOOKING_EXISTS",
          `lock ${lock.lockId} already has booking ${existing.bookingId}`,
          {
            field: "lock_id",
            booking_id: existing.bookingId,
          },
        ),
      );
    }
    if (lock.status === "released") {
      return refused(invalidInputFailure("lock_id", "the lock was released"));
    }
    if (lock.status === "confirmed") {
      return refused(invalidInputFailure("lock_id", "the lock's booking was cancelled"));
    }
    if (lock.status !== "locked" || !show.seats.liveLock(lock.lockId, now)) {
      return refused(
        failure(
          400,
          "LOCK_EXPIRED",
          `lock ${lock.lockId} expired at ${iso(lock.expiresAt)}; lock the seats again`,
          { field: "lock_id", lock_id: lock.lockId, expired_at: iso(lock.expiresAt) },
        ),
      );
    }
    if (!sameSeats(command.seatIds, lock.seatIds)) {
      return refused(
        invalidInputFailure("seat_ids", "must be exactly the seats of the lock", {
          locked_seats: lock.seatIds,
        }),
      );
    }
    if (!sameAreas(command.areas, lock.areas ?? [])) {
      return refused(
        invalidInputFailure("areas", "must be exactly the places of the lock", {
          locked_areas: areasOf(lock),
        }),
      );
    }
    // The prices the lock fixed: a price change since does not reach this booking.
    const seatPrices = lock.seatIds.map(
      (id, i) => lock.prices?.[i] ?? show.seats.seats.get(id)?.price ?? 0,
    );
    const booking: StoredBooking = {
      bookingId: newShowScopedId("booking", show.showId),
      lockId: lock.lockId,
      userId: command.userId,
      seatIds: lock.seatIds,
      seatPrices,
      ...(lock.areas && { areas: lock.areas }),
      totalMinor:
        seatPrices.reduce((sum, price) => sum + toMinorUnits(price), 0) +
        (lock.areas ?? []).reduce((sum, a) => sum + a.quantity * toMinorUnits(a.price), 0),
      status: "pending",
      createdWithCard: command.method !== undefined,
      paymentId: null,
      ticketId: null,
      cardBrand: null,
      cardLast4: null,
      createdAt: now,
      confirmedAt: null,
      cancelledAt: null,
    };
    // `tickets`: the ones a confirmation just issued; else read (a pending booking has none).
    const view = (tickets = bookingTickets(show, booking)) =>
      createdBookingView(bookingSnapshot(show.info, show.seats, booking, tickets));
    const created = (tickets?: BookingTicket[]) =>
      ok<CreatedBooking>({ booking: view(tickets) }, 201);
    if (!command.method) {
      let result: ShowResult<CreatedBooking> = created();
      show.change({
        at: now,
        store: () => show.bookingStorage.insertBooking(booking),
        d1: bookingInserted(
          show.db,
          show.info,
          booking,
          bookingSeats(show.seats, booking),
          new Set(booking.seatIds.filter((id) => show.seats.resale.ofSeat(id))),
        ),
        reply: () => {
          result = request.keep(result);
        },
      });
      return result;
    }
    show.bookingStorage.insertBooking(booking);
    const paid = await this.payments.pay(booking, command.method, 1, request, {
      paid: (_charge, tickets) => created(tickets),
      waiting: (action) =>
        ok<CreatedBooking>({ booking: view(), payment: this.actionView(action) }, 202),
    });
    // A booking with a card exists only once paid: the lock is free to book again. Only a
    // booking still unpaid goes (one paid as its show was cancelled is kept, to be refunded).
    if (!paid.ok && show.bookingStorage.findBooking(booking.bookingId)?.status === "pending") {
      show.bookingStorage.deleteBooking(booking.bookingId);
    }
    return paid;
  }

  /** POST /v1/payments: pays a pending booking whose lock still holds. */
  async payPending(
    command: PayCommand,
    request: KeyedRequest,
  ): Promise<ShowResult<PaymentReceipt>> {
    const { show } = this;
    const now = Date.now();
    show.expireDue(now);
    const closed = showClosed(show.info, now, "paid for");
    if (closed) return refused(closed);
    const booking = this.visibleBooking(command.bookingId);
    if (!booking || booking.userId !== command.userId) {
      return refused(notFoundFailure("booking", command.bookingId));
    }
    switch (booking.status) {
      case "confirmed":
        return refused(invalidInputFailure("booking_id", "the booking is already paid"));
      case "cancelled":
        return refused(invalidInputFailure("booking_id", "the booking was cancelled"));
      case "failed":
        return refused(
          invalidInputFailure(
            "booking_id",
            "the booking's payment failed; book the lock again with another payment method",
          ),
        );
      case "expired":
        return refused(
          failure(
            400,
            "LOCK_EXPIRED",
            `booking ${booking.bookingId} expired with its lock; lock the seats again`,
            { field: "booking_id", booking_id: booking.bookingId, lock_id: booking.lockId },
          ),
        );
    }
    if (show.seats.liveLock(booking.lockId, now)?.paying) return refused(paymentUnderWay());
    if (show.attemptStorage.waitingAttemptOf(booking.bookingId)) {
      return refused(waitsForBuyer(booking.bookingId));
    }
    if (toMinorUnits(command.amount) !== booking.totalMinor) {
      return refused(
        invalidInputFailure(
          "amount",
          `must equal the booking's total_amount (${fromMinorUnits(booking.totalMinor)})`,
        ),
      );
    }
    const attempt = show.attemptStorage.attemptsOf(booking.bookingId).length + 1;
    return this.payments.pay(booking, command.method, attempt, request, {
      paid: (charge, tickets) =>
        ok<PaymentReceipt>({
          payment_id: charge.paymentId,
          booking_id: booking.bookingId,
          status: "succeeded",
          amount: fromMinorUnits(booking.totalMinor),
          processed_at: charge.processedAt,
          tickets,
        }),
      waiting: (action) =>
        ok<PaymentReceipt>(
          {
            booking: createdBookingView(
              bookingSnapshot(show.info, show.seats, booking, bookingTickets(show, booking)),
            ),
            payment: this.actionView(action),
          },
          202,
        ),
    });
  }

  /** A booking clients can see (not a booking with a card whose payment is under way). */
  read(bookingId: string): ShowResult<BookingRead> {
    this.show.expireDue(Date.now());
    const booking = this.visibleBooking(bookingId);
    if (!booking) return refused(notFoundFailure("booking", bookingId));
    const { info, seats, lateRefunds, resale } = this.show;
    const snapshot = bookingSnapshot(
      info,
      seats,
      booking,
      bookingTickets(this.show, booking),
      lateRefunds.ofBooking(bookingId),
      resale.refundsOf(bookingId),
    );
    return ok({ booking: snapshot, show: bookingShow(info) });
  }

  /**
   * A booking clients can see: one made with a card exists only once paid, or once its
   * buyer was shown it (its payment waits for their action).
   */
  visibleBooking(bookingId: string): StoredBooking | undefined {
    const { bookingStorage, attemptStorage } = this.show;
    const booking = bookingStorage.findBooking(bookingId);
    if (!booking) return undefined;
    if (!(booking.createdWithCard && booking.status === "pending")) return booking;
    return attemptStorage.waitingAttemptOf(bookingId) ? booking : undefined;
  }

  private actionView(action: ActionNeeded): PaymentAction {
    return {
      status: "requires_action",
      client_secret: action.clientSecret,
      provider: this.payments.provider,
    };
  }
}

/** 409: the booking's payment waits for the buyer's action in the provider's page. */
function waitsForBuyer(bookingId: string): ApiFailure {
  return requestInProgress(
    `The payment of booking ${bookingId} waits for the buyer's action (3-D Secure); complete it, or wait until it fails or the seats' hold ends`,
    { reason: "requires_action", booking_id: bookingId },
  );
}

function sameSeats(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return a.length === b.length && set.size === b.length && b.every((id) => set.has(id));
}
