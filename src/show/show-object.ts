import { DurableObject } from "cloudflare:workers";
import type { BookingSnapshot } from "../bookings/booking-views.ts";
import { bookingDetailView, createdBookingView } from "../bookings/booking-views.ts";
import { CatalogStore } from "../catalog/catalog-store.ts";
import { type Database, database } from "../db/database.ts";
import { ApiError } from "../http/api-error.ts";
import { newId } from "../lib/ids.ts";
import { fromMinorUnits, toMinorUnits } from "../lib/money.ts";
import {
  type CardDetails,
  type PaymentGateway,
  PaymentOutcomeUnknown,
} from "../payments/payment-gateway.ts";
import { selectGateway } from "../payments/select-gateway.ts";
import { pickBestAvailable } from "./best-available.ts";
import {
  bookingConfirmed,
  bookingEnded,
  bookingInserted,
  paymentRecorded,
  paymentRefunded,
} from "./booking-records.ts";
import { D1Outbox } from "./d1-outbox.ts";
import { lockCreated, lockEnded } from "./lock-records.ts";
import { OperationLog } from "./operation-log.ts";
import { SeatBook, type SeatLock } from "./seat-book.ts";
import { SeatMapBroadcaster } from "./seat-map-broadcaster.ts";
import type {
  BookCommand,
  BookingRead,
  CancelCommand,
  HttpReply,
  LockCommand,
  LockView,
  PayCommand,
  RequestContext,
  SeatMapRead,
  ShowFailure,
  ShowResult,
} from "./show-api.ts";
import { newShowScopedId } from "./show-scoped-ids.ts";
import { type ShowInfo, ShowStorage, type StoredBooking } from "./show-storage.ts";

/** Coalescing window for live seat-map messages. */
const BROADCAST_WINDOW_MS = 20;
/** How soon the alarm retries D1 writes, or refunds, that failed. */
const RETRY_MS = 5_000;

interface LoadedShow {
  info: ShowInfo;
  book: SeatBook;
  version: number;
  /** The seat map JSON of `version`, built on first read after a change. */
  snapshot: string | undefined;
}

/** What an operation produced, before it is rendered as an HTTP reply. */
type Outcome = { ok: true; status: number; value: unknown } | { ok: false; error: ShowFailure };

const fail = (failure: ShowFailure): { ok: false; error: ShowFailure } => ({
  ok: false,
  error: failure,
});

const notFound = (resource: string, id: string) =>
  fail({
    status: 404,
    code: "NOT_FOUND",
    message: `${resource} ${id} was not found`,
    details: { resource, id },
  });

const invalid = (field: string, reason: string, extra: Record<string, unknown> = {}) =>
  fail({
    status: 400,
    code: "INVALID_INPUT",
    message: `${field}: ${reason}`,
    details: { field, reason, ...extra },
  });

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One per show (`idFromName(show_id)`): the single writer of that show's seat state. Every
 * change runs to completion on in-memory state and the object's SQLite storage without
 * awaiting anything but storage, so the runtime's input gate serializes them: two lockers
 * can never interleave. The one outside call, the payment gateway, happens while the lock
 * is marked as paying, which no other request can take or expire. D1 learns of each change
 * through the outbox.
 */
