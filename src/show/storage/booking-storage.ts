import type { AreaPlaces } from "../../contract/area-places.ts";
import type { BookingViewStatus } from "../../contract/booking-views.ts";
import { TicketChangeLog } from "./ticket-change-log.ts";

/**
 * The show object's SQLite storage of its bookings and of the cancellations whose refund is
 * not confirmed yet. The seats and locks are in show-storage.ts, the payment attempts in
 * attempt-storage.ts; all are written in the same transactions (ShowState.commit).
 */

/** A booking as the show object keeps it. Times are epoch milliseconds. */
export interface StoredBooking {
  bookingId: string;
  lockId: string;
  userId: string;
  seatIds: string[];
  totalMinor: number;
  /** Each seat's price as its lock fixed it (seatIds' order); null on older bookings. */
  seatPrices: number[] | null;
  /** Places of standing areas, each at its lock's price (absent: none). */
  areas?: AreaPlaces[];
  /** `failed` only for a booking made with a card whose payment failed in the provider's page. */
  status: BookingViewStatus;
  /**
   * Made by POST /v1/bookings with a card: it exists in D1 only once paid, and for clients
   * only once paid or shown to its buyer (a payment waiting for the buyer's action); a
   * payment declined at once removes it. A booking without a card is pending at once.
   */
  createdWithCard: boolean;
  paymentId: string | null;
  ticketId: string | null;
  cardBrand: string | null;
  cardLast4: string | null;
  createdAt: number;
  confirmedAt: number | null;
  cancelledAt: number | null;
}

interface PendingCancellation {
  bookingId: string;
  /** Refund tries that failed so far. */
  attempts: number;
  /** Epoch ms when the next try is due. */
  nextTryAt: number;
  /** Epoch ms when the cancellation was asked for. */
  requestedAt: number;
}

export class BookingStorage {
  /** A cancellation asked for voids the booking's tickets: logged for the door's manifest. */
  private readonly changes: TicketChangeLog;

  constructor(private readonly sql: SqlStorage) {
    this.changes = new TicketChangeLog(sql);
  }

