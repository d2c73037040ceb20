import type { AreaPlaces, AreaRequest } from "../../contract/area-places.ts";
import type { Accessibility } from "../../contract/seat-accessibility.ts";
import type { ShowSettings, ShowStatus } from "../../contract/show-views.ts";
import type { LockStatus } from "../../db/schema.ts";
import type { StoredArea } from "../seats/area-inventory.ts";
import type { SeatInfo, SeatLock } from "../seats/seat-lock.ts";
import { migrateShowSchema } from "./schema-migrations.ts";

/**
 * The show object's own SQLite storage of its seats: the catalog facts it needs (copied
 * from D1 once), seat sales, every lock, and the seat map version. Bookings, payment
 * attempts and cancellations are in booking-storage.ts. Every change is written here before
 * the object answers; memory is a cache rebuilt from these tables after eviction.
 */

interface ShowZone {
  name: string;
  price: number;
  /** Its seats, or a standing area's places. */
  seats: number;
  /** A standing (general-admission) area's places: sold by the place (absent: seats). */
  capacity?: number;
}

/** A price category: seats priced apart from their zone (a restricted view, say). */
export interface ShowCategory {
  name: string;
  price: number;
  seats: number;
}

/** The show's facts, and its settings (ShowSettings: absent ones take their defaults). */
export interface ShowInfo extends ShowSettings {
  showId: string;
  /** The organization selling it; absent in info stored before organizations (org_demo). */
  orgId?: string;
  eventId: string;
  eventName: string;
  venueId: string;
  venueName: string;
  totalSeats: number;
  /** Epoch milliseconds. */
  showTime: number;
  status: ShowStatus;
  /** Best first. */
  zones: ShowZone[];
  /** The venue's price categories (absent in info stored before them: none). */
  categories?: ShowCategory[];
  /** Set when an organizer cancelled the show (epoch ms) and why. */
  cancelledAt?: number;
  cancelReason?: string;
}

interface StoredShow {
  info: ShowInfo;
  version: number;
  seats: SeatInfo[];
  /** seat id → booking id. */
  booked: Map<string, string>;
  liveLocks: SeatLock[];
  /** The standing areas with their booked and held places. */
  areas: StoredArea[];
}

/** Seats per INSERT in initialize(): each JSON parameter stays well under SQLite's 2 MB. */
const SEATS_PER_INSERT = 5_000;

interface LockRow extends Record<string, SqlStorageValue> {
  lock_id: string;
  user_id: string;
  seat_ids: string;
  locked_at: number;
  expires_at: number;
  status: LockStatus;
  prices: string | null;
  access_code_id: string | null;
  areas: string | null;
}

function toLock(row: LockRow): SeatLock {
  const lock: SeatLock = {
    lockId: row.lock_id,
    userId: row.user_id,
    seatIds: JSON.parse(row.seat_ids) as string[],
    lockedAt: row.locked_at,
    expiresAt: row.expires_at,
    status: row.status,
  };
  if (row.prices) lock.prices = JSON.parse(row.prices) as number[];
  if (row.access_code_id) lock.accessCodeId = row.access_code_id;
  if (row.areas) lock.areas = JSON.parse(row.areas) as AreaPlaces[];
  return lock;
}

