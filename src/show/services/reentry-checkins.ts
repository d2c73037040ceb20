import { type ApiFailure, invalidInputFailure } from "../../contract/api-failure.ts";
import type { ShowResult } from "../../contract/show-rpc.ts";
import type {
  CheckinView,
  ScanOutcome,
  ScanView,
  VerifiedScan,
} from "../../contract/show-views.ts";
import {
  ticketAlreadyInside,
  ticketInvalid,
  ticketNotInside,
  ticketVoid,
} from "../../contract/ticket-failures.ts";
import type { VoidReason } from "../../contract/ticket-transfer.ts";
import { iso } from "../../lib/iso-time.ts";
import { checkinRecorded } from "../d1/checkin-d1.ts";
import { scanTime } from "../seats/checkin-rules.ts";
import { type LoggedScan, lastAcceptedBefore, replay } from "../seats/reentry-rules.ts";
import { ok, refused } from "../show-results.ts";
import type { ShowState } from "../show-state.ts";
import type { StoredCheckin } from "../storage/checkin-storage.ts";
import { type DoorTicket, findTicket, ticketVoidReason } from "./booking-tickets.ts";
import { checkinView } from "./checkin-view.ts";

/**
 * Check-ins of a show with re-entry: a ticket's holder goes in and out, and each scan says
 * which way. Every scan that counts (and every scan an offline door synced, counting or
 * not) is kept in the scan log; a ticket's scans are judged again in time order after each
 * change (seats/reentry-rules.ts), and its check-in follows its first `in` that counts. A
 * decision reads and writes SQLite in one synchronous step of the show's single writer, so
 * two gates scanning one ticket `in` at the same moment let it in once.
 */
export class ReentryCheckins {
  constructor(private readonly show: ShowState) {}

  /** POST /v1/checkins: the scan counts, or 409 says where the ticket is. */
  async checkIn(scan: VerifiedScan): Promise<ShowResult<{ checkin: CheckinView; scan: ScanView }>> {
    const decided = this.decideOnline(scan, Date.now());
    if ("failure" in decided) return refused(decided.failure);
    if (decided.written) await this.show.flushToD1();
    return ok(decided.answer);
  }

  /**
   * POST /v1/checkins/batch, this show's part: each scan is stored (once: a scan is known by
   * ticket, device, instant and direction), then each ticket's scans are judged again in
   * time order, so scans synced late and out of order are reconciled by `scanned_at`.
   */
  async checkInBatch(scans: VerifiedScan[]): Promise<ShowResult<ScanOutcome[]>> {
    const { show } = this;
    const now = Date.now();
    const outcomes: ScanOutcome[] = new Array(scans.length);
    const stored = new Map<number, { ticket: DoorTicket; seq: number }>();
    const settled = new Map<string, Settled>();
    let written = false;
    show.transaction(() => {
      for (const [i, scan] of scans.entries()) {
        const ticket = this.doorTicket(scan);
        if ("failure" in ticket) {
          outcomes[i] = offlineRefusal(ticket.failure);
          continue;
        }
        const logged = this.toLogged(scan, now);
        const same = show.scanLog
          .ofTicket(scan.ticketId)
          .find(
            (s) =>
              s.at === logged.at &&
              s.deviceId === logged.deviceId &&
              s.direction === logged.direction,
          );
        const seq = same ? same.seq : show.scanLog.add(logged);
        written ||= !same;
        stored.set(i, { ticket: ticket.ticket, seq });
      }
      for (const { ticket } of stored.values()) {
        if (settled.has(ticket.ticketId)) continue;
        const result = this.settle(ticket);
        written ||= result.changed;
        settled.set(ticket.ticketId, result);
      }
    });
    for (const [i, { ticket, seq }] of stored) {
      const result = settled.get(ticket.ticketId);
      if (result) outcomes[i] = this.outcome(ticket, result, seq);
    }
    if (written) await show.flushToD1();
    return ok(outcomes);
  }

  private decideOnline(
    scan: VerifiedScan,
    now: number,
  ):
    | { failure: ApiFailure }
    | { answer: { checkin: CheckinView; scan: ScanView }; written: boolean } {
    const { show } = this;
    const found = this.doorTicket(scan);
    if ("failure" in found) return found;
    const { ticket } = found;
    const logged = show.scanLog.ofTicket(scan.ticketId);
    const candidate = this.toLogged(scan, now);
    // The same online scan retried (a lost answer): answered as it was the first time.
    const retried = candidate.scanId
      ? logged.find(
          (s) =>
            s.scanId === candidate.scanId &&
            s.deviceId === candidate.deviceId &&
            s.direction === candidate.direction,
        )
      : undefined;
    if (retried) {
      return { answer: this.answer(ticket, replay(logged), retried.seq), written: false };
    }
    const judged = replay([...logged, candidate]).scans;
    const index = judged.findIndex((s) => s.seq === 0);
    if (!judged[index]?.accepted) {
      return { failure: conflict(candidate, lastAcceptedBefore(judged, index)) };
    }
    let result: Settled | undefined;
    let seq = 0;
    show.transaction(() => {
      seq = show.scanLog.add({ ...candidate, accepted: true });
      result = this.settle(ticket);
    });
    if (!result) throw new Error("the scan was not settled");
    return { answer: this.answer(ticket, result, seq), written: true };
  }

