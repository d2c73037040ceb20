import { and, asc, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { BookingShow, BookingSnapshot, BookingTicket } from "../contract/booking-views.ts";
import type { Database } from "../db/database.ts";
import { afterCursor, type Keyset, keysetOrder, type Page, toPage } from "../db/keyset-page.ts";
import {
  type BookingStatus,
  bookingAreas,
  bookingRefunds,
  bookingSeats,
  bookings,
  checkins,
  events,
  shows,
  tickets,
  venues,
} from "../db/schema.ts";

interface StoredBookingRead {
  booking: BookingSnapshot;
  show: BookingShow;
}

/** Reads of bookings from D1, the queryable record. */
export class BookingsD1 {
  constructor(private readonly db: Database) {}

  async get(bookingId: string): Promise<StoredBookingRead | undefined> {
    const [read] = await this.withSeats(
      await this.query().where(eq(bookings.bookingId, bookingId)).limit(1).all(),
    );
    return read;
  }

  /** The user's bookings, newest first. */
  listForUser(userId: string, limit: number, cursor?: string): Promise<Page<StoredBookingRead>> {
    return this.newestFirst(eq(bookings.userId, userId), limit, cursor);
  }

  /** A show's bookings, newest first, optionally of one status (organizers' view). */
  listForShow(
    showId: string,
    status: BookingStatus | undefined,
    limit: number,
    cursor?: string,
  ): Promise<Page<StoredBookingRead>> {
    const ofStatus = status ? eq(bookings.status, status) : undefined;
    return this.newestFirst(and(eq(bookings.showId, showId), ofStatus), limit, cursor);
  }

  /** A page of the bookings `where` selects, newest first (keyset on created_at, id). */
  private async newestFirst(
    where: SQL | undefined,
    limit: number,
    cursor?: string,
  ): Promise<Page<StoredBookingRead>> {
    const keyset: Keyset = { sort: bookings.createdAt, id: bookings.bookingId, direction: "desc" };
    const rows = await this.query()
      .where(and(where, afterCursor(keyset, cursor)))
      .orderBy(...keysetOrder(keyset))
      .limit(limit + 1)
      .all();
    const page = toPage(rows, limit, (row) => [row.createdAt, row.bookingId]);
    return { items: await this.withSeats(page.items), nextCursor: page.nextCursor };
  }

  private query() {
    return this.db
      .select({
        bookingId: bookings.bookingId,
        showId: bookings.showId,
        userId: bookings.userId,
        totalAmount: bookings.totalAmount,
        status: bookings.status,
        paymentId: bookings.paymentId,
        ticketId: bookings.ticketId,
        createdAt: bookings.createdAt,
        confirmedAt: bookings.confirmedAt,
        cancelledAt: bookings.cancelledAt,
        eventName: events.name,
        showTime: shows.showTime,
        venueName: venues.name,
      })
      .from(bookings)
      .innerJoin(shows, eq(shows.showId, bookings.showId))
      .innerJoin(events, eq(events.eventId, shows.eventId))
      .innerJoin(venues, eq(venues.venueId, shows.venueId));
  }

  /**
   * The bookings with their seats, places and tickets: three more reads per page, in one D1
   * batch (one round trip).
   */
  private async withSeats(
    rows: Awaited<ReturnType<ReturnType<BookingsD1["query"]>["all"]>>,
  ): Promise<StoredBookingRead[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.bookingId);
    const [seatRows, ticketRows, areaRows, refundRows] = await this.db.batch([
      this.db
        .select()
        .from(bookingSeats)
        .where(inArray(bookingSeats.bookingId, ids))
        .orderBy(asc(bookingSeats.id)),
      this.db
        .select({
          ticketId: tickets.ticketId,
          bookingId: tickets.bookingId,
          seatId: tickets.seatId,
          zone: tickets.zone,
          userId: tickets.userId,
          status: tickets.status,
          checkedInAt: checkins.checkedInAt,
        })
        .from(tickets)
        .leftJoin(checkins, eq(checkins.ticketId, tickets.ticketId))
        .where(inArray(tickets.bookingId, ids))
        // Issued in one statement in the booking's seat order: rowid keeps that order.
        .orderBy(sql`${tickets}.rowid`),
      this.db.select().from(bookingAreas).where(inArray(bookingAreas.bookingId, ids)),
      this.db
        .select()
        .from(bookingRefunds)
        .where(inArray(bookingRefunds.bookingId, ids))
        .orderBy(asc(bookingRefunds.createdAt), asc(bookingRefunds.ticketId)),
    ]);
    return rows.map((row) => {
      const seats = seatRows.filter((seat) => seat.bookingId === row.bookingId);
      const areas = areaRows.filter((area) => area.bookingId === row.bookingId);
      const read = this.readOf(row, seats, areas, ticketRows);
      const refunds = refundRows.filter((refund) => refund.bookingId === row.bookingId);
      if (refunds.length > 0) {
        read.booking.refunds = refunds.map((refund) => ({
          ticket_id: refund.ticketId,
          amount: refund.amount,
          reason: refund.reason,
          status: refund.status,
        }));
      }
      return read;
    });
  }

  /**
   * One booking of the page. Its tickets in its seats' order: a transferred seat's old
   * ticket (void) before its successor, as the show object lists them.
   */
  private readOf(
    row: Awaited<ReturnType<ReturnType<BookingsD1["query"]>["all"]>>[number],
    seats: (typeof bookingSeats.$inferSelect)[],
    areas: (typeof bookingAreas.$inferSelect)[],
    ticketRows: {
      ticketId: string;
      bookingId: string;
      seatId: string | null;
      zone: string | null;
      userId: string;
      status: string;
      checkedInAt: string | null;
    }[],
  ): StoredBookingRead {
    const seatOrder = new Map(seats.map((seat, i) => [seat.seatId, i]));
    // Seats' tickets in seat order; standing places' (no seat) after them.
    const position = (seatId: string | null) =>
      seatId === null ? Number.MAX_SAFE_INTEGER : (seatOrder.get(seatId) ?? -1);
    return {
      booking: {
        bookingId: row.bookingId,
        showId: row.showId,
        userId: row.userId,
        seats: seats.map((seat) => ({
          seat_id: seat.seatId,
          row: seat.row,
          number: seat.number,
          price: seat.price,
        })),
        areas: areas.map(({ zone, quantity, price }) => ({ zone, quantity, price })),
        totalAmount: row.totalAmount,
        status: row.status,
        paymentId: row.paymentId,
        ticketId: row.ticketId,
        tickets: ticketRows
          .filter((ticket) => ticket.bookingId === row.bookingId)
          // Stable: a seat's tickets stay in the order they were issued.
          .sort((a, b) => position(a.seatId) - position(b.seatId))
          .map(
            (ticket): BookingTicket => ({
              ticket_id: ticket.ticketId,
              seat_id: ticket.seatId,
              ...(ticket.seatId === null && ticket.zone ? { zone: ticket.zone } : {}),
              status: ticket.status === "void" ? "void" : ticket.checkedInAt ? "used" : "valid",
              user_id: ticket.userId,
            }),
          ),
        createdAt: row.createdAt,
        confirmedAt: row.confirmedAt,
        cancelledAt: row.cancelledAt,
      },
      show: { eventName: row.eventName, showTime: row.showTime, venueName: row.venueName },
    };
  }
}