export class SeatStorage {
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
    migrateShowSchema(this.sql);
    this.sql.exec(
      "INSERT INTO show_info (id, info, version) VALUES (1, ?, 0)",
      JSON.stringify(info),
    );
    for (const zone of info.zones) {
      if (zone.capacity === undefined) continue;
      this.sql.exec(
        "INSERT INTO areas (zone, capacity, booked, held) VALUES (?, ?, 0, 0)",
        zone.name,
        zone.capacity,
      );
    }
    // One statement per SEATS_PER_INSERT seats, the seats as one JSON parameter: a row per
    // exec() cost 100,000 calls into SQLite for a stadium.
    for (let start = 0; start < seats.length; start += SEATS_PER_INSERT) {
      const part = seats.slice(start, start + SEATS_PER_INSERT);
      this.sql.exec(
        `INSERT INTO seats (seat_id, row, number, zone, price, position, accessibility, category)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
           value ->> 6, value ->> 7
         FROM json_each(?)`,
        JSON.stringify(
          part.map((s) => [
            s.seatId,
            s.row,
            s.number,
            s.zone,
            s.price,
            s.position,
            s.accessibility ?? null,
            s.category ?? null,
          ]),
        ),
      );
    }
  }

  /**
   * A zone's (or price category's) new price, for the seats' stored copy (read back when the
   * object loads): a zone's seats of a category keep their category's price.
   */
  setPrice(name: string, price: number): void {
    this.sql.exec(
      "UPDATE seats SET price = ? WHERE category = ? OR (category IS NULL AND zone = ?)",
      price,
      name,
      name,
    );
  }

  /**
   * The show as stored. `payingLockIds` are the locks whose payment was under way when the
   * object stopped: they stay held until the alarm has settled that payment (see
   * ShowPayments.settleAbandoned).
   */
  load(payingLockIds: ReadonlySet<string>): StoredShow {
    migrateShowSchema(this.sql);
    const head = this.sql
      .exec<{ info: string; version: number }>("SELECT info, version FROM show_info WHERE id = 1")
      .one();
    const seats: SeatInfo[] = [];
    const booked = new Map<string, string>();
    // Rows as arrays (raw()): a stadium's 100,000 seats without 100,000 keyed row objects.
    const rows = this.sql
      .exec(
        "SELECT seat_id, row, number, zone, price, position, booking_id, accessibility, category FROM seats ORDER BY position",
      )
      .raw();
    for (const [
      seatId,
      row,
      number,
      zone,
      price,
      position,
      bookingId,
      accessibility,
      category,
    ] of rows) {
      seats.push({
        seatId: seatId as string,
        row: row as string,
        number: number as number,
        zone: zone as string,
        price: price as number,
        position: position as number,
        accessibility: (accessibility as Accessibility | null) ?? null,
        ...(category ? { category: category as string } : {}),
      });
      if (bookingId) booked.set(seatId as string, bookingId as string);
    }
    const liveLocks = this.sql
      .exec<LockRow>("SELECT * FROM locks WHERE status = 'locked'")
      .toArray()
      .map((row) => ({ ...toLock(row), paying: payingLockIds.has(row.lock_id) }));
    const areas = this.sql
      .exec<StoredArea & Record<string, SqlStorageValue>>(
        "SELECT zone, capacity, booked, held FROM areas ORDER BY rowid",
      )
      .toArray();
    return {
      info: JSON.parse(head.info) as ShowInfo,
      version: head.version,
      seats,
      booked,
      liveLocks,
      areas,
    };
  }

  /** Writes back the show's facts after an organizer changed them (time, status, prices). */
  setInfo(info: ShowInfo): void {
    this.sql.exec("UPDATE show_info SET info = ? WHERE id = 1", JSON.stringify(info));
  }

  /** The locks that hold seats now (status `locked`), for closing a show's sale. */
  liveLockIds(): string[] {
    return this.sql
      .exec<{ lock_id: string }>("SELECT lock_id FROM locks WHERE status = 'locked'")
      .toArray()
      .map((row) => row.lock_id);
  }

  setVersion(version: number): void {
    this.sql.exec("UPDATE show_info SET version = ? WHERE id = 1", version);
  }

  /**
   * Standing areas' places sold (`booked`) or kept back (`held`) change by `quantity` each
   * (negative: given back), in step with the seat ledger's counts.
   */
  moveAreaPlaces(field: "booked" | "held", areas: readonly AreaRequest[], sign: 1 | -1): void {
    for (const { zone, quantity } of areas) {
      this.sql.exec(
        `UPDATE areas SET ${field} = ${field} + ? WHERE zone = ?`,
        sign * quantity,
        zone,
      );
    }
  }

  insertLock(lock: SeatLock): void {
    this.sql.exec(
      "INSERT INTO locks (lock_id, user_id, seat_ids, locked_at, expires_at, status, prices, access_code_id, areas) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      lock.lockId,
      lock.userId,
      JSON.stringify(lock.seatIds),
      lock.lockedAt,
      lock.expiresAt,
      lock.status,
      lock.prices ? JSON.stringify(lock.prices) : null,
      lock.accessCodeId ?? null,
      lock.areas ? JSON.stringify(lock.areas) : null,
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

  /** A live lock now holds until `expiresAt`. */
  setLockExpiry(lockId: string, expiresAt: number): void {
    this.sql.exec(
      "UPDATE locks SET expires_at = ? WHERE lock_id = ? AND status = 'locked'",
      expiresAt,
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
    // One statement for the booking's seats (at most 10): each exec() is a call into SQLite.
    this.sql.exec(
      `UPDATE seats SET booking_id = ? WHERE seat_id IN (${seatIds.map(() => "?").join(", ")})`,
      bookingId,
      ...seatIds,
    );
  }
}
