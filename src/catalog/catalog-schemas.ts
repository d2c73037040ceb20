import { z } from "zod";
import type { Accessibility } from "../contract/seat-accessibility.ts";
import { MAX_PRICE } from "../lib/money.ts";
import { moneyAmount } from "../openapi/shared-schemas.ts";
import { namedOrganization } from "../organizations/organization-field.ts";
import { multiLineText, singleLineText } from "./text-fields.ts";

/** Request schemas of the catalog routes; the OpenAPI document is built from these too. */

/** The price of one seat of a zone. */
export const price = moneyAmount(MAX_PRICE);

export const createEventSchema = z
  .object({
    org_id: namedOrganization(
      "The organization it belongs to: an organizer's own by default (naming another is 404); the platform admin may name any, else org_demo",
    ),
    name: singleLineText(200),
    description: multiLineText(2000).optional(),
    duration_minutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .optional(),
  })
  .meta({ id: "CreateEvent" });

export const zoneNameSchema = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "must be lower-case letters, digits, _ or -");

const rowLabelSchema = z
  .string()
  .min(1)
  .max(10)
  .regex(/^[A-Za-z0-9]+$/, "must be letters or digits");

/** A stadium: 100,000 seats, created in one request (see docs/performance.md, Stadium-size venues). */
export const MAX_VENUE_SEATS = 100_000;
export const MAX_ROW_SEATS = 200;
/** The most places of one standing area: a stadium's pitch. */
export const MAX_AREA_CAPACITY = 100_000;

/** Seat numbers of one row (1..seats; the row entry checks the upper end). */
const seatNumbersSchema = z
  .array(z.number().int().min(1, "must be a seat number of the row (from 1)"))
  .max(MAX_ROW_SEATS, `may list at most ${MAX_ROW_SEATS} seats`);

/** One list of seat numbers per kind (src/contract/seat-accessibility.ts); unknown kinds are refused. */
const rowAccessibilitySchema = z
  .strictObject({
    wheelchair: seatNumbersSchema
      .optional()
      .meta({ description: "Wheelchair spaces", examples: [[1, 12]] }),
    companion: seatNumbersSchema
      .optional()
      .meta({ description: "Companion seats, beside a wheelchair space", examples: [[2, 11]] }),
    aisle: seatNumbersSchema.optional().meta({ description: "Aisle seats" }),
    limited_view: seatNumbersSchema.optional().meta({ description: "Seats with a limited view" }),
  } satisfies Record<Accessibility, z.ZodType>)
  .meta({
    description:
      "What seats of the row offer for access, by kind: seat numbers of the row (1 to seats), each seat in at most one list. On a run of rows (from .. to) it applies to every row of the run. Seats not listed have none (null).",
  });

/**
 * Refuses seat lists that do not fit the row: a number past the row's last seat, a seat
 * listed twice (in one list or two). `field` names the lists (accessibility, categories);
 * issues name the number (`accessibility.wheelchair.0`). Lists in the body's key order, so
 * the second mention of a seat is the one refused.
 */
function checkSeatLists(
  field: string,
  lists: Record<string, readonly number[] | undefined>,
  seats: number,
  ctx: z.RefinementCtx,
): void {
  const listedIn = new Map<number, string>();
  for (const [list, numbers] of Object.entries(lists)) {
    numbers?.forEach((number, index) => {
      const path = [field, list, index];
      const earlier = listedIn.get(number);
      if (number > seats) {
        ctx.addIssue({
          code: "custom",
          path,
          message: `must be a seat of the row (1 to ${seats})`,
        });
      } else if (earlier !== undefined) {
        const where = earlier === list ? "twice" : `already in ${earlier}`;
        ctx.addIssue({ code: "custom", path, message: `seat ${number} is listed ${where}` });
      } else {
        listedIn.set(number, list);
      }
    });
  }
}

/**
 * Refuses accessibility lists that do not fit the row: a list longer than the row (named
 * alone), else what checkSeatLists refuses.
 */
function checkRowAccessibility(
  entry: { seats: number; accessibility?: z.output<typeof rowAccessibilitySchema> | undefined },
  ctx: z.RefinementCtx,
): void {
  if (!entry.accessibility) return;
  const fitting: Record<string, readonly number[] | undefined> = {};
  for (const [kind, numbers] of Object.entries(entry.accessibility)) {
    if (numbers && numbers.length > entry.seats) {
      ctx.addIssue({
        code: "custom",
        path: ["accessibility", kind],
        message: `lists ${numbers.length} seats; the row has ${entry.seats}`,
      });
      continue;
    }
    fitting[kind] = numbers;
  }
  checkSeatLists("accessibility", fitting, entry.seats, ctx);
}

