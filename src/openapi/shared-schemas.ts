import { z } from "zod";
import { hasAtMostTwoDecimals } from "../lib/money.ts";

/**
 * Request schemas more than one part of the API uses: ids in paths, amounts of money and
 * list paging. Each route's own schemas live beside the route or its part.
 */

/** A path parameter holding an id of ours, e.g. `{ event_id: "event_..." }`. */
export function idParam<K extends string>(name: K, prefix: string) {
  const id = z
    .string()
    .max(64)
    .regex(new RegExp(`^${prefix}_[A-Za-z0-9_-]+$`), `must look like ${prefix}_...`);
  return z.object({ [name]: id } as Record<K, typeof id>);
}

/**
 * An amount of money of at most `max`, never negative, with at most two decimals exactly
 * (hasAtMostTwoDecimals); multipleOf(0.01) stays for the OpenAPI document, but zod's
 * check tolerates float error and would let 0.30000000000000004 through on its own.
 */
export function moneyAmount(max: number) {
  return z
    .number()
    .min(0, "must not be negative")
    .max(max, `must be at most ${max}`)
    .multipleOf(0.01, "may have at most two decimals")
    .refine(hasAtMostTwoDecimals, "may have at most two decimals");
}

/**
 * An integer query parameter written in plain decimal digits. Number() would also read
 * "0x10", "1e2", "+5" or " 5" as numbers; a client sending those has made a mistake, so
 * they are refused instead of being guessed at.
 */
function integerQuery(min: number, max: number) {
  return z
    .string()
    .regex(/^[0-9]+$/, "must be written in decimal digits only")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

export const listQuerySchema = z.object({
  limit: integerQuery(1, 100)
    .default(50)
    .meta({ description: "Items per page, 1-100 (default 50)", examples: ["20"] }),
  cursor: z.string().max(200).optional(),
});
