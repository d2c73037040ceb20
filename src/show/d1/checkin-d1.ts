import type { Database } from "../../db/database.ts";
import { checkins } from "../../db/schema.ts";
import { iso } from "../../lib/iso-time.ts";
import type { StoredCheckin } from "../storage/checkin-storage.ts";
import type { D1Statement } from "./d1-outbox.ts";

/**
 * The D1 write that records a ticket's check-in. An upsert: an earlier offline scan synced
 * later replaces the check-in, and a retried write is a no-op.
 */
export function checkinRecorded(db: Database, showId: string, checkin: StoredCheckin): D1Statement {
  const set = {
    checkedInAt: iso(checkin.checkedInAt),
    gate: checkin.gate,
    deviceId: checkin.deviceId,
  };
  const { sql, params } = db
    .insert(checkins)
    .values({ ticketId: checkin.ticketId, bookingId: checkin.bookingId, showId, ...set })
    .onConflictDoUpdate({ target: checkins.ticketId, set })
    .toSQL();
  return { sql, params };
}
