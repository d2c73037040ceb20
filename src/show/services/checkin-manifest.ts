import type { ManifestRead } from "../../contract/show-views.ts";
import type { VoidReason } from "../../contract/ticket-transfer.ts";
import { firstScanOf, voidReason } from "../seats/checkin-rules.ts";
import type { ShowState } from "../show-state.ts";
import type { StoredBooking } from "../storage/booking-storage.ts";
import type { StoredCheckin } from "../storage/checkin-storage.ts";
import type { TicketState } from "../storage/ticket-storage.ts";

/**
 * The door's offline copy: every ticket id of the show by status (every seat's ticket, and
 * the one ticket of each booking from before per-seat tickets), void ones with their
 * reason, and a version. The whole of it costs four reads (bookings, tickets, check-ins,
 * refunds under way) and one pass over the tickets with set lookups, so it costs time
 * linear in the show's tickets, however many are void. For 50,000 tickets (30,000 used) GET
 * .../manifest takes about 0.55 s, the same after the show is cancelled (every ticket void);
 * with a query per ticket and a scan of the void list per used ticket it took 1.4 s, and
 * 6.8 s once cancelled (test/checkin-manifest-scale).
 *
 * The version is the last row of the ticket change log (storage/ticket-change-log.ts); with
 * `since`, only the tickets logged after it are read and listed, so a door syncing every few
 * seconds costs a read of the few bookings that changed, not of the show.
 */

/** Past this many bookings changed, the changes are picked out of one pass over the show. */
const MOST_BOOKINGS_READ_APART = 1000;

/** The manifest, or (`since` a version this show had) only what changed after it. */
export function manifestSince(show: ShowState, since?: string): ManifestRead {
  const current = show.ticketChanges.version();
  const from = since === undefined ? undefined : knownVersion(since, current);
  if (from === undefined) return wholeManifest(show, current);
  const changes = show.ticketChanges.since(from);
  if (changes.wholeShow) return wholeManifest(show, current);
  const changed = (ticketId: string, bookingId: string) =>
    changes.bookings.has(bookingId) || changes.tickets.has(ticketId);
  const bookingIds = [...new Set([...changes.bookings, ...changes.tickets.values()])];
  const lists =
    bookingIds.length > MOST_BOOKINGS_READ_APART
      ? wholeLists(show, changed)
      : bookingLists(show, bookingIds, changed);
  return { show_id: show.showId, version: String(current), since: String(from), ...lists };
}

/** `since` as a version of this show (1, the log's start, up to now), else undefined. */
function knownVersion(since: string, current: number): number | undefined {
  if (!/^[0-9]{1,15}$/.test(since)) return undefined;
  const version = Number(since);
  return version >= 1 && version <= current ? version : undefined;
}

function wholeManifest(show: ShowState, current: number): ManifestRead {
  return { show_id: show.showId, version: String(current), since: null, ...wholeLists(show) };
}

type Lists = Pick<ManifestRead, "valid" | "void" | "void_reasons" | "used">;
type Filter = (ticketId: string, bookingId: string) => boolean;

/** Every ticket of the show (or those `keep` picks), in one pass. */
function wholeLists(show: ShowState, keep?: Filter): Lists {
  const cancelling = new Set(
    show.bookingStorage.requestedCancellations().map((cancellation) => cancellation.bookingId),
  );
  return sortTickets(
    show,
    show.bookingStorage.ticketedBookings(),
    show.ticketStorage.all(),
    show.checkinStorage.all(),
    cancelling,
    keep,
  );
}

/** The tickets `keep` picks of a few bookings, each booking read on its own. */
function bookingLists(show: ShowState, bookingIds: string[], keep: Filter): Lists {
  const { bookingStorage } = show;
  const bookings = bookingIds
    .map((bookingId) => bookingStorage.findBooking(bookingId))
    .filter((booking): booking is StoredBooking => booking !== undefined);
  const cancelling = new Set(
    bookingIds.filter((bookingId) => bookingStorage.cancellationRequested(bookingId)),
  );
  return sortTickets(
    show,
    bookings,
    show.ticketStorage.ofBookings(bookingIds),
    show.checkinStorage.ofBookings(bookingIds),
    cancelling,
    keep,
  );
}

/** The bookings' tickets sorted into valid, void (with reasons) and used. */
function sortTickets(
  show: ShowState,
  bookings: StoredBooking[],
  tickets: TicketState[],
  // By check-in time, as the door lists them.
  checkins: StoredCheckin[],
  cancelling: Set<string>,
  keep: Filter = () => true,
): Lists {
  const checkedIn = new Set(checkins.map((checkin) => checkin.ticketId));
  // Per-seat tickets by booking; a booking with none has its one ticket from before.
  const perSeat = new Map<string, TicketState[]>();
  for (const ticket of tickets) {
    const ofBooking = perSeat.get(ticket.bookingId);
    if (ofBooking) ofBooking.push(ticket);
    else perSeat.set(ticket.bookingId, [ticket]);
  }
  const valid: string[] = [];
  const voided = new Map<string, VoidReason>();
  for (const booking of bookings) {
    const { ticketId, bookingId } = booking;
    if (!ticketId) continue;
    const status = show.info.status;
    const bookingVoid = voidReason(status, booking, cancelling.has(bookingId));
    const older: TicketState = { ticketId, bookingId, status: "valid", voidReason: null };
    for (const ticket of perSeat.get(bookingId) ?? [older]) {
      if (!keep(ticket.ticketId, bookingId)) continue;
      const reason =
        // Resold stays the reason whatever becomes of the seller's booking (checkin-rules.ts).
        (ticket.voidReason === "resold" ? "resold" : undefined) ??
        bookingVoid?.reason ??
        (ticket.status === "void"
          ? voidReason(status, booking, false, ticket.voidReason)?.reason
          : undefined) ??
        // A listed ticket admits no one until its holder withdraws it.
        (show.seats.resale.ofTicket(ticket.ticketId) ? "listed" : undefined);
      if (reason) voided.set(ticket.ticketId, reason);
      else if (!checkedIn.has(ticket.ticketId)) valid.push(ticket.ticketId);
    }
  }
  return {
    valid,
    void: [...voided.keys()],
    void_reasons: Object.fromEntries(voided),
    used: checkins
      .filter(
        (checkin) => !voided.has(checkin.ticketId) && keep(checkin.ticketId, checkin.bookingId),
      )
      .map((checkin) => ({ ticket_id: checkin.ticketId, ...firstScanOf(checkin) })),
  };
}
