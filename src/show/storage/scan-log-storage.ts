import type { AttendanceRead, ScanDirection } from "../../contract/show-views.ts";
import type { LoggedScan } from "../seats/reentry-rules.ts";
import type { StoredCheckin } from "./checkin-storage.ts";

/**
 * The show object's SQLite log of door scans, in and out: every scan an online door had
 * accepted and every scan an offline door synced, each marked with whether it counts
 * (seats/reentry-rules.ts). The headcount is counted from these rows. Without re-entry a
 * ticket's only row is its check-in.
 */

interface ScanRow extends Record<string, SqlStorageValue> {
  seq: number;
  ticket_id: string;
  direction: ScanDirection;
  at: number;
  gate: string | null;
  device_id: string | null;
  scan_id: string | null;
  accepted: number;
}

function toScan(row: ScanRow): LoggedScan {
  return {
    seq: row.seq,
    ticketId: row.ticket_id,
    direction: row.direction,
    at: row.at,
    gate: row.gate,
    deviceId: row.device_id,
    scanId: row.scan_id,
    accepted: row.accepted === 1,
  };
}

export class ScanLogStorage {
  constructor(private readonly sql: SqlStorage) {}

  /** The ticket's scans, in the order they were stored. */
  ofTicket(ticketId: string): LoggedScan[] {
    return this.sql
      .exec<ScanRow>("SELECT * FROM checkin_scans WHERE ticket_id = ? ORDER BY seq", ticketId)
      .toArray()
      .map(toScan);
  }

  /** Stores a scan; its seq. */
  add(scan: LoggedScan): number {
    return this.sql
      .exec<{ seq: number }>(
        `INSERT INTO checkin_scans (ticket_id, direction, at, gate, device_id, scan_id, accepted)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
        scan.ticketId,
        scan.direction,
        scan.at,
        scan.gate,
        scan.deviceId,
        scan.scanId,
        scan.accepted ? 1 : 0,
      )
      .one().seq;
  }

  setAccepted(seq: number, accepted: boolean): void {
    this.sql.exec("UPDATE checkin_scans SET accepted = ? WHERE seq = ?", accepted ? 1 : 0, seq);
  }

  /** Without re-entry: the ticket's check-in is its one scan (a new one, or an earlier one). */
  replaceWithCheckin(checkin: StoredCheckin): void {
    this.sql.exec("DELETE FROM checkin_scans WHERE ticket_id = ?", checkin.ticketId);
    this.add({
      seq: 0,
      ticketId: checkin.ticketId,
      direction: "in",
      at: checkin.checkedInAt,
      gate: checkin.gate,
      deviceId: checkin.deviceId,
      scanId: checkin.scanId,
      accepted: true,
    });
  }

  /**
   * The headcount from the scans that count. They alternate per ticket from `in`, so a
   * ticket is inside exactly when it has one more `in` than `out`.
   */
  attendance(showId: string): AttendanceRead {
    const gates = this.sql
      .exec<{ gate: string | null; entered: number; exited: number }>(
        `SELECT gate, SUM(direction = 'in') AS entered, SUM(direction = 'out') AS exited
         FROM checkin_scans WHERE accepted = 1 GROUP BY gate ORDER BY gate`,
      )
      .toArray()
      .map((row) => ({ gate: row.gate, entered: row.entered, exited: row.exited }));
    const { inside } = this.sql
      .exec<{ inside: number }>(
        `SELECT COUNT(*) AS inside FROM (
           SELECT ticket_id FROM checkin_scans WHERE accepted = 1 GROUP BY ticket_id
           HAVING SUM(direction = 'in') > SUM(direction = 'out'))`,
      )
      .one();
    const entered = gates.reduce((sum, gate) => sum + gate.entered, 0);
    const exited = gates.reduce((sum, gate) => sum + gate.exited, 0);
    return { show_id: showId, inside, entered, exited, gates };
  }
}