export class ShowObject extends DurableObject<Env> {
  private readonly storage: ShowStorage;
  private readonly outbox: D1Outbox;
  private readonly operations: OperationLog;
  private readonly db: Database;
  private readonly broadcaster: SeatMapBroadcaster;
  private readonly gateway: PaymentGateway;
  private show: LoadedShow | undefined;
  /** The alarm time last set, to avoid re-setting an alarm that is already right. */
  private alarmAt: number | null = null;
  /** Charge keys this instance is waiting on the gateway for. */
  private readonly inFlight = new Set<string>();
  /** Bookings whose cancellation (refund) is under way. */
  private readonly cancelling = new Set<string>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.storage = new ShowStorage(ctx.storage.sql);
    this.db = database(env.DB);
    this.outbox = new D1Outbox(ctx.storage.sql, env.DB);
    this.operations = new OperationLog(ctx.storage.sql);
    this.gateway = selectGateway(env);
    this.broadcaster = new SeatMapBroadcaster(() => ctx.getWebSockets(), BROADCAST_WINDOW_MS);
    // Answered by the runtime without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    ctx.blockConcurrencyWhile(async () => {
      this.alarmAt = await ctx.storage.getAlarm();
      if (!this.storage.isInitialized()) return;
      this.adopt();
      // Payments that were under way when the object stopped are settled by the alarm.
      if (this.storage.openAttempts().length > 0) await this.armAlarm(Date.now());
    });
  }

  // ---- RPC: reads ----------------------------------------------------------------------

  /** The seat map; `json` is null when `knownVersion` is still current. */
  async seatMap(showId: string, knownVersion?: number): Promise<ShowResult<SeatMapRead>> {
    const show = await this.ready(showId);
    if (!show) return notFound("show", showId);
    this.expireDue(show, Date.now());
    const changesBy = show.book.nextExpiry() ?? null;
    const json = knownVersion === show.version ? null : this.snapshotJson(show);
    return { ok: true, value: { version: show.version, json, changesBy } };
  }

  async getLock(showId: string, lockId: string, userId: string): Promise<ShowResult<LockView>> {
    const show = await this.ready(showId);
    if (!show) return notFound("show", showId);
    this.expireDue(show, Date.now());
    const lock = this.storage.findLock(lockId);
    if (!lock || lock.userId !== userId) return notFound("lock", lockId);
    return { ok: true, value: lockView(showId, lock) };
  }

  /** A booking clients can see (not a paid-for-at-once booking whose payment failed). */
  async readBooking(showId: string, bookingId: string): Promise<BookingRead | undefined> {
    const show = await this.ready(showId);
    if (!show) return undefined;
    this.expireDue(show, Date.now());
    const booking = this.visibleBooking(bookingId);
    if (!booking) return undefined;
    return { booking: this.snapshotOf(show, booking), show: this.bookingShow(show) };
  }

  // ---- RPC: seat locks -------------------------------------------------------------------

  async lock(showId: string, command: LockCommand, request: RequestContext): Promise<HttpReply> {
    const show = await this.ready(showId);
    if (!show) return render(notFound("show", showId), request.requestId);
    return this.operation(request, async () => {
      const result = this.lockSeats(show, command);
      if (!result.ok) return result;
      // api-design.md's lock response; the status shows in GET.
      const { status: _status, ...view } = lockView(showId, result.value);
      return { ok: true, status: 200, value: view };
    });
  }

  /** Releases the caller's lock early. Idempotent: an ended lock answers as it is. */
  async releaseLock(showId: string, lockId: string, userId: string): Promise<ShowResult<LockView>> {
    const show = await this.ready(showId);
    if (!show) return notFound("show", showId);
    const now = Date.now();
    this.expireDue(show, now);
    const stored = this.storage.findLock(lockId);
    if (!stored || stored.userId !== userId) return notFound("lock", lockId);
    if (show.book.liveLock(lockId, now)?.paying) return paymentUnderWay();
    const booking = this.storage.bookingOfLock(lockId);
    if (booking?.status === "pending" && !booking.direct) {
      return fail({
        status: 409,
        code: "BOOKING_EXISTS",
        message: `lock ${lockId} has a pending booking; cancel the booking to release its seats`,
        details: { booking_id: booking.bookingId },
      });
    }
    const released = show.book.release(lockId);
    if (!released) return { ok: true, value: lockView(showId, stored) };
    this.commit(show, released.seatIds, now, () => {
      this.storage.endLock(lockId, "released", now);
      this.outbox.enqueue([lockEnded(this.db, lockId, "released", now)]);
    });
    return { ok: true, value: lockView(showId, released) };
  }

  // ---- RPC: bookings and payments --------------------------------------------------------

  /**
   * POST /v1/bookings: turns the caller's live lock into a booking. With a card it is paid
   * at once (201 confirmed, or 422 and the lock keeps holding); without, it is pending.
   */
  async book(showId: string, command: BookCommand, request: RequestContext): Promise<HttpReply> {
    const show = await this.ready(showId);
    if (!show) return render(notFound("show", showId), request.requestId);
    return this.operation(request, async () => {
      const now = Date.now();
      this.expireDue(show, now);
      const lock = this.storage.findLock(command.lockId);
      if (!lock || lock.userId !== command.userId) {
        return invalid("lock_id", "no lock of yours with this id in this show");
      }
      const existing = this.storage.bookingOfLock(lock.lockId);
      if (existing && (existing.status === "pending" || existing.status === "confirmed")) {
        return fail({
          status: 409,
          code: "BOOKING_EXISTS",
          message: `lock ${lock.lockId} already has booking ${existing.bookingId}`,
          details: { booking_id: existing.bookingId },
        });
      }
      if (lock.status === "released") return invalid("lock_id", "the lock was released");
      if (lock.status !== "locked" || !show.book.liveLock(lock.lockId, now)) {
        return fail({
          status: 400,
          code: "LOCK_EXPIRED",
          message: `lock ${lock.lockId} expired at ${iso(lock.expiresAt)}; lock the seats again`,
          details: { lock_id: lock.lockId, expired_at: iso(lock.expiresAt) },
        });
      }
      if (!sameSeats(command.seatIds, lock.seatIds)) {
        return invalid("seat_ids", "must be exactly the seats of the lock", {
          locked_seats: lock.seatIds,
        });
      }
      const booking: StoredBooking = {
        bookingId: newShowScopedId("booking", showId),
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
        this.ctx.storage.transactionSync(() => {
          this.storage.insertBooking(booking);
          this.outbox.enqueue(this.bookingRows(show, booking));
        });
        await this.outbox.flush();
        this.retryUnlessFlushed();
        return {
          ok: true,
          status: 201,
          value: { booking: createdBookingView(this.snapshotOf(show, booking)) },
        };
      }
      this.storage.insertBooking(booking);
      const paid = await this.pay(show, booking, command.card, 1);
      if (!paid.ok) {
        // Paid-for-at-once bookings exist only once paid: the lock is free to book again.
        this.storage.deleteBooking(booking.bookingId);
        return paid;
      }
      return {
        ok: true,
        status: 201,
        value: { booking: createdBookingView(this.snapshotOf(show, booking)) },
      };
    });
  }

  /** POST /v1/payments: pays a pending booking whose lock still holds. */
  async payBooking(
    showId: string,
    command: PayCommand,
    request: RequestContext,
  ): Promise<HttpReply> {
    const show = await this.ready(showId);
    if (!show) return render(notFound("booking", command.bookingId), request.requestId);
    return this.operation(request, async () => {
      this.expireDue(show, Date.now());
      const booking = this.visibleBooking(command.bookingId);
      if (!booking || booking.userId !== command.userId) {
        return notFound("booking", command.bookingId);
      }
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
            details: { booking_id: booking.bookingId, lock_id: booking.lockId },
          });
      }
      if (show.book.liveLock(booking.lockId, Date.now())?.paying) return paymentUnderWay();
      if (toMinorUnits(command.amount) !== booking.totalMinor) {
        return invalid(
          "amount",
          `must equal the booking's total_amount (${fromMinorUnits(booking.totalMinor)})`,
        );
      }
      const attempt = this.storage.attemptsOf(booking.bookingId).length + 1;
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
    });
  }

  /** POST /v1/bookings/{id}/cancel: refunds, frees the seats. Idempotent. */
  async cancelBooking(
    showId: string,
    command: CancelCommand,
    request: RequestContext,
  ): Promise<HttpReply> {
    const show = await this.ready(showId);
    if (!show) return render(notFound("booking", command.bookingId), request.requestId);
    const now = Date.now();
    this.expireDue(show, now);
    const booking = this.visibleBooking(command.bookingId);
    if (!booking || (!command.isAdmin && booking.userId !== command.userId)) {
      return render(notFound("booking", command.bookingId), request.requestId);
    }
    const answer = (): HttpReply =>
      render(
        { ok: true, status: 200, value: { booking: this.detailOf(show, booking) } },
        request.requestId,
      );
    if (booking.status === "cancelled") return answer();
    if (booking.status === "expired") {
      return render(
        invalid("booking_id", "the booking expired; there is nothing to cancel"),
        request.requestId,
      );
    }
    if (now >= show.info.showTime) {
      return render(
        fail({
          status: 400,
          code: "SHOW_CLOSED",
          message: `show ${showId} has started; bookings can no longer be cancelled`,
          details: { show_id: showId, show_time: iso(show.info.showTime) },
        }),
        request.requestId,
      );
    }
    if (this.cancelling.has(booking.bookingId) || show.book.liveLock(booking.lockId, now)?.paying) {
      return render(paymentUnderWay(), request.requestId);
    }

    if (booking.status === "pending") {
      const released = show.book.release(booking.lockId);
      booking.status = "cancelled";
      booking.cancelledAt = now;
      this.commit(show, released?.seatIds ?? [], now, () => {
        this.storage.updateBooking(booking);
        const rows = [bookingEnded(this.db, booking.bookingId, "cancelled", now)];
        if (released) {
          this.storage.endLock(booking.lockId, "released", now);
          rows.push(lockEnded(this.db, booking.lockId, "released", now));
        }
        this.outbox.enqueue(rows);
      });
      await this.outbox.flush();
      return answer();
    }

    const charge = this.storage.attemptsOf(booking.bookingId).find((a) => a.status === "succeeded");
    this.cancelling.add(booking.bookingId);
    try {
      if (charge) {
        await this.gateway.refund({
          idempotencyKey: `refund:${booking.bookingId}`,
          chargeIdempotencyKey: charge.chargeKey,
        });
      }
    } catch {
      return render(
        fail({
          status: 422,
          code: "PAYMENT_FAILED",
          message: "The refund could not be completed; the booking is unchanged. Try again.",
          details: { reason: "refund_failed", booking_id: booking.bookingId },
        }),
        request.requestId,
      );
    } finally {
      this.cancelling.delete(booking.bookingId);
    }
    const at = Date.now();
    booking.status = "cancelled";
    booking.cancelledAt = at;
    show.book.unbook(booking.bookingId, booking.seatIds);
    this.commit(show, booking.seatIds, at, () => {
      this.storage.updateBooking(booking);
      this.storage.setSeatsBooking(booking.seatIds, null);
      const rows = [bookingEnded(this.db, booking.bookingId, "cancelled", at)];
      if (booking.paymentId) rows.push(paymentRefunded(this.db, booking.paymentId, at));
      this.outbox.enqueue(rows);
    });
    await this.outbox.flush();
    return answer();
  }

  // ---- Alarm and WebSockets --------------------------------------------------------------

  /**
   * Expires what is due, settles payments left unsettled, retries D1 writes, forgets old
   * idempotency records, re-arms. Running it twice changes nothing.
   */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const show = this.show;
    if (show) {
      await this.recoverPayments(show);
      this.expireDue(show, Date.now());
      this.operations.prune(Date.now());
    }
    const flushed = await this.outbox.flush();
    const unsettled =
      this.storage.isInitialized() &&
      this.storage.openAttempts().some((a) => !this.inFlight.has(a.chargeKey));
    await this.armAlarm(flushed && !unsettled ? undefined : Date.now() + RETRY_MS);
  }

  /** Only for the WebSocket upgrade of the live seat map; the Worker passes the show id. */
  override async fetch(request: Request): Promise<Response> {
    const showId = request.headers.get("X-Show-Id") ?? "";
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const show = await this.ready(showId);
    if (!show) return new Response("show not found", { status: 404 });
    this.expireDue(show, Date.now());
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ connectedAt: Date.now() });
    server.send(this.snapshotMessage(show));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // The only request a viewer makes: a fresh snapshot after it noticed a version gap.
    if (message === "resync" && this.show) {
      this.expireDue(this.show, Date.now());
      ws.send(this.snapshotMessage(this.show));
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Reciprocate the close; 1005/1006 are reserved and cannot be sent back.
    const sendable = code === 1005 || code === 1006 ? 1000 : code;
    try {
      ws.close(sendable, reason);
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    try {
      ws.close(1011, "error");
    } catch {
      // Already closed.
    }
  }

  // ---- Internals: seats ------------------------------------------------------------------

  private lockSeats(show: LoadedShow, command: LockCommand): ShowResult<SeatLock> {
    const showId = show.info.showId;
    const now = Date.now();
    if (show.info.status !== "scheduled" || now >= show.info.showTime) {
      return fail({
        status: 400,
        code: "SHOW_CLOSED",
        message:
          show.info.status === "scheduled"
            ? `show ${showId} has started; seats can no longer be locked`
            : `show ${showId} is ${show.info.status}`,
        details: { show_id: showId, status: show.info.status, show_time: iso(show.info.showTime) },
      });
    }
    this.expireDue(show, now);

    let seatIds: string[];
    const selection = command.selection;
    if ("seatIds" in selection) {
      seatIds = selection.seatIds;
    } else {
      const zone = selection.zone;
      if (zone !== undefined && !show.info.zones.some((z) => z.name === zone)) {
        return invalid("zone", `no zone '${zone}' in this show`);
      }
      const picked = pickBestAvailable({
        seats: [...show.book.seats.values()],
        isAvailable: (id) => show.book.statusOf(id, now) === "available",
        quantity: selection.quantity,
        zones: zone ? [zone] : show.info.zones.map((z) => z.name),
      });
      if (!picked) {
        return fail({
          status: 400,
          code: "SEATS_UNAVAILABLE",
          message: `No ${selection.quantity} adjacent seats are available${zone ? ` in zone ${zone}` : ""}`,
          details: { quantity: selection.quantity, zone: zone ?? null, unavailable_seats: [] },
        });
      }
      seatIds = picked.map((seat) => seat.seatId);
    }

    const outcome = show.book.lock({
      lockId: newShowScopedId("lock", showId),
      userId: command.userId,
      seatIds,
      now,
      durationMs: command.durationSeconds * 1000,
    });
    if (!outcome.ok) {
      switch (outcome.reason) {
        case "unknown_seats":
          return invalid("seat_ids", "not seats of this show", { unknown_seats: outcome.seatIds });
        case "unavailable":
          return fail({
            status: 400,
            code: "SEATS_UNAVAILABLE",
            message: "Some seats are no longer available",
            details: { unavailable_seats: outcome.seatIds },
          });
        case "locked":
          return fail({
            status: 400,
            code: "SEATS_ALREADY_LOCKED",
            message: "Some seats are locked by another user",
            details: { unavailable_seats: outcome.seatIds },
          });
      }
    }
    const lock = outcome.lock;
    this.commit(show, lock.seatIds, now, () => {
      this.storage.insertLock(lock);
      this.outbox.enqueue([lockCreated(this.db, showId, lock)]);
    });
    return { ok: true, value: lock };
  }

  /** Ends the locks whose time has come (and pending bookings made from them), as one change. */
  private expireDue(show: LoadedShow, now: number): void {
    const expired = show.book.expireDue(now);
    if (expired.length === 0) return;
    this.commit(
      show,
      expired.flatMap((lock) => lock.seatIds),
      now,
      () => {
        for (const lock of expired) {
          this.storage.endLock(lock.lockId, "expired", now);
          const rows = [lockEnded(this.db, lock.lockId, "expired", lock.expiresAt)];
          const booking = this.storage.bookingOfLock(lock.lockId);
          if (booking?.status === "pending" && !booking.direct) {
            booking.status = "expired";
            this.storage.updateBooking(booking);
            rows.push(bookingEnded(this.db, booking.bookingId, "expired", now));
          }
          this.outbox.enqueue(rows);
        }
      },
    );
  }

  // ---- Internals: payments ---------------------------------------------------------------

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
    this.storage.insertAttempt({
      chargeKey,
      bookingId: booking.bookingId,
      lockId: booking.lockId,
      amountMinor: booking.totalMinor,
      status: "charging",
      startedAt: now,
    });
    this.inFlight.add(chargeKey);
    let outcome: Awaited<ReturnType<PaymentGateway["charge"]>>;
    try {
      outcome = await this.gateway.charge({
        idempotencyKey: chargeKey,
        amountMinor: booking.totalMinor,
        currency: this.env.CURRENCY || "INR",
        card,
        reference: booking.bookingId,
      });
    } catch (err) {
      const kind = err instanceof PaymentOutcomeUnknown ? err.kind : "provider_error";
      this.storage.setAttemptStatus(chargeKey, "unknown");
      const refunded = await this.settleUnknown(chargeKey);
      this.inFlight.delete(chargeKey);
      this.endPayment(show, booking.lockId);
      return fail({
        status: 422,
        code: "PAYMENT_FAILED",
        message:
          kind === "timeout"
            ? "The payment provider did not answer in time; you have not been charged"
            : "The payment provider failed; you have not been charged",
        details: {
          reason: kind === "timeout" ? "gateway_timeout" : "gateway_error",
          settled: refunded,
        },
      });
    }
    this.inFlight.delete(chargeKey);
    if (outcome.status === "declined") {
      this.storage.setAttemptStatus(chargeKey, "declined");
      this.endPayment(show, booking.lockId);
      return fail({
        status: 422,
        code: "PAYMENT_FAILED",
        message: `The card was declined (${outcome.reason.replaceAll("_", " ")})`,
        details: {
          reason: outcome.reason,
          card_brand: outcome.card.brand,
          card_last4: outcome.card.last4,
        },
      });
    }

    const at = Date.now();
    booking.status = "confirmed";
    booking.paymentId = outcome.paymentId;
    booking.ticketId = newId("ticket");
    booking.cardBrand = outcome.card.brand;
    booking.cardLast4 = outcome.card.last4;
    booking.confirmedAt = at;
    const confirmedLock = show.book.confirm(booking.lockId, booking.bookingId);
    this.commit(show, booking.seatIds, at, () => {
      this.storage.setAttemptStatus(chargeKey, "succeeded");
      this.storage.updateBooking(booking);
      this.storage.setSeatsBooking(booking.seatIds, booking.bookingId);
      this.storage.endLock(booking.lockId, "confirmed", at);
      this.outbox.enqueue([
        ...(booking.direct
          ? this.bookingRows(show, booking)
          : [bookingConfirmed(this.db, booking)]),
        paymentRecorded(this.db, {
          paymentId: outcome.paymentId,
          bookingId: booking.bookingId,
          amountMinor: booking.totalMinor,
          currency: this.env.CURRENCY || "INR",
          brand: outcome.card.brand,
          last4: outcome.card.last4,
          processedAt: outcome.processedAt,
        }),
        ...(confirmedLock ? [lockEnded(this.db, booking.lockId, "confirmed", at)] : []),
      ]);
    });
    // Answer once D1 has the booking when it can; if not, the alarm keeps retrying and the
    // object answers reads meanwhile.
    await this.outbox.flush();
    this.retryUnlessFlushed();
    return { ok: true, value: { paymentId: outcome.paymentId, processedAt: outcome.processedAt } };
  }

  /** The lock's payment is over without a sale: it may expire again (and may be due). */
  private endPayment(show: LoadedShow, lockId: string): void {
    show.book.abandonPayment(lockId);
    this.expireDue(show, Date.now());
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
      this.storage.setAttemptStatus(
        chargeKey,
        refund.status === "refunded" ? "refunded" : "no_charge",
      );
      return true;
    } catch {
      this.storage.setAttemptStatus(chargeKey, "unknown");
      void this.armAlarm(Date.now() + RETRY_MS);
      return false;
    }
  }

  /** Settles attempts nobody is waiting on any more (the object stopped mid-payment). */
  private async recoverPayments(show: LoadedShow): Promise<void> {
    for (const attempt of this.storage.openAttempts()) {
      if (this.inFlight.has(attempt.chargeKey)) continue;
      if (!(await this.settleUnknown(attempt.chargeKey))) continue;
      const booking = this.storage.findBooking(attempt.bookingId);
      if (booking?.direct && booking.status === "pending")
        this.storage.deleteBooking(booking.bookingId);
      this.endPayment(show, attempt.lockId);
    }
  }

  // ---- Internals: bookings ---------------------------------------------------------------

  private visibleBooking(bookingId: string): StoredBooking | undefined {
    const booking = this.storage.findBooking(bookingId);
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
      this.env.TICKET_BASE_URL,
    );
  }

  private bookingRows(show: LoadedShow, booking: StoredBooking) {
    return bookingInserted(
      this.db,
      show.info.showId,
      show.info.eventId,
      booking,
      this.snapshotOf(show, booking).seats,
    );
  }

  // ---- Internals: plumbing ---------------------------------------------------------------

  /**
   * Runs an operation under its Idempotency-Key, if it has one: a repeat of a finished one
   * gets the stored reply, a repeat of a running one 409, the key with another request 422.
   */
  private async operation(
    request: RequestContext,
    run: () => Promise<Outcome>,
  ): Promise<HttpReply> {
    const key = request.idempotency;
    if (key) {
      const start = this.operations.begin(key, Date.now());
      switch (start.kind) {
        case "replay":
          return { status: start.status, body: start.body, replayed: true, stored: true };
        case "in_progress":
          return render(
            fail({
              status: 409,
              code: "REQUEST_IN_PROGRESS",
              message:
                "A request with this Idempotency-Key is still being processed; retry shortly",
            }),
            request.requestId,
          );
        case "reused":
          return render(
            fail({
              status: 422,
              code: "IDEMPOTENCY_KEY_REUSED",
              message: "This Idempotency-Key was used with a different request",
            }),
            request.requestId,
          );
      }
    }
    let reply: HttpReply;
    try {
      reply = render(await run(), request.requestId);
    } catch (err) {
      if (key) this.operations.abandon(key);
      throw err;
    }
    if (key) {
      if (reply.status >= 500) {
        this.operations.abandon(key);
      } else {
        this.operations.finish(key, reply.status, reply.body);
        reply.stored = true;
      }
    }
    return reply;
  }

  /** The loaded show, initialising from the D1 catalog on first use; undefined if unknown. */
  private async ready(showId: string): Promise<LoadedShow | undefined> {
    if (this.show) return this.show.info.showId === showId ? this.show : undefined;
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.show) return;
      const store = new CatalogStore(this.db);
      const record = await store.getShow(showId);
      if (!record) return;
      const [venue, event] = await Promise.all([
        store.getVenue(record.show.venueId),
        store.getEvent(record.show.eventId),
      ]);
      if (!venue || !event) return;
      const info: ShowInfo = {
        showId,
        eventId: event.eventId,
        eventName: event.name,
        venueId: venue.venue.venueId,
        venueName: venue.venue.name,
        totalSeats: venue.venue.totalSeats,
        showTime: Date.parse(record.show.showTime),
        status: record.show.status,
        zones: venue.zones.map((zone) => ({
          name: zone.name,
          price: record.prices[zone.name] ?? 0,
          seats: zone.seatCount,
        })),
      };
      const seats = venue.seats.map((seat) => ({
        seatId: seat.seatId,
        row: seat.row,
        number: seat.number,
        zone: seat.zone,
        price: record.prices[seat.zone] ?? 0,
        position: seat.position,
      }));
      this.ctx.storage.transactionSync(() => this.storage.initialize(info, seats));
      this.adopt();
    });
    // Re-read: blockConcurrencyWhile may have loaded it (TS cannot see the callback's effect).
    const loaded = this.show as LoadedShow | undefined;
    return loaded?.info.showId === showId ? loaded : undefined;
  }

  /** Rebuilds memory from storage. */
  private adopt(): void {
    this.outbox.prepare();
    this.operations.prepare();
    const stored = this.storage.load();
    this.show = {
      info: stored.info,
      version: stored.version,
      book: new SeatBook(stored.seats, stored.liveLocks, stored.booked),
      snapshot: undefined,
    };
  }

  /**
   * Applies one change: `write` stores it, the version moves on by one in the same
   * transaction, viewers hear of the seats, the alarm and the D1 flush follow.
   */
  private commit(
    show: LoadedShow,
    seatIds: readonly string[],
    now: number,
    write: () => void,
  ): void {
    const version = show.version + 1;
    this.ctx.storage.transactionSync(() => {
      write();
      this.storage.setVersion(version);
    });
    show.version = version;
    show.snapshot = undefined;
    this.broadcaster.record(
      version,
      seatIds.map((seatId) => ({ seat_id: seatId, status: show.book.statusOf(seatId, now) })),
    );
    void this.armAlarm();
    this.ctx.waitUntil(this.outbox.flush().then(() => this.retryUnlessFlushed()));
  }

  /** Arms the alarm for a retry when D1 writes are still queued. */
  private retryUnlessFlushed(): void {
    if (this.outbox.pending()) void this.armAlarm(Date.now() + RETRY_MS);
  }

  /** One alarm, armed for the earliest of: lock expiry, a retry. */
  private async armAlarm(retryAt?: number): Promise<void> {
    const candidates = [this.show?.book.nextExpiry(), retryAt].filter(
      (t): t is number => t !== undefined,
    );
    if (candidates.length === 0) return;
    const at = Math.min(...candidates);
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  private snapshotJson(show: LoadedShow): string {
    show.snapshot ??= JSON.stringify(seatMapOf(show, Date.now()));
    return show.snapshot;
  }

  private snapshotMessage(show: LoadedShow): string {
    return `{"type":"snapshot",${this.snapshotJson(show).slice(1)}`;
  }
}