/**
 * Price categories apart from zones (a restricted view in the stalls): category name →
 * seat numbers of the row. Named like zones, and priced per show in `prices` like them.
 */
const rowCategoriesSchema = z
  .record(zoneNameSchema, seatNumbersSchema)
  .refine((lists) => Object.keys(lists).length <= 20, "may name at most 20 categories")
  .meta({
    description:
      "Seats of the row priced apart from their zone: category name → seat numbers (1 to seats). A show prices each category in `prices` as it does zones.",
    examples: [{ restricted: [1, 2, 15, 16] }],
  });

/**
 * One row (`row`), or a run of rows (`from` .. `to`, e.g. "A" .. "ZZ" or "S1R1" .. "S1R40")
 * of the same width: a stadium written row by row would not fit the 64 KiB body limit.
 * How ranges count is in venue-layout.ts (expandRowRange).
 */
const rowEntrySchema = z
  .object({
    row: rowLabelSchema.optional().meta({ description: "The row's label (or from and to)" }),
    from: rowLabelSchema
      .optional()
      .meta({ description: "First row of a run of rows of the same width", examples: ["A"] }),
    to: rowLabelSchema
      .optional()
      .meta({ description: "Last row of the run (inclusive)", examples: ["ZZ"] }),
    seats: z
      .number()
      .int()
      .min(1, "a row needs at least one seat")
      .max(MAX_ROW_SEATS, `a row may have at most ${MAX_ROW_SEATS} seats`),
    accessibility: rowAccessibilitySchema.optional(),
    category: zoneNameSchema.optional().meta({
      description: "A price category for every seat of the row (or run) not listed in `categories`",
      examples: ["restricted"],
    }),
    categories: rowCategoriesSchema.optional(),
  })
  .superRefine((entry, ctx) => {
    const ranged = entry.from !== undefined || entry.to !== undefined;
    if (entry.row !== undefined && ranged) {
      ctx.addIssue({ code: "custom", path: ["row"], message: "give either row, or from and to" });
    } else if (!ranged && entry.row === undefined) {
      ctx.addIssue({ code: "custom", path: ["row"], message: "is required (or from and to)" });
    } else if (ranged && entry.from === undefined) {
      ctx.addIssue({ code: "custom", path: ["from"], message: "is required with to" });
    } else if (ranged && entry.to === undefined) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "is required with from" });
    }
    checkRowAccessibility(entry, ctx);
    checkSeatLists("categories", entry.categories ?? {}, entry.seats, ctx);
  });
export type RowEntry = z.output<typeof rowEntrySchema>;

export const createVenueSchema = z
  .object({
    org_id: namedOrganization(
      "The organization it belongs to: an organizer's own by default (naming another is 404); the platform admin may name any, else org_demo",
    ),
    name: singleLineText(200),
    city: singleLineText(100),
    zones: z
      .array(
        z
          .object({
            name: zoneNameSchema,
            rows: z
              .array(rowEntrySchema)
              .min(1, "a zone needs at least one row")
              .max(1000)
              .optional()
              .meta({ description: "The zone's rows of numbered seats (not for a standing area)" }),
            general_admission: z.literal(true).optional().meta({
              description:
                "A standing area (a festival floor, a lawn): sold by the place up to `capacity`, no seat numbers",
            }),
            capacity: z
              .number()
              .int()
              .min(1)
              .max(MAX_AREA_CAPACITY)
              .optional()
              .meta({ description: "A standing area's places" }),
          })
          .superRefine((zone, ctx) => {
            if (zone.general_admission) {
              if (zone.rows !== undefined) {
                ctx.addIssue({
                  code: "custom",
                  path: ["rows"],
                  message: "a standing area has no rows",
                });
              }
              if (zone.capacity === undefined) {
                ctx.addIssue({
                  code: "custom",
                  path: ["capacity"],
                  message: "is required for a standing area",
                });
              }
            } else if (zone.rows === undefined) {
              ctx.addIssue({
                code: "custom",
                path: ["rows"],
                message: "is required (or general_admission: true with a capacity)",
              });
            } else if (zone.capacity !== undefined) {
              ctx.addIssue({
                code: "custom",
                path: ["capacity"],
                message: "is for a standing area (general_admission: true)",
              });
            }
          }),
      )
      .min(1, "a venue needs at least one zone")
      .max(100),
  })
  .meta({ id: "CreateVenue" });
