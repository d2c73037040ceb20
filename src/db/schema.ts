/**
 * D1 schema: the catalog (events, venues, zones, seats, shows, prices) and the
 * booking record (bookings, seat_locks, booking_seats, payments, tickets, check-ins).
 *
 * Timestamps are ISO-8601 UTC strings (`2026-01-20T15:30:00.000Z`): SQLite has no
 * timestamp type, and ISO strings sort in time order, which the indexes rely on.
 * Money columns keep the design's DECIMAL as SQLite NUMERIC; code does its sums in
 * integer minor units (see src/lib/money.ts) so no float error reaches a total.
 */
import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  numeric,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { ACCESSIBILITY_KINDS } from "../contract/seat-accessibility.ts";

const nowIso = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

/**
 * The organizers selling on this deployment (a cinema chain, a theatre, a promoter). Every
 * event, venue, show and webhook belongs to one; organizer and scanner tokens name theirs
 * (the `org` claim). Data from before organizations belongs to `org_demo`.
 */
export const organizations = sqliteTable("organizations", {
  orgId: text("org_id").primaryKey(),
  name: text("name").notNull(),
  createdAt: text("created_at").notNull().default(nowIso),
});

/** The organization of data made before organizations, and of what an admin makes without naming one. */
export const DEFAULT_ORG_ID = "org_demo";

export const events = sqliteTable(
  "events",
  {
    eventId: text("event_id").primaryKey(),
    orgId: text("org_id").notNull().default(DEFAULT_ORG_ID),
    name: text("name").notNull(),
    description: text("description"),
    durationMinutes: integer("duration_minutes"),
    createdAt: text("created_at").notNull().default(nowIso),
  },
  (t) => [
    check(
      "events_duration_positive",
      sql`${t.durationMinutes} IS NULL OR ${t.durationMinutes} > 0`,
    ),
    index("idx_events_created").on(t.createdAt),
    index("idx_events_org").on(t.orgId),
  ],
);

export const venues = sqliteTable(
  "venues",
  {
    venueId: text("venue_id").primaryKey(),
    orgId: text("org_id").notNull().default(DEFAULT_ORG_ID),
    name: text("name").notNull(),
    city: text("city").notNull(),
    totalSeats: integer("total_seats").notNull(),
    createdAt: text("created_at").notNull().default(nowIso),
  },
  (t) => [index("idx_venues_org").on(t.orgId)],
);

/** Zones of a venue in the order the venue lists them: position 0 is the best. */
export const venueZones = sqliteTable(
  "venue_zones",
  {
    venueId: text("venue_id")
      .notNull()
      .references(() => venues.venueId, { onDelete: "cascade" }),
    name: text("name").notNull(),
    position: integer("position").notNull(),
    /** Its seats, or a standing area's places. */
    seatCount: integer("seat_count").notNull(),
    /** A standing (general-admission) area's places; null for a zone of seats. */
    capacity: integer("capacity"),
  },
  (t) => [
    primaryKey({ columns: [t.venueId, t.name] }),
    check("venue_zones_seat_count_positive", sql`${t.seatCount} > 0`),
  ],
);

export const seats = sqliteTable(
  "seats",
  {
    seatId: text("seat_id").primaryKey(),
    venueId: text("venue_id")
      .notNull()
      .references(() => venues.venueId, { onDelete: "cascade" }),
    zone: text("zone").notNull(),
    row: text("row").notNull(),
    number: integer("number").notNull(),
    /** Order of the seat in the venue's seat map (zone order, then row, then number). */
    position: integer("position").notNull(),
    /** What the seat offers for access, as its row declares it; null for none. */
    accessibility: text("accessibility", { enum: ACCESSIBILITY_KINDS }),
    /** Its price category, when its row prices it apart from its zone; null for none. */
    category: text("category"),
  },
  (t) => [
    uniqueIndex("uq_seats_venue_row_number").on(t.venueId, t.row, t.number),
    index("idx_seats_venue_position").on(t.venueId, t.position),
    check("seats_number_positive", sql`${t.number} > 0`),
    check(
      "seats_valid_accessibility",
      sql`${t.accessibility} IS NULL OR ${t.accessibility} IN ('wheelchair', 'companion', 'aisle', 'limited_view')`,
    ),
  ],
);