  insertBooking(booking: StoredBooking): void {
    this.sql.exec(
      `INSERT INTO bookings (booking_id, lock_id, user_id, seat_ids, total_minor, status, created_with_card,
         payment_id, ticket_id, card_brand, card_last4, created_at, confirmed_at, cancelled_at,
         seat_prices, areas)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      booking.bookingId,
      booking.lockId,
      booking.userId,
      JSON.stringify(booking.seatIds),
      booking.totalMinor,
      booking.status,
      booking.createdWithCard ? 1 : 0,
      booking.paymentId,
      booking.ticketId,
      booking.cardBrand,
      booking.cardLast4,
      booking.createdAt,
      booking.confirmedAt,
      booking.cancelledAt,
      booking.seatPrices ? JSON.stringify(booking.seatPrices) : null,
      booking.areas?.length ? JSON.stringify(booking.areas) : null,
    );
  }

  /**
   * The show's bookings by status with their totals (minor units), for the sales report.
   * A booking with a card still being paid for is not a booking yet, and is left out, as is
   * one whose payment failed (no money, no seats).
   */
  bookingTotals(): {
    status: BookingViewStatus;
    count: number;
    totalMinor: number;
    paidMinor: number;
  }[] {
    return this.sql
      .exec<{ status: BookingViewStatus; count: number; total: number; paid: number }>(
        `SELECT status, count(*) AS count, sum(total_minor) AS total,
           sum(CASE WHEN payment_id IS NOT NULL THEN total_minor ELSE 0 END) AS paid
         FROM bookings WHERE NOT (created_with_card = 1 AND status = 'pending') AND status != 'failed'
         GROUP BY status`,
      )
      .toArray()
      .map((row) => ({
        status: row.status,
        count: row.count,
        totalMinor: row.total,
        paidMinor: row.paid,
      }));
  }

  bookingsWithStatus(status: BookingViewStatus): StoredBooking[] {
    return this.sql
      .exec<BookingRow>("SELECT * FROM bookings WHERE status = ?", status)
      .toArray()
      .map(toBooking);
  }

  /** Paid bookings cancelled (so refunded) at or after `at`: a cancelled show's progress. */
  paidBookingsCancelledSince(at: number): number {
    return this.sql
      .exec<{ n: number }>(
        `SELECT count(*) AS n FROM bookings
         WHERE status = 'cancelled' AND payment_id IS NOT NULL AND cancelled_at >= ?`,
        at,
      )
      .one().n;
  }

  /**
   * Seats and standing places of `userId`'s confirmed bookings (a pending one's are in its
   * live lock).
   */
  seatsBookedBy(userId: string): number {
    // Seats they resold are their buyers' now (one refund row per resold seat).
    return this.sql
      .exec<{ n: number }>(
        `SELECT coalesce(sum(json_array_length(seat_ids)), 0)
           + coalesce(sum((SELECT sum(value ->> 'quantity') FROM json_each(areas))), 0)
           - coalesce(sum((SELECT count(*) FROM resale_refunds r WHERE r.booking_id = bookings.booking_id)), 0) AS n
         FROM bookings WHERE user_id = ? AND status = 'confirmed'`,
        userId,
      )
      .one().n;
  }

  /** Writes back every mutable field of a booking. */
  updateBooking(booking: StoredBooking): void {
    this.sql.exec(
      `UPDATE bookings SET status = ?, payment_id = ?, ticket_id = ?, card_brand = ?, card_last4 = ?,
         confirmed_at = ?, cancelled_at = ? WHERE booking_id = ?`,
      booking.status,
      booking.paymentId,
      booking.ticketId,
      booking.cardBrand,
      booking.cardLast4,
      booking.confirmedAt,
      booking.cancelledAt,
      booking.bookingId,
    );
  }

  deleteBooking(bookingId: string): void {
    this.sql.exec("DELETE FROM bookings WHERE booking_id = ?", bookingId);
  }

  findBooking(bookingId: string): StoredBooking | undefined {
    const row = this.sql
      .exec<BookingRow>("SELECT * FROM bookings WHERE booking_id = ?", bookingId)
      .toArray()[0];
    return row ? toBooking(row) : undefined;
  }

  /** The lock's latest booking (one whose payment failed may be followed by another). */
  bookingOfLock(lockId: string): StoredBooking | undefined {
    const row = this.sql
      .exec<BookingRow>(
        "SELECT * FROM bookings WHERE lock_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
        lockId,
      )
      .toArray()[0];
    return row ? toBooking(row) : undefined;
  }

  bookingOfTicket(ticketId: string): StoredBooking | undefined {
    const row = this.sql
      .exec<BookingRow>("SELECT * FROM bookings WHERE ticket_id = ?", ticketId)
      .toArray()[0];
    return row ? toBooking(row) : undefined;
  }

  /** Every booking that was given a ticket (confirmed, or cancelled after it). */
  ticketedBookings(): StoredBooking[] {
    return this.sql
      .exec<BookingRow>("SELECT * FROM bookings WHERE ticket_id IS NOT NULL")
      .toArray()
      .map(toBooking);
  }

  /** Whether a cancellation of the booking waits for its refund. */
  cancellationRequested(bookingId: string): boolean {
    return (
      this.sql.exec("SELECT 1 FROM cancellations WHERE booking_id = ?", bookingId).toArray()
        .length > 0
    );
  }

  /** A cancellation asked for whose refund is not confirmed yet (the alarm retries it). */
  requestCancellation(bookingId: string, at: number): void {
    const inserted = this.sql.exec(
      "INSERT OR IGNORE INTO cancellations (booking_id, requested_at, next_try_at) VALUES (?, ?, ?)",
      bookingId,
      at,
      at,
    ).rowsWritten;
    // Its tickets admit no one from now on: the door's manifest hears of it (once).
    if (inserted > 0) this.changes.booking(bookingId);
  }

  /** A refund try failed: the next one is due at `nextTryAt`. */
  cancellationRetried(bookingId: string, nextTryAt: number): void {
    this.sql.exec(
      "UPDATE cancellations SET attempts = attempts + 1, next_try_at = ? WHERE booking_id = ?",
      nextTryAt,
      bookingId,
    );
  }

  /** Refund tries that failed so far for a cancellation still waiting (0 if none). */
  cancellationFailures(bookingId: string): number {
    const row = this.sql
      .exec<{ attempts: number }>(
        "SELECT attempts FROM cancellations WHERE booking_id = ?",
        bookingId,
      )
      .toArray()[0];
    return row?.attempts ?? 0;
  }

  cancellationDone(bookingId: string): void {
    this.sql.exec("DELETE FROM cancellations WHERE booking_id = ?", bookingId);
  }

  /** Cancellations still waiting for their refund, oldest first. */
  requestedCancellations(): PendingCancellation[] {
    return this.sql
      .exec<{ booking_id: string; attempts: number; next_try_at: number; requested_at: number }>(
        "SELECT booking_id, attempts, next_try_at, requested_at FROM cancellations ORDER BY requested_at",
      )
      .toArray()
      .map((row) => ({
        bookingId: row.booking_id,
        attempts: row.attempts,
        nextTryAt: row.next_try_at,
        requestedAt: row.requested_at,
      }));
  }
}

interface BookingRow extends Record<string, SqlStorageValue> {
  booking_id: string;
  lock_id: string;
  user_id: string;
  seat_ids: string;
  total_minor: number;
  status: BookingViewStatus;
  created_with_card: number;
  payment_id: string | null;
  ticket_id: string | null;
  card_brand: string | null;
  card_last4: string | null;
  created_at: number;
  confirmed_at: number | null;
  cancelled_at: number | null;
  seat_prices: string | null;
  areas: string | null;
}

function toBooking(row: BookingRow): StoredBooking {
  return {
    bookingId: row.booking_id,
    lockId: row.lock_id,
    userId: row.user_id,
    seatIds: JSON.parse(row.seat_ids) as string[],
    totalMinor: row.total_minor,
    seatPrices: row.seat_prices ? (JSON.parse(row.seat_prices) as number[]) : null,
    ...(row.areas ? { areas: JSON.parse(row.areas) as AreaPlaces[] } : {}),
    status: row.status,
    createdWithCard: row.created_with_card === 1,
    paymentId: row.payment_id,
    ticketId: row.ticket_id,
    cardBrand: row.card_brand,
    cardLast4: row.card_last4,
    createdAt: row.created_at,
    confirmedAt: row.confirmed_at,
    cancelledAt: row.cancelled_at,
  };
}
