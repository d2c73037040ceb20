import type { LockStatus } from "../db/schema.ts";
import type { SeatInfo, SeatLock } from "./seat-book.ts";

/**
 * The show object's own SQLite storage of its seats: the catalog facts it needs (copied
 * from D1 once), seat sales, every lock, and the seat map version. Bookings, payment
 * attempts and cancellations are in booking-storage.ts. Every change is written here before
 * the object answers; memory is a cache rebuilt from these tables after eviction.
 */

interface ShowZone {
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

interface StoredShow {
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

  /** Idempotent: creates the tables of show info, seats and locks if they are missing. */
  ensureSchema(): void {
    this.sql.exec(SCHEMA);
  }

  /**
   * The show as stored. `payingLockIds` are the locks whose payment was under way when the
   * object stopped: they stay held until the alarm has settled that payment (see
   * ShowPayments.settleAbandoned).
   */
  load(payingLockIds: ReadonlySet<string>): StoredShow {
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
    const liveLocks = this.sql
      .exec<LockRow>("SELECT * FROM locks WHERE status = 'locked'")
      .toArray()
      .map((row) => ({ ...toLock(row), paying: payingLockIds.has(row.lock_id) }));
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
}
