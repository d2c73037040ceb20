import { iso } from "../lib/iso-time.ts";
import type { StoredBooking } from "./booking-storage.ts";
import type { StoredCheckin } from "./checkin-storage.ts";
import type { ShowInfo } from "./show-storage.ts";

/**
 * What decides a check-in, apart from storage: when a ticket admits no one, which of two
 * scans of one ticket counts, and when a scan is the same scan again. Shared by online and
 * offline check-ins and the manifest, so they all answer alike.
 */

/** A scan whose token the Worker has verified: the ticket and booking it names. */
export interface VerifiedScan {
  ticketId: string;
  bookingId: string;
  gate: string | null;
  deviceId: string | null;
  /** An online scan's client id: the same scan retried is answered as the first was. */
  scanId?: string | null;
  /**
   * An offline scan's instant (epoch ms), checked by the Worker to be no earlier than the
   * ticket's issue and at most a few minutes ahead; an online scan is at its arrival.
   */
  scannedAt?: number;
}

export interface CheckinView {
  ticket_id: string;
  booking_id: string;
  show_id: string;
  seats: string[];
  checked_in_at: string;
  gate: string | null;
}

export interface FirstScan {
  checked_in_at: string;
  gate: string | null;
  device_id: string | null;
}

/** Why an offline scan is `invalid`: the error code a client would get for it online. */
export type InvalidScanCode = "TICKET_INVALID" | "TICKET_WRONG_SHOW" | "INVALID_INPUT";

/** One offline scan's outcome. */
export type ScanOutcome =
  | { result: "admitted"; checkin: CheckinView }
  | { result: "duplicate"; first_scan: FirstScan }
  | { result: "void"; reason: string }
  | { result: "invalid"; code: InvalidScanCode; reason: string };

/**
 * Why the booking's ticket admits no one, or undefined while it is good. `cancelling`: a
 * refund of the booking is under way, which ends in its cancellation, so the ticket stops
 * admitting from the request.
 */
export function voidReason(
  status: ShowInfo["status"],
  booking: StoredBooking,
  cancelling: boolean,
): string | undefined {
  if (status === "cancelled") return "the show was cancelled";
  if (booking.status === "cancelled") return "the booking was cancelled";
  if (booking.status !== "confirmed") return `the booking is ${booking.status}`;
  if (cancelling) return "the booking is being cancelled";
  return undefined;
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