export const shows = sqliteTable(
  "shows",
  {
    showId: text("show_id").primaryKey(),
    orgId: text("org_id").notNull().default(DEFAULT_ORG_ID),
    eventId: text("event_id")
      .notNull()
      .references(() => events.eventId),
    venueId: text("venue_id")
      .notNull()
      .references(() => venues.venueId),
    showTime: text("show_time").notNull(),
    status: text("status", { enum: ["scheduled", "closed", "cancelled"] })
      .notNull()
      .default("scheduled"),
    createdAt: text("created_at").notNull().default(nowIso),
    /** The most seats one buyer may hold at once (null: no limit). */
    maxTicketsPerUser: integer("max_tickets_per_user"),
    /** When locks may start, and stop (null: from now, until the show). */
    salesStart: text("sales_start"),
    salesEnd: text("sales_end"),
    /** How long a waitlist offer holds its seats, in seconds (null: 900). */
    waitlistOfferSeconds: integer("waitlist_offer_seconds"),
    /** How the door treats the show's tickets, as JSON `{reentry}` (null: no re-entry). */
    checkinPolicy: text("checkin_policy", { mode: "json" }).$type<{ reentry: boolean }>(),
    /** Whether holders may list their tickets for face-value resale. */
    resale: integer("resale", { mode: "boolean" }).notNull().default(true),
  },
  (t) => [
    check("shows_valid_status", sql`${t.status} IN ('scheduled', 'closed', 'cancelled')`),
    index("idx_shows_event_time").on(t.eventId, t.showTime),
    index("idx_shows_org").on(t.orgId),
  ],
);

/** The price of each zone of the show's venue; every zone has exactly one. */
export const showPrices = sqliteTable(
  "show_prices",
  {
    showId: text("show_id")
      .notNull()
      .references(() => shows.showId, { onDelete: "cascade" }),
    zone: text("zone").notNull(),
    price: numeric("price", { mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.showId, t.zone] }),
    check("show_prices_non_negative", sql`${t.price} >= 0`),
  ],
);

export const bookingStatuses = ["pending", "confirmed", "cancelled", "expired"] as const;
export type BookingStatus = (typeof bookingStatuses)[number];

export const bookings = sqliteTable(
  "bookings",
  {
    bookingId: text("booking_id").primaryKey(),
    userId: text("user_id").notNull(),
    showId: text("show_id").notNull(),
    eventId: text("event_id").notNull(),
    /** The lock this booking was made from: one booking per lock. */
    lockId: text("lock_id").notNull(),
    status: text("status", { enum: bookingStatuses }).notNull().default("pending"),
    totalAmount: numeric("total_amount", { mode: "number" }).notNull(),
    paymentId: text("payment_id"),
    ticketId: text("ticket_id"),
    createdAt: text("created_at").notNull().default(nowIso),
    confirmedAt: text("confirmed_at"),
    cancelledAt: text("cancelled_at"),
  },
  (t) => [
    check("valid_status", sql`${t.status} IN ('pending', 'confirmed', 'cancelled', 'expired')`),
    check("bookings_total_non_negative", sql`${t.totalAmount} >= 0`),
    index("idx_bookings_user").on(t.userId, sql`${t.createdAt} DESC`),
    index("idx_bookings_show").on(t.showId),
    index("idx_bookings_status").on(t.status),
    uniqueIndex("uq_bookings_lock").on(t.lockId),
  ],
);

const seatLockStatuses = ["locked", "confirmed", "released", "expired"] as const;
export type LockStatus = (typeof seatLockStatuses)[number];

/**
 * One row per seat of a lock: lock_id alone is therefore not unique here; (lock_id,
 * seat_id) is the key.
 */
