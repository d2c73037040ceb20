import { z } from "zod";
import { zoneNameSchema } from "../catalog/catalog-schemas.ts";
import { showScopedIdPattern } from "../contract/scoped-ids.ts";
import { examples } from "./examples.ts";

/** Request schemas of the seat routes; the OpenAPI document is built from these too. */

export const showIdSchema = z
  .string()
  .max(64)
  .regex(/^show_[A-Za-z0-9_-]+$/, "must look like show_...");

export const seatIdSchema = z
  .string()
  .min(1)
  .max(80)
  .regex(/^seat_[A-Za-z0-9_-]+$/, "must look like seat_...");

export const MAX_SEATS_PER_LOCK = 10;

/** Places of standing areas asked for with a lock (or given back with its booking). */
export const areaRequestsSchema = z
  .array(
    z.strictObject({
      zone: zoneNameSchema,
      quantity: z.number().int().min(1).max(MAX_SEATS_PER_LOCK),
    }),
  )
  .min(1, "ask for places in at least one area")
  .max(MAX_SEATS_PER_LOCK)
  .meta({
    description:
      "Places of standing (general-admission) areas, by zone: taken from what is left, all or nothing with the seats",
    examples: [[{ zone: "floor", quantity: 4 }]],
  });

/** Seats and places of a lock together: at most MAX_SEATS_PER_LOCK. */
const placesOf = (body: {
  seat_ids?: string[] | undefined;
  areas?: { quantity: number }[] | undefined;
}) =>
  (body.seat_ids?.length ?? 0) + (body.areas ?? []).reduce((sum, area) => sum + area.quantity, 0);

export const lockRequestSchema = z
  .object({
    show_id: showIdSchema,
    seat_ids: z
      .array(seatIdSchema)
      .min(1, "lock at least one seat")
      .max(MAX_SEATS_PER_LOCK, `lock at most ${MAX_SEATS_PER_LOCK} seats at once`)
      .optional(),
    quantity: z.number().int().min(1).max(MAX_SEATS_PER_LOCK).optional(),
    zone: zoneNameSchema.optional(),
    accessible: z
      .strictObject({
        wheelchair: z.number().int().min(1).max(MAX_SEATS_PER_LOCK),
        companions: z.number().int().min(0).max(3).default(0),
      })
      .optional()
      .meta({
        description:
          "Best available for wheelchair users: that many wheelchair spaces with that many companion seats (up to 3) next to them, in one lock (quantity, if sent, must be their sum)",
      }),
    areas: areaRequestsSchema.optional(),
    lock_duration_seconds: z.number().int().min(60).max(600).default(300),
    access_code: z.string().trim().min(1).max(64).optional().meta({
      description:
        "A presale's or an allocation's code: within its window, its zones and its uses, it lets the holder lock before sales_start, or an allocation's seats (403 ACCESS_CODE_INVALID otherwise)",
    }),
  })
  .superRefine((body, ctx) => {
    if (body.seat_ids) {
      const seen = new Set<string>();
      body.seat_ids.forEach((id, index) => {
        if (seen.has(id)) {
          ctx.addIssue({
            code: "custom",
            path: ["seat_ids", index],
            message: `${id} is listed twice`,
          });
        }
        seen.add(id);
      });
    }
    const byQuantity = body.quantity !== undefined || body.accessible !== undefined;
    if (body.seat_ids !== undefined && byQuantity) {
      ctx.addIssue({
        code: "custom",
        path: ["seat_ids"],
        message: "give either seat_ids or quantity (best available), not both",
      });
    } else if (body.seat_ids === undefined && !byQuantity && body.areas === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["seat_ids"],
        message: "give seat_ids, quantity (best available) or areas",
      });
    } else if (byQuantity && body.areas !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["areas"],
        message: "areas go alone or with seat_ids, not with best available",
      });
    } else if (placesOf(body) > MAX_SEATS_PER_LOCK) {
      ctx.addIssue({
        code: "custom",
        path: ["areas"],
        message: `lock at most ${MAX_SEATS_PER_LOCK} seats and places at once`,
      });
    }
    const { accessible } = body;
    if (accessible && body.quantity !== undefined) {
      if (body.quantity !== accessible.wheelchair + accessible.companions) {
        ctx.addIssue({
          code: "custom",
          path: ["quantity"],
          message: "must be accessible.wheelchair + accessible.companions",
        });
      }
    }
    if (accessible && accessible.wheelchair + accessible.companions > MAX_SEATS_PER_LOCK) {
      ctx.addIssue({
        code: "custom",
        path: ["accessible"],
        message: `lock at most ${MAX_SEATS_PER_LOCK} seats at once`,
      });
    }
    if (body.seat_ids && body.zone !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["zone"],
        message: "zone goes with quantity, not seat_ids",
      });
    }
  })
  .meta({ id: "LockRequest", example: examples.lockRequest });
export type LockRequest = z.output<typeof lockRequestSchema>;

export const lockIdSchema = z
  .string()
  .max(80)
  .regex(showScopedIdPattern("lock"), "must look like lock_...");

export const lockIdParam = z.object({ lock_id: lockIdSchema });
