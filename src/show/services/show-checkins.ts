import { type ApiFailure, notFoundFailure } from "../../contract/api-failure.ts";
import type { ShowResult } from "../../contract/show-rpc.ts";
import type {
  AttendanceRead,
  CheckinView,
  ManifestRead,
  ScanOutcome,
  ScanView,
  TicketRead,
  TicketStatus,
  VerifiedScan,
} from "../../contract/show-views.ts";
import { ticketAlreadyUsed, ticketInvalid, ticketVoid } from "../../contract/ticket-failures.ts";
import { iso } from "../../lib/iso-time.ts";
import { checkinRecorded } from "../d1/checkin-d1.ts";
import {
  checkinAsScan,
  compareScans,
  duplicateOf,
  retriedOnlineScan,
  sameScan,
  scanTime,
} from "../seats/checkin-rules.ts";
import { ok, refused } from "../show-results.ts";
import type { ShowState } from "../show-state.ts";
import type { StoredCheckin } from "../storage/checkin-storage.ts";
import { bookingSeats } from "./booking-snapshot.ts";
import { type DoorTicket, findTicket, ticketVoidReason } from "./booking-tickets.ts";
import { manifestSince } from "./checkin-manifest.ts";
import { checkinView } from "./checkin-view.ts";
import { noReentry, ReentryCheckins } from "./reentry-checkins.ts";
import { listingView } from "./ticket-resale.ts";

// The object's RPC methods (show-object.ts) and the Worker name these types from here.

/**
 * Check-ins at the door. Each decision reads and writes the object's SQLite in one
 * synchronous step (no await in between), and the object is the show's single writer, so
 * a ticket is admitted once however many gates scan it at the same moment.
 */
export class ShowCheckins {
  /** The show's check-ins while its policy lets tickets leave and come back. */
  private readonly reentry: ReentryCheckins;

  constructor(private readonly show: ShowState) {
    this.reentry = new ReentryCheckins(show);
  }

  private get reentryAllowed(): boolean {
    return this.show.info.checkinPolicy?.reentry === true;
  }

  /** One ticket: a seat's, or a booking's one ticket from before per-seat tickets. */
  readTicket(ticketId: string): ShowResult<TicketRead> {
    const { show } = this;
    const ticket = findTicket(show, ticketId);
    if (!ticket) return refused(notFoundFailure("ticket", ticketId));
    const { booking } = ticket;
    const used = show.checkinStorage.find(ticketId);
    // A listed ticket is still its holder's, and valid, to them (the door refuses it).
    const voided = ticketVoidReason(show, ticket, false);
    const status: TicketStatus = voided ? "void" : used ? "used" : "valid";
    const seats = new Set(ticket.seatIds);
    const booked = bookingSeats(show.seats, booking).filter((seat) => seats.has(seat.seat_id));
    const listing = show.seats.resale.ofTicket(ticketId);
    return ok({
      ticket_id: ticketId,
      booking_id: booking.bookingId,
      show_id: show.showId,
      user_id: ticket.userId,
      seats: booked,
      ...(ticket.zone && { zone: ticket.zone }),
      status,
      void_reason: voided?.reason ?? null,
      checked_in_at: used ? iso(used.checkedInAt) : null,
      gate: used?.gate ?? null,
      issued_at: ticket.issuedAt,
      ...(listing && { listing: listingView(listing, booked[0]?.price ?? 0) }),
      event_name: show.info.eventName,
      show_time: iso(show.info.showTime),
      venue: show.info.venueName,
    });
  }

  /** POST /v1/checkins: admits the ticket, or says why not. */
  async checkIn(
    scan: VerifiedScan,
  ): Promise<ShowResult<{ checkin: CheckinView; scan?: ScanView }>> {
    if (this.reentryAllowed) return this.reentry.checkIn(scan);
    if (scan.direction === "out") return refused(noReentry());
    const decided = this.decideOnline(scan, Date.now());
    if ("failure" in decided) return refused(decided.failure);
    if (decided.written) await this.show.flushToD1();
    return ok({ checkin: this.view(decided.checkin, decided.ticket) });
  }

