import type { FirstScan, ScanOutcome, VerifiedScan } from "../../contract/show-views.ts";
import type { TicketVoid } from "../../contract/ticket-transfer.ts";
import { iso } from "../../lib/iso-time.ts";
import type { StoredBooking } from "../storage/booking-storage.ts";
import type { StoredCheckin } from "../storage/checkin-storage.ts";
import type { ShowInfo } from "../storage/seat-storage.ts";

/**
 * What decides a check-in, apart from storage: when a ticket admits no one, which of two
 * scans of one ticket counts, and when a scan is the same scan again. Shared by online and
 * offline check-ins and the manifest, so they all answer alike.
 */

/**
 * Why a ticket of the booking admits no one, or undefined while it is good. `cancelling`: a
 * refund of the booking is under way, which ends in its cancellation, so the ticket stops
 * admitting from the request. `ticketVoid`: why the ticket itself was voided, if it was
 * (`cancelled`, `transferred`, `resold`).
 */
export function voidReason(
  status: ShowInfo["status"],
  booking: StoredBooking,
  cancelling: boolean,
  ticketVoid: string | null = null,
): TicketVoid | undefined {
  // A resold ticket's seat is its buyer's: what becomes of its seller's booking (or the
  // show) after the sale does not change why this ticket admits no one.
  if (ticketVoid === "resold") return RESOLD;
  if (status === "cancelled") return cancelled("the show was cancelled");
  if (booking.status === "cancelled") return cancelled("the booking was cancelled");
  if (booking.status !== "confirmed") return cancelled(`the booking is ${booking.status}`);
  if (cancelling) return cancelled("the booking is being cancelled");
  if (ticketVoid === "transferred") {
    return { reason: "transferred", detail: "it was transferred to another holder" };
  }
  if (ticketVoid) return cancelled("the booking was cancelled");
  return undefined;
}

const RESOLD: TicketVoid = { reason: "resold", detail: "it was resold" };

function cancelled(detail: string): TicketVoid {
  return { reason: "cancelled", detail };
}

/**
 * A scan's instant: an offline scan's own time as the device wrote it (never clamped to
 * the server's now, which moves on: a resent scan must be the same scan), an online scan's
 * arrival.
 */
export function scanTime(scan: VerifiedScan, now: number): number {
  return scan.scannedAt ?? now;
}

export function checkinAsScan(checkin: StoredCheckin): VerifiedScan {
  return { ...checkin, scannedAt: checkin.checkedInAt };
}

/** Earliest first; the device id breaks a tie, so every order of syncing agrees. */
export function compareScans(
  a: VerifiedScan | undefined,
  b: VerifiedScan | undefined,
  now: number,
): number {
  if (!a || !b) return 0;
  const byTime = scanTime(a, now) - scanTime(b, now);
  if (byTime !== 0) return byTime;
  return (a.deviceId ?? "").localeCompare(b.deviceId ?? "");
}

/** The check-in held is this very scan (same ticket, device and instant), sent again. */
export function sameScan(held: StoredCheckin, scan: VerifiedScan, now: number): boolean {
  return held.checkedInAt === scanTime(scan, now) && held.deviceId === scan.deviceId;
}

/**
 * An online scan retried after a lost answer: the scan id it was admitted under, from the
 * same scanner account. Another account sending the same id is another scan.
 */
export function retriedOnlineScan(held: StoredCheckin, scan: VerifiedScan): boolean {
  return !!scan.scanId && held.scanId === scan.scanId && held.deviceId === scan.deviceId;
}

export function firstScanOf(checkin: StoredCheckin): FirstScan {
  return {
    checked_in_at: iso(checkin.checkedInAt),
    gate: checkin.gate,
    device_id: checkin.deviceId,
  };
}

export function duplicateOf(held: StoredCheckin): ScanOutcome {
  return { result: "duplicate", first_scan: firstScanOf(held) };
}
