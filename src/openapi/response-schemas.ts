import { z } from "zod";
import { ACCESSIBILITY_KINDS } from "../contract/seat-accessibility.ts";
import { examples } from "./examples.ts";

/**
 * What the API answers, as zod schemas: the OpenAPI document is built from them, and tests
 * parse real answers with them so the document cannot drift from the code. Locks, bookings
 * and payments are in booking-response-schemas.ts.
 */

export const isoTime = z.iso.datetime();

export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ example: "INVALID_INPUT" }),
      message: z.string(),
      // Always present (`{}` when there is nothing to add), so clients can read its fields directly.
      details: z.record(z.string(), z.unknown()),
      request_id: z.string(),
    }),
  })
  .meta({ id: "Error", example: examples.error });

/** The organization a catalog resource belongs to. */
const orgId = z
  .string()
  .meta({ description: "The organization it belongs to", example: "org_demo" });

const eventSchema = z.object({
  event_id: z.string(),
  org_id: orgId,
  name: z.string(),
  description: z.string().nullable(),
  duration_minutes: z.number().int().nullable(),
  created_at: isoTime,
});

const venueSchema = z.object({
  venue_id: z.string(),
  org_id: orgId,
  name: z.string(),
  city: z.string(),
  total_seats: z.number().int(),
  zones: z.array(
    z.object({
      name: z.string(),
      seats: z.number().int(),
      general_admission: z.literal(true).optional().meta({ description: "A standing area" }),
      capacity: z.number().int().optional().meta({ description: "A standing area's places" }),
    }),
  ),
  categories: z
    .array(z.object({ name: z.string(), seats: z.number().int() }))
    .meta({ description: "Price categories its rows name (priced per show in `prices`)" }),
  seats: z.array(
    z.object({
      seat_id: z.string(),
      row: z.string(),
      number: z.number().int(),
      zone: z.string(),
      accessibility: z.enum(ACCESSIBILITY_KINDS).nullable().meta({
        description:
          "What the seat offers for access, as its row declares it (wheelchair space, companion seat, aisle seat, limited view); null for none",
      }),
      category: z.string().nullable().meta({
        description: "Its price category, when its row prices it apart from its zone; else null",
      }),
    }),
  ),
  created_at: isoTime,
});

/** A cancelled show's refunds: paid bookings, those refunded, those still to refund. */
const cancellationSchema = z.object({
  bookings: z.number().int(),
  refunded: z.number().int(),
  pending: z.number().int(),
  reason: z.string(),
  cancelled_at: isoTime,
});

const showSchema = z.object({
  show_id: z.string(),
  org_id: orgId,
  event_id: z.string(),
  venue_id: z.string(),
  show_time: isoTime,
  status: z.enum(["scheduled", "closed", "cancelled"]),
  prices: z.record(z.string(), z.number()),
  max_tickets_per_user: z
    .number()
    .int()
    .nullable()
    .meta({ description: "The most seats one buyer may hold at once; null: no limit" }),
  sales_start: isoTime.nullable().meta({ description: "Locks open then; null: now" }),
  sales_end: isoTime.nullable().meta({ description: "Locks close then; null: at the show" }),
  waitlist_offer_seconds: z
    .number()
    .int()
    .meta({ description: "How long a waitlist offer holds its seats" }),
  checkin_policy: z.object({ reentry: z.boolean() }).meta({
    description: "reentry: tickets may leave and come back in (scans alternate in and out)",
  }),
  resale: z.boolean().meta({ description: "Whether holders may list tickets for resale" }),
  created_at: isoTime,
  /** Only for a cancelled show. */
  cancellation: cancellationSchema.optional(),
});

export const showStatusSchema = z
  .object({
    show: z.object({
      status: z.enum(["scheduled", "closed", "cancelled"]),
      show_time: isoTime,
      cancellation: cancellationSchema.nullable(),
    }),
  })
  .meta({ id: "ShowStatus" });

const seatStatus = z.enum(["available", "locked", "held", "booked", "resale"]);

/** Standing areas' places: only on a show that has some. */
const areaCounts = z
  .array(
    z.object({
      zone: z.string(),
      capacity: z.number().int(),
      available: z.number().int(),
      locked: z.number().int(),
      held: z.number().int(),
      booked: z.number().int(),
    }),
  )
  .optional()
  .meta({
    description:
      "Standing (general-admission) areas: places by state, adding up to the capacity (absent when the show has none)",
  });

/** A seat's price category: only on seats priced apart from their zone. */
const seatCategory = z.string().optional().meta({
  description:
    "The seat's price category (e.g. restricted view), when the venue prices it apart from its zone: its price is the category's",
});