export const seatLocks = sqliteTable(
  "seat_locks",
  {
    lockId: text("lock_id").notNull(),
    showId: text("show_id").notNull(),
    seatId: text("seat_id").notNull(),
    userId: text("user_id").notNull(),
    status: text("status", { enum: seatLockStatuses }).notNull().default("locked"),
    expiresAt: text("expires_at").notNull(),
    createdAt: text("created_at").notNull().default(nowIso),
    releasedAt: text("released_at"),
  },
  (t) => [
    primaryKey({ columns: [t.lockId, t.seatId] }),
    check("valid_status", sql`${t.status} IN ('locked', 'confirmed', 'released', 'expired')`),
    // SQLite spelling of the design's UNIQUE(show_id, seat_id, status) WHERE status = 'locked':
    // at most one live lock per seat of a show.
    uniqueIndex("uq_seat_locks_live").on(t.showId, t.seatId).where(sql`${t.status} = 'locked'`),
    index("idx_seat_locks_show_seat").on(t.showId, t.seatId),
    index("idx_seat_locks_expires").on(t.expiresAt).where(sql`${t.status} = 'locked'`),
  ],
);

/**
 * Places of standing (general-admission) areas in a booking: one row per area, with the
 * price of a place as its lock fixed it. A booking's seats are in booking_seats.
 */
export const bookingAreas = sqliteTable(
  "booking_areas",
  {
    bookingId: text("booking_id")
      .notNull()
      .references(() => bookings.bookingId, { onDelete: "cascade" }),
    showId: text("show_id").notNull(),
    zone: text("zone").notNull(),
    quantity: integer("quantity").notNull(),
    price: numeric("price", { mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.bookingId, t.zone] }),
    check("booking_areas_quantity_positive", sql`${t.quantity} > 0`),
    check("booking_areas_price_non_negative", sql`${t.price} >= 0`),
  ],
);

export const bookingSeats = sqliteTable(
  "booking_seats",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    bookingId: text("booking_id")
      .notNull()
      .references(() => bookings.bookingId, { onDelete: "cascade" }),
    /** The show, copied from the booking so the index below can guard a show's seats. */
    showId: text("show_id").notNull(),
    seatId: text("seat_id").notNull(),
    row: text("row").notNull(),
    number: integer("number").notNull(),
    price: numeric("price", { mode: "number" }).notNull(),
    /**
     * 1 while the booking holds the seat (pending or confirmed), 0 once it is cancelled
     * or expired. Kept in step with bookings.status by a trigger (migration 0001).
     */
    active: integer("active").notNull().default(1),
  },
  (t) => [
    uniqueIndex("uq_booking_seats_booking_seat").on(t.bookingId, t.seatId),
    // A seat of a show is in at most one live booking, enforced by the database itself.
    uniqueIndex("uq_booking_seats_show_seat_active")
      .on(t.showId, t.seatId)
      .where(sql`${t.active} = 1`),
    index("idx_booking_seats_booking").on(t.bookingId),
    index("idx_booking_seats_seat").on(t.seatId),
    check("booking_seats_active_flag", sql`${t.active} IN (0, 1)`),
    check("booking_seats_price_non_negative", sql`${t.price} >= 0`),
  ],
);

/**
 * Payments taken for bookings: brand and last four digits only, never the card number or
 * CVV. At most one succeeded payment per booking.
 */
export const payments = sqliteTable(
  "payments",
  {
    paymentId: text("payment_id").primaryKey(),
    bookingId: text("booking_id")
      .notNull()
      .references(() => bookings.bookingId, { onDelete: "cascade" }),
    amount: numeric("amount", { mode: "number" }).notNull(),
    currency: text("currency").notNull(),
    status: text("status", { enum: ["succeeded", "refunded"] }).notNull(),
    cardBrand: text("card_brand").notNull(),
    cardLast4: text("card_last4").notNull(),
    processedAt: text("processed_at").notNull(),
    refundedAt: text("refunded_at"),
  },
  (t) => [
    check("payments_valid_status", sql`${t.status} IN ('succeeded', 'refunded')`),
    check("payments_last4", sql`length(${t.cardLast4}) = 4`),
    uniqueIndex("uq_payments_booking").on(t.bookingId),
  ],
);

/**
 * Parts of a booking's payment given back apart from a cancellation: a seat resold at face
 * value refunds its seller the resale price, once per resold ticket (`ticket_id`), through
 * the booking's own charge. Written by the show object through its outbox: `pending` when
 * the seat sells, `succeeded` once the provider confirms.
 */
