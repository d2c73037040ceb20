import { z } from "zod";

/** Request schemas of the catalog routes; the OpenAPI document is built from these too. */

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max);

/** A path parameter holding an id of ours, e.g. `{ event_id: "event_..." }`. */
export function idParam<K extends string>(name: K, prefix: string) {
  const id = z
    .string()
    .max(64)
    .regex(new RegExp(`^${prefix}_[A-Za-z0-9_-]+$`), `must look like ${prefix}_...`);
  return z.object({ [name]: id } as Record<K, typeof id>);
}

export const price = z
  .number()
  .min(0, "must not be negative")
  .max(1_000_000, "must be at most 1000000")
  .multipleOf(0.01, "may have at most two decimals");

export const createEventSchema = z.object({
  name: text(200),
  description: z.string().trim().max(2000).optional(),
  duration_minutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
});
export type CreateEventInput = z.output<typeof createEventSchema>;

export const zoneNameSchema = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "must be lower-case letters, digits, _ or -");

export const rowLabelSchema = z
  .string()
  .min(1)
  .max(10)
  .regex(/^[A-Za-z0-9]+$/, "must be letters or digits");

export const MAX_VENUE_SEATS = 10_000;

export const createVenueSchema = z.object({
  name: text(200),
  city: text(100),
  zones: z
    .array(
      z.object({
        name: zoneNameSchema,
        rows: z
          .array(
            z.object({
              row: rowLabelSchema,
              seats: z.number().int().min(1, "a row needs at least one seat").max(500),
            }),
          )
          .min(1, "a zone needs at least one row")
          .max(200),
      }),
    )
    .min(1, "a venue needs at least one zone")
    .max(20),
});
export type CreateVenueInput = z.output<typeof createVenueSchema>;

export const createShowSchema = z.object({
  event_id: z.string().min(1).max(64),
  venue_id: z.string().min(1).max(64),
  show_time: z.iso.datetime({ offset: true, message: "must be an ISO-8601 date-time" }),
  prices: z.record(zoneNameSchema, price),
});
export type CreateShowInput = z.output<typeof createShowSchema>;

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});