/** The show's price categories with their prices: only when the venue has some. */
const showCategories = z
  .record(z.string(), z.object({ price: z.number(), seats: z.number().int() }))
  .optional()
  .meta({ description: "Price categories apart from zones; absent when the venue has none" });

/** What a seat offers for access; null for none. */
const seatAccessibility = z.enum(ACCESSIBILITY_KINDS).nullable().meta({
  description:
    "wheelchair: a wheelchair space; companion: a companion seat, sold with a wheelchair space; aisle; limited_view; null: none. Wheelchair and companion seats are kept from plain best available until the rest of their zone is sold or the organizer releases them",
});

export const seatMapSchema = z
  .object({
    show_id: z.string(),
    version: z
      .number()
      .int()
      .meta({ description: "Grows by one with every change; also the ETag" }),
    venue: z.object({ venue_id: z.string(), name: z.string(), total_seats: z.number().int() }),
    seats: z.array(
      z.object({
        seat_id: z.string(),
        row: z.string(),
        number: z.number().int(),
        status: seatStatus,
        price: z.number(),
        zone: z.string(),
        accessibility: seatAccessibility,
        category: seatCategory,
      }),
    ),
    zones: z.record(z.string(), z.object({ price: z.number(), seats: z.number().int() })),
    categories: showCategories,
    areas: areaCounts,
  })
  .meta({ id: "SeatMap", example: examples.seatMap });

export const seatStatusSchema = z
  .object({
    show_id: z.string(),
    version: z.number().int(),
    status: z.string().meta({
      description:
        "One character per seat in layout order: a available, l locked (by a buyer's lock, or being paid for), h held back by the organizer, b booked, r resale (listed by its holder: lock it like an available seat, at its price in `resale`)",
      example: "aaalbbaa",
    }),
    areas: areaCounts,
    resale: z.record(z.string(), z.number()).optional().meta({
      description:
        "seat id → price, for the seats on resale (status `r`): a buyer pays this, not the layout's price. Absent when none is listed",
    }),
  })
  .meta({ id: "SeatStatus" });

export const layoutSchema = z
  .object({
    show_id: z.string(),
    venue: z.object({ venue_id: z.string(), name: z.string(), total_seats: z.number().int() }),
    zones: z.record(z.string(), z.object({ price: z.number(), seats: z.number().int() })),
    categories: showCategories,
    seats: z.array(
      z.object({
        seat_id: z.string(),
        row: z.string(),
        number: z.number().int(),
        price: z.number(),
        zone: z.string(),
        accessibility: seatAccessibility,
        category: seatCategory,
      }),
    ),
  })
  .meta({ id: "Layout" });

const seatCounts = z.object({
  available: z.number().int(),
  locked: z.number().int(),
  held: z.number().int(),
  booked: z.number().int(),
  resale: z.number().int().meta({ description: "Sold seats listed by their holders for resale" }),
});

const salesReport = z.object({
  show_id: z.string(),
  version: z.number().int(),
  currency: z.string(),
  seats: z.object({
    zones: z.record(z.string(), seatCounts.extend({ total: z.number().int() })),
    total: seatCounts,
  }),
  bookings: z.object({
    pending: z.number().int(),
    confirmed: z.number().int(),
    cancelled: z.number().int(),
    expired: z.number().int(),
  }),
  gross: z.number(),
  refunds: z.number(),
  net: z.number(),
  generated_at: z.iso.datetime(),
});

export const salesReportSchema = z.object({ report: salesReport }).meta({ id: "SalesReport" });

export const devTokenSchema = z
  .object({
    token: z.string(),
    user_id: z.string(),
    expires_in: z.number().int(),
  })
  .meta({ id: "DevToken" });

export const healthSchema = z.object({ status: z.literal("ok") }).meta({ id: "Health" });

export const cursor = z
  .string()
  .nullable()
  .meta({ description: "Pass as ?cursor= for the next page; null on the last" });

export const eventResponse = z.object({ event: eventSchema }).meta({ id: "EventResponse" });
export const eventListResponse = z
  .object({ events: z.array(eventSchema), next_cursor: cursor })
  .meta({ id: "EventList" });
export const venueResponse = z.object({ venue: venueSchema }).meta({ id: "VenueResponse" });
export const showResponse = z.object({ show: showSchema }).meta({ id: "ShowResponse" });
export const showListResponse = z
  .object({ shows: z.array(showSchema), next_cursor: cursor })
  .meta({ id: "ShowList" });
