import type { AreaRequest } from "../../contract/area-places.ts";

/** The organizer's seat holds of a show, in its object's SQLite. */

export interface SeatHold {
  holdId: string;
  seatIds: string[];
  /** Places of standing areas it keeps back (empty: none). */
  areas: AreaRequest[];
  reason: string;
  label: string | null;
  createdAt: number;
}

interface HoldRow extends Record<string, SqlStorageValue> {
  hold_id: string;
  seat_ids: string;
  areas: string | null;
  reason: string;
  label: string | null;
  created_at: number;
}

const toHold = (row: HoldRow): SeatHold => ({
  holdId: row.hold_id,
  seatIds: JSON.parse(row.seat_ids) as string[],
  areas: row.areas ? (JSON.parse(row.areas) as AreaRequest[]) : [],
  reason: row.reason,
  label: row.label,
  createdAt: row.created_at,
});

export class HoldStorage {
  constructor(private readonly sql: SqlStorage) {}

  insert(hold: SeatHold): void {
    this.sql.exec(
      "INSERT INTO seat_holds (hold_id, seat_ids, areas, reason, label, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      hold.holdId,
      JSON.stringify(hold.seatIds),
      hold.areas.length > 0 ? JSON.stringify(hold.areas) : null,
      hold.reason,
      hold.label,
      hold.createdAt,
    );
  }

  delete(holdId: string): void {
    this.sql.exec("DELETE FROM seat_holds WHERE hold_id = ?", holdId);
  }

  find(holdId: string): SeatHold | undefined {
    const row = this.sql
      .exec<HoldRow>("SELECT * FROM seat_holds WHERE hold_id = ?", holdId)
      .toArray()[0];
    return row ? toHold(row) : undefined;
  }

  all(): SeatHold[] {
    return this.sql
      .exec<HoldRow>("SELECT * FROM seat_holds ORDER BY created_at, hold_id")
      .toArray()
      .map(toHold);
  }

  /** seat id → hold id, for the seat book. */
  reservedSeats(): Map<string, string> {
    const reserved = new Map<string, string>();
    for (const hold of this.all())
      for (const seatId of hold.seatIds) reserved.set(seatId, hold.holdId);
    return reserved;
  }
}