export const bookingRefunds = sqliteTable(
  "booking_refunds",
  {
    ticketId: text("ticket_id").primaryKey(),
    bookingId: text("booking_id")
      .notNull()
      .references(() => bookings.bookingId, { onDelete: "cascade" }),
    showId: text("show_id").notNull(),
    amount: numeric("amount", { mode: "number" }).notNull(),
    reason: text("reason", { enum: ["resold"] }).notNull(),
    status: text("status", { enum: ["pending", "succeeded"] }).notNull(),
    refundId: text("refund_id"),
    createdAt: text("created_at").notNull(),
    refundedAt: text("refunded_at"),
  },
  (t) => [
    check("booking_refunds_valid_status", sql`${t.status} IN ('pending', 'succeeded')`),
    check("booking_refunds_positive", sql`${t.amount} >= 0`),
    index("idx_booking_refunds_booking").on(t.bookingId),
  ],
);

export const ticketStatuses = ["valid", "void"] as const;
export type StoredTicketStatus = (typeof ticketStatuses)[number];

/**
 * The tickets of confirmed bookings, one per seat (or, later, per general-admission place:
 * `seat_id` null and a `zone`), written by the show object through its outbox; the
 * object's own SQLite decides admissions, this copy lists a buyer's tickets across shows.
 * A booking confirmed before tickets were per seat has one row for all its seats, with
 * `seat_id` and `zone` null (migration 0010 copied them from `bookings.ticket_id`).
 * `status` is what was decided (`void` once the booking is cancelled); a ticket's use is
 * its row in `checkins`.
 */
export const tickets = sqliteTable(
  "tickets",
  {
    ticketId: text("ticket_id").primaryKey(),
    bookingId: text("booking_id")
      .notNull()
      .references(() => bookings.bookingId, { onDelete: "cascade" }),
    showId: text("show_id").notNull(),
    seatId: text("seat_id"),
    zone: text("zone"),
    userId: text("user_id").notNull(),
    status: text("status", { enum: ticketStatuses }).notNull(),
    voidReason: text("void_reason"),
    issuedAt: text("issued_at").notNull(),
  },
  (t) => [
    check("tickets_valid_status", sql`${t.status} IN ('valid', 'void')`),
    // GET /v1/tickets: a buyer's tickets, newest first (keyset on issued_at, ticket_id).
    index("idx_tickets_user").on(t.userId, sql`${t.issuedAt} DESC`, sql`${t.ticketId} DESC`),
    index("idx_tickets_booking").on(t.bookingId),
  ],
);

/**
 * A ticket's check-in at the door, one row per ticket: the scan that counts (the earliest
 * one, when devices scanned it offline). Written by the show object through its outbox;
 * the object's own SQLite is what decides admissions.
 */
export const checkins = sqliteTable(
  "checkins",
  {
    ticketId: text("ticket_id").primaryKey(),
    bookingId: text("booking_id")
      .notNull()
      .references(() => bookings.bookingId, { onDelete: "cascade" }),
    showId: text("show_id").notNull(),
    checkedInAt: text("checked_in_at").notNull(),
    gate: text("gate"),
    deviceId: text("device_id"),
  },
  (t) => [index("idx_checkins_show").on(t.showId)],
);

/**
 * Webhook subscriptions (POST /v1/webhooks): where events go. The signing secret is not
 * here: it lives only in the webhook's own Durable Object (src/webhooks/), which signs.
 * `events` is a JSON array of event types. A deleted webhook keeps its row with
 * `deleted_at`, so its id is never reused and show objects stop sending to it.
 */
export const webhooks = sqliteTable(
  "webhooks",
  {
    webhookId: text("webhook_id").primaryKey(),
    /** Whose events it receives: an organization's, or (null) every one's (the platform's own). */
    orgId: text("org_id"),
    url: text("url").notNull(),
    events: text("events").notNull(),
    createdAt: text("created_at").notNull(),
    deletedAt: text("deleted_at"),
  },
  (t) => [index("idx_webhooks_active").on(t.deletedAt, t.createdAt)],
);
