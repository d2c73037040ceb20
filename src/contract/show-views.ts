/**
 * What the show object answers besides bookings and locks (show-rpc.ts): tickets and
 * check-ins, the door's manifest, holds, the organizer's changes and reports. The Worker's
 * routes render these; the object builds them. Both import them from here.
 */
import type { BookingStatus } from "../db/schema.ts";
import type { BookedSeat, TicketStatus } from "./booking-views.ts";
import type { SeatStatus } from "./live-protocol.ts";
import type { ResaleListingView } from "./ticket-resale.ts";
import type { VoidReason } from "./ticket-transfer.ts";

/** A show's sale: on sale, paused by its organizer, or called off. */
export type ShowStatus = "scheduled" | "closed" | "cancelled";

/** Seats by status. */
export type SeatCounts = Record<SeatStatus, number>;

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
  /** Coming in (the default) or leaving; `out` only where the show allows re-entry. */
  direction?: ScanDirection;
}

/** Which way a scan lets a ticket's holder through the door. */
export type ScanDirection = "in" | "out";

/** One accepted (or, offline, reconciled) scan of a show with re-entry. */
export interface ScanView {
  direction: ScanDirection;
  scanned_at: string;
  gate: string | null;
  /** Whether the ticket is inside now, after every scan known of it. */
  inside: boolean;
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

/** Why a scan of a show with re-entry does not count: the 409 code it would get online. */
export type RejectedScanCode = "TICKET_ALREADY_INSIDE" | "TICKET_NOT_INSIDE";

/**
 * One offline scan's outcome. `scan` is there for shows with re-entry: an `in` that counts
 * is `admitted`, an `out` that counts `exited`, one that does not fit `rejected`.
 */
export type ScanOutcome =
  | { result: "admitted"; checkin: CheckinView; scan?: ScanView }
  | { result: "exited"; checkin: CheckinView; scan: ScanView }
  | { result: "rejected"; code: RejectedScanCode; reason: string; scan: ScanView }
  | { result: "duplicate"; first_scan: FirstScan }
  | { result: "void"; reason: VoidReason }
  | { result: "invalid"; code: InvalidScanCode; reason: string };

/** GET /v1/shows/{show_id}/attendance: the headcount, from the show's accepted scans. */
export interface AttendanceRead {
  show_id: string;
  /** Tickets inside now: their last accepted scan is `in`. */
  inside: number;
  /** Accepted scans in and out (a ticket that comes back is counted each time). */
  entered: number;
  exited: number;
  /** The same per gate, by gate name (null: scans sent without a gate). */
  gates: { gate: string | null; entered: number; exited: number }[];
}

/**
 * The door's offline copy: the whole of it, or (`since` set) only the tickets whose status
 * changed after that version, in the same shape.
 */
export interface ManifestRead {
  show_id: string;
  version: string;
  /** The version this answer lists the changes after; null when it is the whole manifest. */
  since: string | null;
  valid: string[];
  void: string[];
  /** Each void ticket's reason, by ticket id. */
  void_reasons: Record<string, VoidReason>;
  used: ({ ticket_id: string } & FirstScan)[];
}

export type { TicketStatus } from "./booking-views.ts";

/** A ticket as its page and GET /v1/tickets/{id} describe it (before the token is added). */
export interface TicketRead {
  ticket_id: string;
  booking_id: string;
  show_id: string;
  user_id: string;
  seats: BookedSeat[];
  /** A standing area's place: its zone (`seats` is empty). */
  zone?: string;
  status: TicketStatus;
  /** Why a void ticket admits no one; null unless void. */
  void_reason: VoidReason | null;
  checked_in_at: string | null;
  gate: string | null;
  /** When the ticket was issued (the booking's confirmation), epoch ms: the token's `iat`. */
  issued_at: number;
  /** Only while its holder offers it for resale (then the door refuses it: `listed`). */
  listing?: ResaleListingView;
  event_name: string;
  show_time: string;
  venue: string;
}

export interface HoldView {
  hold_id: string;
  seat_ids: string[];
  /** Places of standing areas it keeps back (absent: none). */
  areas?: { zone: string; quantity: number }[];
  reason: string;
  label: string | null;
  created_at: string;
}

/** An access code as the organizer sees it (its text only in the answer that made it). */
export interface AccessCodeView {
  access_code_id: string;
  max_uses: number;
  /** Bookings made with it, and its locks still holding seats. */
  uses: number;
  valid_from: string | null;
  valid_until: string | null;
  zones: string[] | null;
  allocation: string | null;
  price_override: number | null;
  revoked_at: string | null;
  created_at: string;
}

/** What makes an access code (the Worker hashes its text). */
export interface AccessCodeInput {
  /** Hex SHA-256 of `<show id>:<code text>` (src/sales/access-code-hash.ts). */
  codeHash: string;
  maxUses: number;
  /** Its window, epoch ms (null: open on that side). */
  validFrom: number | null;
  validUntil: number | null;
  /** Zones its locks may take seats in (null: any). */
  zones: string[] | null;
  /** The allocation whose seats it unlocks (null: none). */
  allocation: string | null;
  /** The price of each seat locked with it (null: the zone's). */
  priceOverride: number | null;
}

/** Seats set aside for a channel (a sponsor, the box office): read `held` to the public. */
export interface AllocationView {
  allocation_id: string;
  name: string;
  seat_ids: string[];
  created_at: string;
}

/** How long a waitlist offer holds its seats when the show does not say (waitlist_offer_seconds). */
export const DEFAULT_WAITLIST_OFFER_SECONDS = 900;

/** A buyer's place on a sold-out show's waitlist: GET /v1/shows/{show_id}/waitlist/me. */
export interface WaitlistView {
  /** 1 for the first in line (buyers offered seats, who joined earlier, count). */
  position: number;
  quantity: number;
  zone: string | null;
  status: "waiting" | "offered";
  /** The lock held for the buyer once seats came back; booked like any lock. */
  offer: { lock_id: string; seat_ids: string[]; expires_at: string } | null;
  joined_at: string;
}

/**
 * How the door treats a show's tickets. `reentry`: a ticket may leave and come back
 * (scans alternate `in` and `out`); without it a ticket admits once.
 */
export interface CheckinPolicy {
  reentry: boolean;
}

/** A show's policy when its organizer set none. */
export const DEFAULT_CHECKIN_POLICY: CheckinPolicy = { reentry: false };

/**
 * A show's settings, as its object keeps them and as an organizer changes them (in a
 * patch, undefined leaves one as it is and null sets it back to its default).
 */
export interface ShowSettings {
  /** Whether wheelchair and companion seats are kept back from plain sale (absent: yes). */
  accessibleSeatsReserved?: boolean;
  /** The most seats one buyer may hold at once (absent or null: no limit). */
  maxTicketsPerUser?: number | null;
  /** When locks may start and stop (epoch ms; absent or null: from now, until the show). */
  salesStart?: number | null;
  salesEnd?: number | null;
  /** How long a waitlist offer holds its seats (absent or null: the default, 900). */
  waitlistOfferSeconds?: number | null;
  /** How the door treats the tickets (absent or null: the default, no re-entry). */
  checkinPolicy?: CheckinPolicy | null;
  /** Whether holders may list tickets for face-value resale (absent: yes). */
  resale?: boolean;
}

/** Every setting's name, for the object to merge a patch's settings into its own. */
export const SHOW_SETTINGS = [
  "accessibleSeatsReserved",
  "maxTicketsPerUser",
  "salesStart",
  "salesEnd",
  "waitlistOfferSeconds",
  "checkinPolicy",
  "resale",
] as const satisfies readonly (keyof ShowSettings)[];

/** What an organizer may change: PATCH /v1/shows/{show_id}. */
export interface ShowPatch extends ShowSettings {
  showTime?: number;
  status?: "scheduled" | "closed";
  /** zone → new price, for locks made from now on. */
  prices?: Record<string, number>;
}

/** A cancelled show's refunds: paid bookings, those refunded, those still to refund. */
export interface CancellationProgress {
  bookings: number;
  refunded: number;
  pending: number;
  reason: string;
  cancelled_at: string;
}

export interface ShowStatusView {
  status: ShowStatus;
  show_time: string;
  cancellation: CancellationProgress | null;
}

/** GET /v1/shows/{show_id}/report: what sold, from the show object's own records. */
export interface SalesReport {
  show_id: string;
  version: number;
  currency: string;
  seats: { zones: Record<string, SeatCounts & { total: number }>; total: SeatCounts };
  bookings: Record<BookingStatus, number>;
  /** Every booking that was paid, cancelled ones included. */
  gross: number;
  /** Paid bookings cancelled since: their charges were refunded. */
  refunds: number;
  net: number;
  generated_at: string;
}