  /** The ticket a scan names, or why it lets no one through. */
  private doorTicket(scan: VerifiedScan): { ticket: DoorTicket } | { failure: ApiFailure } {
    const ticket = findTicket(this.show, scan.ticketId);
    if (!ticket || ticket.booking.bookingId !== scan.bookingId) {
      return { failure: ticketInvalid("no such ticket for this show") };
    }
    const voided = ticketVoidReason(this.show, ticket);
    return voided ? { failure: ticketVoid(scan.ticketId, voided) } : { ticket };
  }

  private toLogged(scan: VerifiedScan, now: number): LoggedScan {
    return {
      seq: 0,
      ticketId: scan.ticketId,
      direction: scan.direction ?? "in",
      at: scanTime(scan, now),
      gate: scan.gate,
      deviceId: scan.deviceId,
      scanId: scan.scanId ?? null,
      accepted: false,
    };
  }

  /**
   * Judges the ticket's stored scans again, stores what changed, and moves its check-in to
   * its first `in` that counts (D1 too). Runs inside a transaction.
   */
  private settle(ticket: DoorTicket): Settled {
    const { show } = this;
    const stored = show.scanLog.ofTicket(ticket.ticketId);
    const judged = replay(stored);
    let changed = false;
    const before = new Map(stored.map((s) => [s.seq, s.accepted]));
    for (const scan of judged.scans) {
      if (before.get(scan.seq) === scan.accepted) continue;
      show.scanLog.setAccepted(scan.seq, scan.accepted);
      changed = true;
    }
    const first = judged.checkin;
    const held = show.checkinStorage.find(ticket.ticketId);
    if (first && !(held && sameCheckin(held, first))) {
      const checkin: StoredCheckin = {
        ticketId: ticket.ticketId,
        bookingId: ticket.booking.bookingId,
        checkedInAt: first.at,
        gate: first.gate,
        deviceId: first.deviceId,
        scanId: first.scanId,
      };
      show.checkinStorage.save(checkin);
      show.outbox.enqueue([checkinRecorded(show.db, show.showId, checkin)]);
      changed = true;
    }
    return { ...judged, changed };
  }

  private answer(ticket: DoorTicket, settled: Judged, seq: number) {
    const scan = settled.scans.find((s) => s.seq === seq);
    const held = this.show.checkinStorage.find(ticket.ticketId);
    if (!scan || !held) throw new Error(`scan ${seq} of ${ticket.ticketId} was not stored`);
    return { checkin: checkinView(this.show, held, ticket), scan: scanView(scan, settled.inside) };
  }

  private outcome(ticket: DoorTicket, settled: Judged, seq: number): ScanOutcome {
    const index = settled.scans.findIndex((s) => s.seq === seq);
    const scan = settled.scans[index];
    const held = this.show.checkinStorage.find(ticket.ticketId);
    if (!scan) throw new Error(`scan ${seq} of ${ticket.ticketId} was not stored`);
    const view = scanView(scan, settled.inside);
    if (!scan.accepted || !held) {
      const refusal = conflict(scan, lastAcceptedBefore(settled.scans, index));
      const code = refusal.code === "TICKET_ALREADY_INSIDE" ? refusal.code : "TICKET_NOT_INSIDE";
      return { result: "rejected", code, reason: refusal.message, scan: view };
    }
    const checkin = checkinView(this.show, held, ticket);
    return scan.direction === "in"
      ? { result: "admitted", checkin, scan: view }
      : { result: "exited", checkin, scan: view };
  }
}

type Judged = ReturnType<typeof replay>;
type Settled = Judged & { changed: boolean };

function sameCheckin(held: StoredCheckin, first: LoggedScan): boolean {
  return (
    held.checkedInAt === first.at &&
    held.deviceId === first.deviceId &&
    held.gate === first.gate &&
    held.scanId === first.scanId
  );
}

/** A scan that does not fit where the ticket is: 409 naming the last scan that counts. */
function conflict(scan: LoggedScan, last: LoggedScan | undefined): ApiFailure {
  return scan.direction === "in"
    ? ticketAlreadyInside(scan.ticketId, last)
    : ticketNotInside(scan.ticketId, last);
}

function scanView(scan: LoggedScan, inside: boolean): ScanView {
  return { direction: scan.direction, scanned_at: iso(scan.at), gate: scan.gate, inside };
}

/** An offline scan's refusal before its direction matters: a bad or void ticket. */
function offlineRefusal(failure: ApiFailure): ScanOutcome {
  if (failure.code === "TICKET_VOID") {
    // ticketVoid() names the short reason (cancelled, transferred, resold) in its details.
    return { result: "void", reason: failure.details.reason as VoidReason };
  }
  const reason = String(failure.details.reason ?? failure.message);
  return { result: "invalid", code: "TICKET_INVALID", reason };
}

/** 400 for an `out` scan of a show without re-entry, where a ticket admits once. */
export function noReentry(): ApiFailure {
  return invalidInputFailure("direction", "this show has no re-entry: a ticket admits once");
}