  /**
   * POST /v1/checkins/batch, this show's part: offline scans, each with its outcome. The
   * earliest scan of a ticket is its check-in, whatever order the devices sync in; sending
   * the same scans again changes nothing and answers the same.
   */
  async checkInBatch(scans: VerifiedScan[]): Promise<ShowResult<ScanOutcome[]>> {
    if (this.reentryAllowed) return this.reentry.checkInBatch(scans);
    const now = Date.now();
    // Decided earliest first, so within a batch too the earliest scan is the one admitted.
    const order = scans.map((_, i) => i).sort((a, b) => compareScans(scans[a], scans[b], now));
    const outcomes: ScanOutcome[] = new Array(scans.length);
    let written = false;
    this.show.transaction(() => {
      for (const i of order) {
        const scan = scans[i];
        if (!scan) continue;
        const decided = this.decideOffline(scan, now);
        written ||= decided.written;
        outcomes[i] = decided.outcome;
      }
    });
    // Outcomes of scans decided before a later scan of the batch displaced them are settled
    // at the end: only the scan that holds the check-in now is `admitted`.
    for (const [i, outcome] of outcomes.entries()) {
      const scan = scans[i];
      if (outcome.result !== "admitted" || !scan) continue;
      const held = this.show.checkinStorage.find(scan.ticketId);
      if (held && !sameScan(held, scan, now)) outcomes[i] = duplicateOf(held);
    }
    if (written) await this.show.flushToD1();
    return ok(outcomes);
  }

  /**
   * The door's offline copy: every ticket id of the show by status, and a version; with
   * `since` (a version of this show's), only the tickets whose status changed after it.
   */
  manifest(since?: string): ShowResult<ManifestRead> {
    return ok(manifestSince(this.show, since));
  }

  /** The headcount: tickets inside now, and scans in and out per gate. */
  attendance(): ShowResult<AttendanceRead> {
    return ok(this.show.scanLog.attendance(this.show.showId));
  }

  private decideOnline(
    scan: VerifiedScan,
    now: number,
  ): { failure: ApiFailure } | { checkin: StoredCheckin; ticket: DoorTicket; written: boolean } {
    const ticket = findTicket(this.show, scan.ticketId);
    if (!ticket || ticket.booking.bookingId !== scan.bookingId) {
      return { failure: ticketInvalid("no such ticket for this show") };
    }
    const voided = ticketVoidReason(this.show, ticket);
    if (voided) return { failure: ticketVoid(scan.ticketId, voided) };
    const held = this.show.checkinStorage.find(scan.ticketId);
    if (held) {
      // The same online scan retried (a lost answer): answered as the first time.
      if (retriedOnlineScan(held, scan)) return { checkin: held, ticket, written: false };
      return { failure: ticketAlreadyUsed(held) };
    }
    const checkin = this.toCheckin(ticket, scan, now);
    this.show.transaction(() => this.save(checkin));
    return { checkin, ticket, written: true };
  }

  /** Runs inside the batch's transaction. */
  private decideOffline(
    scan: VerifiedScan,
    now: number,
  ): { outcome: ScanOutcome; written: boolean } {
    const ticket = findTicket(this.show, scan.ticketId);
    if (!ticket || ticket.booking.bookingId !== scan.bookingId) {
      const reason = "no such ticket for this show";
      return { outcome: { result: "invalid", code: "TICKET_INVALID", reason }, written: false };
    }
    const voided = ticketVoidReason(this.show, ticket);
    if (voided) return { outcome: { result: "void", reason: voided.reason }, written: false };
    if (scan.direction === "out") {
      const { reason } = noReentry().details;
      return {
        outcome: { result: "invalid", code: "INVALID_INPUT", reason: String(reason) },
        written: false,
      };
    }
    const held = this.show.checkinStorage.find(scan.ticketId);
    if (held && sameScan(held, scan, now)) {
      return { outcome: { result: "admitted", checkin: this.view(held, ticket) }, written: false };
    }
    if (held && compareScans(checkinAsScan(held), scan, now) <= 0) {
      return { outcome: duplicateOf(held), written: false };
    }
    // No check-in yet, or this scan came before the one recorded: it is the check-in.
    const checkin = this.toCheckin(ticket, scan, now);
    this.save(checkin);
    return { outcome: { result: "admitted", checkin: this.view(checkin, ticket) }, written: true };
  }

  private toCheckin(ticket: DoorTicket, scan: VerifiedScan, now: number): StoredCheckin {
    return {
      ticketId: scan.ticketId,
      bookingId: ticket.booking.bookingId,
      checkedInAt: scanTime(scan, now),
      gate: scan.gate,
      deviceId: scan.deviceId,
      scanId: scan.scanId ?? null,
    };
  }

  private save(checkin: StoredCheckin): void {
    const { show } = this;
    show.checkinStorage.save(checkin);
    // Without re-entry a ticket's one scan is its check-in: the headcount counts it.
    show.scanLog.replaceWithCheckin(checkin);
    show.outbox.enqueue([checkinRecorded(show.db, show.showId, checkin)]);
  }

  /** `ticket`: the checked-in ticket, when the caller has it already. */
  private view(checkin: StoredCheckin, ticket?: DoorTicket): CheckinView {
    return checkinView(this.show, checkin, ticket);
  }
}
