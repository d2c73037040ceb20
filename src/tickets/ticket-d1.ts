import { and, asc, eq, inArray } from "drizzle-orm";
import type { TicketStatus } from "../contract/booking-views.ts";
import type { VoidReason } from "../contract/ticket-transfer.ts";
import type { Database } from "../db/database.ts";
import { afterCursor, type Keyset, keysetOrder, type Page, toPage } from "../db/keyset-page.ts";
import { bookingSeats, checkins, tickets } from "../db/schema.ts";

/** A ticket as GET /v1/tickets lists it, read from D1 (the show objects' copy). */
export interface ListedTicket {
  ticketId: string;
  bookingId: string;
  showId: string;
  /** The seats it admits: its own, or every seat of its booking for a ticket from before. */
  seatIds: string[];
  /** A standing area's place: its zone (no seat). */
  zone?: string;
  userId: string;
  status: TicketStatus;
  /** Why a void ticket admits no one (`cancelled`, `transferred`); null unless void. */
  voidReason: VoidReason | null;
  checkedInAt: string | null;
  gate: string | null;
  /** Epoch ms: its token's `iat`. */
  issuedAt: number;
}

/** Reads of tickets from D1, across shows. */
export class TicketsD1 {
  constructor(private readonly db: Database) {}

  /**
   * The user's tickets, newest first (keyset on issued_at, ticket_id; a booking's tickets
   * share their issue time and follow by id). Void ones are listed too.
   */
  async listForUser(userId: string, limit: number, cursor?: string): Promise<Page<ListedTicket>> {
    const keyset: Keyset = { sort: tickets.issuedAt, id: tickets.ticketId, direction: "desc" };
    const rows = await this.db
      .select({
        ticketId: tickets.ticketId,
        bookingId: tickets.bookingId,
        showId: tickets.showId,
        seatId: tickets.seatId,
        zone: tickets.zone,
        userId: tickets.userId,
        status: tickets.status,
        voidReason: tickets.voidReason,
        issuedAt: tickets.issuedAt,
        checkedInAt: checkins.checkedInAt,
        gate: checkins.gate,
      })
      .from(tickets)
      .leftJoin(checkins, eq(checkins.ticketId, tickets.ticketId))
      .where(and(eq(tickets.userId, userId), afterCursor(keyset, cursor)))
      .orderBy(...keysetOrder(keyset))
      .limit(limit + 1)
      .all();
    const page = toPage(rows, limit, (row) => [row.issuedAt, row.ticketId]);
    // A ticket from before per-seat tickets (no seat, no zone) admits its booking's seats.
    const older = page.items.filter((row) => row.seatId === null && row.zone === null);
    const seatsOf = await this.bookingSeatIds(older.map((row) => row.bookingId));
    return {
      items: page.items.map((row) => ({
        ticketId: row.ticketId,
        bookingId: row.bookingId,
        showId: row.showId,
        seatIds: row.seatId !== null ? [row.seatId] : (seatsOf.get(row.bookingId) ?? []),
        ...(row.seatId === null && row.zone !== null ? { zone: row.zone } : {}),
        userId: row.userId,
        status: row.status === "void" ? "void" : row.checkedInAt ? "used" : "valid",
        voidReason: row.status === "void" ? asVoidReason(row.voidReason) : null,
        checkedInAt: row.checkedInAt,
        gate: row.gate,
        issuedAt: Date.parse(row.issuedAt),
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** booking id → its seat ids, in the booking's order; no read when there are none. */
  private async bookingSeatIds(bookingIds: string[]): Promise<Map<string, string[]>> {
    const seats = new Map<string, string[]>();
    if (bookingIds.length === 0) return seats;
    const rows = await this.db
      .select({ bookingId: bookingSeats.bookingId, seatId: bookingSeats.seatId })
      .from(bookingSeats)
      .where(inArray(bookingSeats.bookingId, bookingIds))
      .orderBy(asc(bookingSeats.id))
      .all();
    for (const row of rows)
      seats.set(row.bookingId, [...(seats.get(row.bookingId) ?? []), row.seatId]);
    return seats;
  }
}

/** The reason D1 keeps, as the API names it (a void row without one was cancelled). */
function asVoidReason(stored: string | null): VoidReason {
  return stored === "transferred" || stored === "resold" ? stored : "cancelled";
}