export type CreateVenueInput = z.output<typeof createVenueSchema>;

/** How far ahead a show may be put: a year 9999 is a slip of the keyboard, not a plan. */
const MAX_SHOW_TIME_YEARS = 5;

function latestShowTime(now: number): number {
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + MAX_SHOW_TIME_YEARS);
  return latest.getTime();
}

/**
 * A show's time, on POST /v1/shows and PATCH /v1/shows/{show_id}: RFC 3339 with `Z` or any
 * offset and any fractional seconds, read as the instant it names, and at most 5 years from
 * now (the routes check that it is in the future).
 */
export const showTimeSchema = z.iso
  .datetime({ offset: true, message: "must be an ISO-8601 date-time" })
  // A time that does not parse was refused above; only a parsed one is compared.
  .refine((value) => !(Date.parse(value) > latestShowTime(Date.now())), {
    message: `must be at most ${MAX_SHOW_TIME_YEARS} years from now`,
  })
  .meta({ description: `Any offset; at most ${MAX_SHOW_TIME_YEARS} years from now` });

/**
 * Who may buy when, and how much: a show's sale settings, on POST /v1/shows and
 * PATCH /v1/shows/{show_id} (null there clears one). Enforced by the show's object when a
 * lock is asked for.
 */
export const saleSettingsFields = {
  max_tickets_per_user: z.number().int().min(1).max(100).nullable().optional().meta({
    description:
      "The most seats one buyer may hold in this show at once, over live locks and bookings (null: no limit)",
  }),
  sales_start: showTimeSchema
    .nullable()
    .optional()
    .meta({ description: "Locks before this answer 400 SALE_NOT_STARTED (null: on sale now)" }),
  sales_end: showTimeSchema
    .nullable()
    .optional()
    .meta({ description: "Locks after this answer 400 SALE_ENDED (null: until the show starts)" }),
  waitlist_offer_seconds: z.number().int().min(60).max(3600).nullable().optional().meta({
    description:
      "How long seats offered to the next buyer on the waitlist stay held for them (null: 900)",
  }),
};

/**
 * How the door treats the show's tickets, on POST /v1/shows and PATCH /v1/shows/{show_id}
 * (null there sets the default back: no re-entry). Enforced by the show's object at each scan.
 */
export const checkinPolicyField = {
  checkin_policy: z
    .strictObject({
      reentry: z.boolean().meta({
        description:
          "true: a ticket may leave (`direction: out`) and come back in; false (the default): a ticket admits once",
      }),
    })
    .nullable()
    .optional(),
};

/** Face-value resale, on POST /v1/shows and PATCH /v1/shows/{show_id}. */
export const resaleField = {
  resale: z.boolean().optional().meta({
    description:
      "true (the default): holders may list their tickets for resale at face value or less (POST /v1/tickets/{ticket_id}/resale); false: new listings are refused (409 `RESALE_DISABLED`), and listed seats read `booked` and cannot be bought until resale is on again",
  }),
};

/** sales_start before sales_end, where both are given. */
export function saleWindowIssue(body: {
  sales_start?: string | null | undefined;
  sales_end?: string | null | undefined;
}): string | undefined {
  if (!body.sales_start || !body.sales_end) return undefined;
  return Date.parse(body.sales_start) < Date.parse(body.sales_end)
    ? undefined
    : "must be after sales_start";
}

export const createShowSchema = z
  .object({
    event_id: z.string().min(1).max(64),
    venue_id: z.string().min(1).max(64),
    show_time: showTimeSchema,
    ...saleSettingsFields,
    ...checkinPolicyField,
    ...resaleField,
    // Without a prototype, a venue zone missing from `prices` reads as undefined even when it
    // is named like an Object.prototype member (`constructor`), never as an inherited value.
    prices: z
      .record(zoneNameSchema, price)
      .transform((prices): Record<string, number> => Object.assign(Object.create(null), prices)),
  })
  .superRefine((body, ctx) => {
    const issue = saleWindowIssue(body);
    if (issue) ctx.addIssue({ code: "custom", path: ["sales_end"], message: issue });
  })
  .meta({ id: "CreateShow" });
