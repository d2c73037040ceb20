import type { BookingStatus, LockStatus } from "../db/schema.ts";
import type { SeatInfo, SeatLock } from "./seat-book.ts";

/**
 * The show object's own SQLite storage: the catalog facts it needs (copied from D1 once),
 * seat sales, every lock, and the seat map version. Every change is written here before the
 * object answers; memory is a cache rebuilt from these tables after eviction.
 */

export interface ShowZone {
  name: string;
  price: number;
  seats: number;
}

export interface ShowInfo {
  showId: string;
  eventId: string;
  eventName: string;
  venueId: string;
  venueName: string;
  totalSeats: number;
  /** Epoch milliseconds. */
  showTime: number;
  status: "scheduled" | "closed" | "cancelled";
  /** Best first. */
  zones: ShowZone[];
}

/** A booking as the show object keeps it. Times are epoch milliseconds. */
export interface StoredBooking {
  bookingId: string;
  lockId: string;
  userId: string;
  seatIds: string[];
  totalMinor: number;
  status: BookingStatus;
  /**
   * Made by POST /v1/bookings with a card: it exists for clients (and in D1) only once
   * paid; a failed payment removes it. A booking without a card is pending at once.
   * (Stored in the column `direct`, its first name.)
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

export type AttemptStatus =
  | "charging"
  | "succeeded"
  | "declined"
  | "unknown"
  | "refunded"
  | "no_charge";

/** One call to the payment gateway's charge, under its own idempotency key. */
export interface PaymentAttempt {
  chargeKey: string;
  bookingId: string;
  lockId: string;
  amountMinor: number;
  status: AttemptStatus;
  startedAt: number;
}

export interface PendingCancellation {
  bookingId: string;
  /** Refund tries that failed so far. */
  attempts: number;
  /** Epoch ms when the next try is due. */
  nextTryAt: number;
}

export interface StoredShow {
  info: ShowInfo;
  version: number;
  seats: SeatInfo[];
  /** seat id → booking id. */
  booked: Map<string, string>;
  liveLocks: SeatLock[];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS show_info (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  info TEXT NOT NULL,
  version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS seats (
  seat_id TEXT PRIMARY KEY,
  row TEXT NOT NULL,
  number INTEGER NOT NULL,
  zone TEXT NOT NULL,
  price REAL NOT NULL,
  position INTEGER NOT NULL,
  booking_id TEXT
);
CREATE TABLE IF NOT EXISTS locks (
  lock_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  seat_ids TEXT NOT NULL,
  locked_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('locked', 'released', 'expired', 'confirmed')),
  ended_at INTEGER
);
CREATE INDEX IF NOT EXISTS locks_live ON locks (status) WHERE status = 'locked';
CREATE TABLE IF NOT EXISTS bookings (
  booking_id TEXT PRIMARY KEY,
  lock_id TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  seat_ids TEXT NOT NULL,
  total_minor INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled', 'expired')),
  direct INTEGER NOT NULL,
  payment_id TEXT,
  ticket_id TEXT,
  card_brand TEXT,
  card_last4 TEXT,
  created_at INTEGER NOT NULL,
  confirmed_at INTEGER,
  cancelled_at INTEGER
);
CREATE TABLE IF NOT EXISTS payment_attempts (
  charge_key TEXT PRIMARY KEY,
  booking_id TEXT NOT NULL,
  lock_id TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('charging', 'succeeded', 'declined', 'unknown', 'refunded', 'no_charge')),
  started_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS cancellations (
  booking_id TEXT PRIMARY KEY,
  requested_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_try_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS payment_attempts_open ON payment_attempts (status)
  WHERE status IN ('charging', 'unknown');
`;

interface LockRow extends Record<string, SqlStorageValue> {
  lock_id: string;
  user_id: string;
  seat_ids: string;
  locked_at: number;
  expires_at: number;
  status: LockStatus;
}

function toLock(row: LockRow): SeatLock {
  return {
    lockId: row.lock_id,
    userId: row.user_id,
    seatIds: JSON.parse(row.seat_ids) as string[],
    lockedAt: row.locked_at,
    expiresAt: row.expires_at,
    status: row.status,
  };
}

export class ShowStorage {
  constructor(private readonly sql: SqlStorage) {}

  /** Whether this object already holds a show (read-only: an unknown show writes nothing). */
  isInitialized(): boolean {
    const row = this.sql
      .exec<{ n: number }>(
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'show_info'",
      )
      .one();
    return row.n > 0 && this.sql.exec("SELECT 1 FROM show_info").toArray().length > 0;
  }

  /** First use: creates the tables and stores the show's catalog facts and seats. */
  initialize(info: ShowInfo, seats: readonly SeatInfo[]): void {
    this.ensureSchema();
    this.sql.exec(
      "INSERT INTO show_info (id, info, version) VALUES (1, ?, 0)",
      JSON.stringify(info),
    );
    for (const seat of seats) {
      this.sql.exec(
        "INSERT INTO seats (seat_id, row, number, zone, price, position) VALUES (?, ?, ?, ?, ?, ?)",
        seat.seatId,
        seat.row,
        seat.number,
        seat.zone,
        seat.price,
        seat.position,
      );
    }
  }

  /** Idempotent: tables and columns added by later versions appear in older objects. */
  ensureSchema(): void {
    this.sql.exec(SCHEMA);
    // Objects made before cancellations were retried with backoff lack these columns.
    const columns = this.sql
      .exec<{ name: string }>("SELECT name FROM pragma_table_info('cancellations')")
      .toArray()
      .map((c) => c.name);
    if (!columns.includes("attempts")) {
      this.sql.exec("ALTER TABLE cancellations ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0");
    }
    if (!columns.includes("next_try_at")) {
      this.sql.exec("ALTER TABLE cancellations ADD COLUMN next_try_at INTEGER NOT NULL DEFAULT 0");
    }
  }

  load(): StoredShow {
    this.ensureSchema();
    const head = this.sql
      .exec<{ info: string; version: number }>("SELECT info, version FROM show_info WHERE id = 1")
      .one();
    const seats: SeatInfo[] = [];
    const booked = new Map<string, string>();
    for (const row of this.sql.exec<{
      seat_id: string;
      row: string;
      number: number;
      zone: string;
      price: number;
      position: number;
      booking_id: string | null;
    }>("SELECT * FROM seats ORDER BY position")) {
      seats.push({
        seatId: row.seat_id,
        row: row.row,
        number: row.number,
        zone: row.zone,
        price: row.price,
        position: row.position,
      });
      if (row.booking_id) booked.set(row.seat_id, row.booking_id);
    }
    // A lock whose payment was under way when the object stopped stays held until the
    // alarm has settled that payment (see ShowBookings.recover).
    const paying = new Set(this.openAttempts().map((attempt) => attempt.lockId));
    const liveLocks = this.sql
      .exec<LockRow>("SELECT * FROM locks WHERE status = 'locked'")
      .toArray()
      .map((row) => ({ ...toLock(row), paying: paying.has(row.lock_id) }));
    return {
      info: JSON.parse(head.info) as ShowInfo,
      version: head.version,
      seats,
      booked,
      liveLocks,
    };
  }

  setVersion(version: number): void {
    this.sql.exec("UPDATE show_info SET version = ? WHERE id = 1", version);
  }

  insertLock(lock: SeatLock): void {
    this.sql.exec(
      "INSERT INTO locks (lock_id, user_id, seat_ids, locked_at, expires_at, status) VALUES (?, ?, ?, ?, ?, ?)",
      lock.lockId,
      lock.userId,
      JSON.stringify(lock.seatIds),
      lock.lockedAt,
      lock.expiresAt,
      lock.status,
    );
  }

  endLock(lockId: string, status: Exclude<LockStatus, "locked">, at: number): void {
    this.sql.exec(
      "UPDATE locks SET status = ?, ended_at = ? WHERE lock_id = ? AND status = 'locked'",
      status,
      at,
      lockId,
    );
  }

  /** Any lock of this show, live or ended. */
  findLock(lockId: string): SeatLock | undefined {
    const row = this.sql
      .exec<LockRow>("SELECT * FROM locks WHERE lock_id = ?", lockId)
      .toArray()[0];
    return row ? toLock(row) : undefined;
  }

  /** The seats are sold to the booking, or (bookingId null) available again. */
  setSeatsBooking(seatIds: readonly string[], bookingId: string | null): void {
    for (const seatId of seatIds) {
      this.sql.exec("UPDATE seats SET booking_id = ? WHERE seat_id = ?", bookingId, seatId);
    }
  }

  // ---- bookings ----

  insertBooking(booking: StoredBooking): void {
    this.sql.exec(
      `INSERT INTO bookings (booking_id, lock_id, user_id, seat_ids, total_minor, status, direct,
         payment_id, ticket_id, card_brand, card_last4, created_at, confirmed_at, cancelled_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    );
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

  bookingOfLock(lockId: string): StoredBooking | undefined {
    const row = this.sql
      .exec<BookingRow>("SELECT * FROM bookings WHERE lock_id = ?", lockId)
      .toArray()[0];
    return row ? toBooking(row) : undefined;
  }

  /** A cancellation asked for whose refund is not confirmed yet (the alarm retries it). */
  requestCancellation(bookingId: string, at: number): void {
    this.sql.exec(
      "INSERT OR IGNORE INTO cancellations (booking_id, requested_at, next_try_at) VALUES (?, ?, ?)",
      bookingId,
      at,
      at,
    );
  }

  /** A refund try failed: the next one is due at `nextTryAt`. */
  cancellationRetried(bookingId: string, nextTryAt: number): void {
    this.sql.exec(
      "UPDATE cancellations SET attempts = attempts + 1, next_try_at = ? WHERE booking_id = ?",
      nextTryAt,
      bookingId,
    );
  }

  cancellationDone(bookingId: string): void {
    this.sql.exec("DELETE FROM cancellations WHERE booking_id = ?", bookingId);
  }

  /** Cancellations still waiting for their refund, oldest first. */
  requestedCancellations(): PendingCancellation[] {
    return this.sql
      .exec<{ booking_id: string; attempts: number; next_try_at: number }>(
        "SELECT booking_id, attempts, next_try_at FROM cancellations ORDER BY requested_at",
      )
      .toArray()
      .map((row) => ({
        bookingId: row.booking_id,
        attempts: row.attempts,
        nextTryAt: row.next_try_at,
      }));
  }

  // ---- payment attempts ----

  insertAttempt(attempt: PaymentAttempt): void {
    this.sql.exec(
      "INSERT INTO payment_attempts (charge_key, booking_id, lock_id, amount_minor, status, started_at) VALUES (?, ?, ?, ?, ?, ?)",
      attempt.chargeKey,
      attempt.bookingId,
      attempt.lockId,
      attempt.amountMinor,
      attempt.status,
      attempt.startedAt,
    );
  }

  setAttemptStatus(chargeKey: string, status: AttemptStatus): void {
    this.sql.exec("UPDATE payment_attempts SET status = ? WHERE charge_key = ?", status, chargeKey);
  }

  findAttempt(chargeKey: string): PaymentAttempt | undefined {
    const row = this.sql
      .exec<AttemptRow>("SELECT * FROM payment_attempts WHERE charge_key = ?", chargeKey)
      .toArray()[0];
    return row ? toAttempt(row) : undefined;
  }

  attemptsOf(bookingId: string): PaymentAttempt[] {
    return this.sql
      .exec<AttemptRow>(
        "SELECT * FROM payment_attempts WHERE booking_id = ? ORDER BY started_at",
        bookingId,
      )
      .toArray()
      .map(toAttempt);
  }

  /** Attempts whose outcome is not settled: charging, or unknown after a timeout. */
  openAttempts(): PaymentAttempt[] {
    return this.sql
      .exec<AttemptRow>("SELECT * FROM payment_attempts WHERE status IN ('charging', 'unknown')")
      .toArray()
      .map(toAttempt);
  }
}

interface BookingRow extends Record<string, SqlStorageValue> {
  booking_id: string;
  lock_id: string;
  user_id: string;
  seat_ids: string;
  total_minor: number;
  status: BookingStatus;
  direct: number;
  payment_id: string | null;
  ticket_id: string | null;
  card_brand: string | null;
  card_last4: string | null;
  created_at: number;
  confirmed_at: number | null;
  cancelled_at: number | null;
}

function toBooking(row: BookingRow): StoredBooking {
  return {
    bookingId: row.booking_id,
    lockId: row.lock_id,
    userId: row.user_id,
    seatIds: JSON.parse(row.seat_ids) as string[],
    totalMinor: row.total_minor,
    status: row.status,
    createdWithCard: row.direct === 1,
    paymentId: row.payment_id,
    ticketId: row.ticket_id,
    cardBrand: row.card_brand,
    cardLast4: row.card_last4,
    createdAt: row.created_at,
    confirmedAt: row.confirmed_at,
    cancelledAt: row.cancelled_at,
  };
}

interface AttemptRow extends Record<string, SqlStorageValue> {
  charge_key: string;
  booking_id: string;
  lock_id: string;
  amount_minor: number;
  status: AttemptStatus;
  started_at: number;
}

function toAttempt(row: AttemptRow): PaymentAttempt {
  return {
    chargeKey: row.charge_key,
    bookingId: row.booking_id,
    lockId: row.lock_id,
    amountMinor: row.amount_minor,
    status: row.status,
    startedAt: row.started_at,
  };
}
