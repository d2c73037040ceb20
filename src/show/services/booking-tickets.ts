import type { BookingTicket, TicketStatus } from "../../contract/booking-views.ts";
import { newShowScopedId } from "../../contract/scoped-ids.ts";
import type { TicketVoid } from "../../contract/ticket-transfer.ts";
import { voidReason } from "../seats/checkin-rules.ts";
import type { ShowState } from "../show-state.ts";
import type { StoredBooking } from "../storage/booking-storage.ts";
import type { StoredTicket } from "../storage/ticket-storage.ts";

/**
 * A booking's tickets: one per seat, each with its own id (and so its own token and QR
 * code), so a scan admits one person and a party may enter apart. A booking confirmed
 * before tickets were per seat has none in the tickets table and keeps its one ticket,
 * `bookings.ticket_id`, for all its seats: every read here treats it as it always was.
 */

/** A ticket as the door and the ticket's reads see it, per seat or from before. */
export interface DoorTicket {
  ticketId: string;
  booking: StoredBooking;
  /** Its holder: the buyer, or whoever it was transferred to. */
  userId: string;
  /** Its own row, for a ticket per seat; undefined for a booking's one ticket from before. */
  stored: StoredTicket | undefined;
  /** The seats it admits: its own; every seat of its booking for a ticket from before. */
  seatIds: string[];
  /** A standing area's place: its zone (no seat); null for a seat's ticket. */
  zone: string | null;
  /** Why it was voided on its own (`cancelled`, `transferred`), else null. */
  storedVoid: string | null;
  /** Epoch ms: its token's `iat`. */
  issuedAt: number;
}

/**
 * The tickets a confirmation issues: one per seat, in the booking's seat order, then one
 * per place of a standing area (no seat, its zone).
 */
export function issueTickets(show: ShowState, booking: StoredBooking, at: number): StoredTicket[] {
  const ticket = (seatId: string | null, zone: string | null): StoredTicket => ({
    ticketId: newShowScopedId("ticket", show.showId),
    bookingId: booking.bookingId,
    seatId,
    zone,
    userId: booking.userId,
    status: "valid",
    voidReason: null,
    issuedAt: at,
  });
  return [
    ...booking.seatIds.map((seatId) => ticket(seatId, show.seats.seats.get(seatId)?.zone ?? null)),
    ...(booking.areas ?? []).flatMap(({ zone, quantity }) =>
      Array.from({ length: quantity }, () => ticket(null, zone)),
    ),
  ];
}

/**
 * Tickets issueTickets() just made, as bookingTickets() would read them back in the same
 * step: in the same order, each valid (a booking confirmed this instant has no check-in and
 * no cancellation yet). The confirmation's answer uses this instead of three reads.
 */
export function issuedTicketViews(tickets: readonly StoredTicket[]): BookingTicket[] {
  return tickets.map((ticket) => ticketView(ticket, "valid"));
}

/** One ticket as a booking's answers list it: a standing place's names its zone. */
function ticketView(
  ticket: Pick<StoredTicket, "ticketId" | "seatId" | "zone" | "userId">,
  status: TicketStatus,
): BookingTicket {
  return {
    ticket_id: ticket.ticketId,
    seat_id: ticket.seatId,
    ...(ticket.seatId === null && ticket.zone && { zone: ticket.zone }),
    status,
    user_id: ticket.userId,
  };
}

/** The ticket with this id, per seat or from before; undefined if the show has none. */
export function findTicket(show: ShowState, ticketId: string): DoorTicket | undefined {
  const own = show.ticketStorage.find(ticketId);
  if (own) {
    const booking = show.bookingStorage.findBooking(own.bookingId);
    if (!booking) return undefined;
    return {
      ticketId,
      booking,
      userId: own.userId,
      stored: own,
      seatIds: own.seatId ? [own.seatId] : [],
      zone: own.seatId ? null : own.zone,
      storedVoid: own.status === "void" ? (own.voidReason ?? "void") : null,
      issuedAt: own.issuedAt,
    };
  }
  // Not in the tickets table: a booking's one ticket from before, if any.
  const booking = show.bookingStorage.bookingOfTicket(ticketId);
  if (!booking) return undefined;
  return {
    ticketId,
    booking,
    userId: booking.userId,
    stored: undefined,
    seatIds: booking.seatIds,
    zone: null,
    storedVoid: null,
    issuedAt: booking.confirmedAt ?? booking.createdAt,
  };
}

/**
 * Why the ticket admits no one, or undefined while it is good. A ticket listed for resale
 * admits no one while it is listed (`listed`), unless `listing` is false (its holder's own
 * read, where it is still theirs and valid).
 */
export function ticketVoidReason(
  show: ShowState,
  ticket: DoorTicket,
  listing = true,
): TicketVoid | undefined {
  const { booking } = ticket;
  const cancelling = show.bookingStorage.cancellationRequested(booking.bookingId);
  const voided = voidReason(show.info.status, booking, cancelling, ticket.storedVoid);
  if (voided || !listing || !show.seats.resale.ofTicket(ticket.ticketId)) return voided;
  return { reason: "listed", detail: "it is listed for resale; its holder must withdraw it first" };
}

/**
 * The booking's tickets as its answers list them, void ones included; none before it is
 * confirmed. In the booking's seat order; a seat's transferred tickets come before the one
 * that replaced them, and each names its own holder. Three indexed reads at most (its
 * tickets, its check-ins, a refund under way).
 */
export function bookingTickets(show: ShowState, booking: StoredBooking): BookingTicket[] {
  const first = booking.ticketId;
  if (!first) return [];
  const rows = show.ticketStorage.ofBooking(booking.bookingId);
  const seatOrder = new Map(booking.seatIds.map((seatId, i) => [seatId, i]));
  // Seats' tickets in seat order; standing places' (no seat) after them.
  const position = (seat: string | null) =>
    seat === null ? Number.MAX_SAFE_INTEGER : (seatOrder.get(seat) ?? -1);
  const listed: Pick<StoredTicket, "ticketId" | "seatId" | "zone" | "userId" | "status">[] =
    rows.length > 0
      ? // Stable: a seat's tickets stay in the order they were issued.
        rows.sort((a, b) => position(a.seatId) - position(b.seatId))
      : [{ ticketId: first, seatId: null, zone: null, userId: booking.userId, status: "valid" }];
  const cancelling =
    booking.status === "confirmed" && show.bookingStorage.cancellationRequested(booking.bookingId);
  const bookingVoid = voidReason(show.info.status, booking, cancelling) !== undefined;
  const used = bookingVoid
    ? new Set<string>()
    : new Set(show.checkinStorage.ofBooking(booking.bookingId).map((c) => c.ticketId));
  return listed.map((ticket) =>
    ticketView(
      ticket,
      bookingVoid || ticket.status === "void"
        ? "void"
        : used.has(ticket.ticketId)
          ? "used"
          : "valid",
    ),
  );
}
