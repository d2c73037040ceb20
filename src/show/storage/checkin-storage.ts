import { TicketChangeLog } from "./ticket-change-log.ts";

/**
 * The show object's SQLite record of check-ins: one row per ticket, the scan that counts.
 * The object is the only writer, and a check-in is read and written in one synchronous
 * step, so two gates scanning one ticket at once cannot both be admitted.
 */

/** The scan that admitted a ticket. Times are epoch milliseconds. */
export interface StoredCheckin {
  ticketId: string;
  bookingId: string;
  checkedInAt: number;
  gate: string | null;
  deviceId: string | null;
  /** The client's id of an online scan, so a retried scan is answered as the first was. */
  scanId: string | null;
}

interface CheckinRow extends Record<string, SqlStorageValue> {
  ticket_id: string;
  booking_id: string;
  checked_in_at: number;
  gate: string | null;
  device_id: string | null;
  scan_id: string | null;
}

function toCheckin(row: CheckinRow): StoredCheckin {
  return {
    ticketId: row.ticket_id,
    bookingId: row.booking_id,
    checkedInAt: row.checked_in_at,
    gate: row.gate,
    deviceId: row.device_id,
    scanId: row.scan_id,
  };
}

export class CheckinStorage {
  /** Every check-in written is a change of its ticket for the door's manifest. */
  private readonly changes: TicketChangeLog;

  constructor(private readonly sql: SqlStorage) {
    this.changes = new TicketChangeLog(sql);
  }

  find(ticketId: string): StoredCheckin | undefined {
    const row = this.sql
      .exec<CheckinRow>("SELECT * FROM checkins WHERE ticket_id = ?", ticketId)
      .toArray()[0];
    return row ? toCheckin(row) : undefined;
  }

  /** The check-ins of a booking's tickets, earliest first. */
  ofBooking(bookingId: string): StoredCheckin[] {
    return this.sql
      .exec<CheckinRow>(
        "SELECT * FROM checkins WHERE booking_id = ? ORDER BY checked_in_at",
        bookingId,
      )
      .toArray()
      .map(toCheckin);
  }

  /** The check-ins of several bookings' tickets in one read (the manifest's changes). */
  ofBookings(bookingIds: readonly string[]): StoredCheckin[] {
    if (bookingIds.length === 0) return [];
    return this.sql
      .exec<CheckinRow>(
        `SELECT * FROM checkins WHERE booking_id IN (${bookingIds.map(() => "?").join(", ")}) ORDER BY checked_in_at`,
        ...bookingIds,
      )
      .toArray()
      .map(toCheckin);
  }

  /** Stores the scan that counts for its ticket (a new one, or an earlier one replacing it). */
  save(checkin: StoredCheckin): void {
    this.sql.exec(
      `INSERT INTO checkins (ticket_id, booking_id, checked_in_at, gate, device_id, scan_id)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (ticket_id) DO UPDATE SET checked_in_at = excluded.checked_in_at,
         gate = excluded.gate, device_id = excluded.device_id, scan_id = excluded.scan_id`,
      checkin.ticketId,
      checkin.bookingId,
      checkin.checkedInAt,
      checkin.gate,
      checkin.deviceId,
      checkin.scanId,
    );
    this.changes.ticket(checkin.bookingId, checkin.ticketId);
  }

  all(): StoredCheckin[] {
    return this.sql
      .exec<CheckinRow>("SELECT * FROM checkins ORDER BY checked_in_at")
      .toArray()
      .map(toCheckin);
  }
}