/** The seat map of api-design.md, plus its version. */
function seatMapOf(show: LoadedShow, now: number) {
  const { info, book } = show;
  return {
    show_id: info.showId,
    version: show.version,
    venue: { venue_id: info.venueId, name: info.venueName, total_seats: info.totalSeats },
    seats: [...book.seats.values()].map((seat) => ({
      seat_id: seat.seatId,
      row: seat.row,
      number: seat.number,
      status: book.statusOf(seat.seatId, now),
      price: seat.price,
      zone: seat.zone,
    })),
    zones: Object.fromEntries(info.zones.map((z) => [z.name, { price: z.price, seats: z.seats }])),
  };
}

function lockView(showId: string, lock: SeatLock): LockView {
  return {
    lock_id: lock.lockId,
    show_id: showId,
    seat_ids: lock.seatIds,
    expires_at: iso(lock.expiresAt),
    locked_at: iso(lock.lockedAt),
    status: lock.status,
  };
}

function sameSeats(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return a.length === b.length && set.size === b.length && b.every((id) => set.has(id));
}

function paymentUnderWay() {
  return fail({
    status: 409,
    code: "REQUEST_IN_PROGRESS",
    message: "A payment or refund for this booking is under way; retry shortly",
  });
}

/** An outcome as the HTTP reply the Worker sends: JSON, errors in the envelope. */
function render(
  outcome: Outcome | { ok: false; error: ShowFailure },
  requestId: string,
): HttpReply {
  if (outcome.ok) {
    return {
      status: outcome.status,
      body: JSON.stringify(outcome.value),
      replayed: false,
      stored: false,
    };
  }
  const { status, code, message, details } = outcome.error;
  return {
    status,
    body: JSON.stringify(new ApiError(status, code, message, details).toEnvelope(requestId)),
    replayed: false,
    stored: false,
  };
}
