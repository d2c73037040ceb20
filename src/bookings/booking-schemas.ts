import { z } from "zod";
import { userIdSchema } from "../auth/access-token.ts";
import { showScopedIdPattern } from "../contract/scoped-ids.ts";
import { MAX_PRICE } from "../lib/money.ts";
import { examples } from "../openapi/examples.ts";
import {
  areaRequestsSchema,
  lockIdSchema,
  MAX_SEATS_PER_LOCK,
  seatIdSchema,
  showIdSchema,
} from "../openapi/seat-request-schemas.ts";
import { moneyAmount } from "../openapi/shared-schemas.ts";

/** Request schemas of the booking and payment routes. */

const bookingIdSchema = z
  .string()
  .max(80)
  .regex(showScopedIdPattern("booking"), "must look like booking_...");

/** Raw card fields: taken only with the simulated provider (see payments/accepted-methods.ts). */
const cardMethodSchema = z.object({
  type: z.enum(["credit_card", "debit_card"]),
  card_number: z
    .string()
    .transform((value) => value.replace(/[\s-]/g, ""))
    .pipe(z.string().regex(/^\d{12,19}$/, "must be 12-19 digits")),
  expiry_month: z.number().int().min(1).max(12),
  expiry_year: z.number().int().min(2000).max(2100),
  cvv: z.string().regex(/^\d{3,4}$/, "must be 3 or 4 digits"),
});

/** A Stripe PaymentMethod made in the browser by Stripe's own field: card data never comes here. */
const stripeMethodSchema = z.strictObject({
  type: z.literal("stripe"),
  payment_method: z
    .string()
    .max(255)
    .regex(/^pm_[A-Za-z0-9_]+$/, "must be a Stripe PaymentMethod id (pm_...)"),
});

/** Razorpay's checkout: the booking answers 202 with the order the browser opens it with. */
const razorpayMethodSchema = z.strictObject({ type: z.literal("razorpay") });

const paymentMethodSchema = z
  .discriminatedUnion("type", [cardMethodSchema, stripeMethodSchema, razorpayMethodSchema])
  .meta({
    description:
      'Card fields (credit_card | debit_card) with the simulated provider; with Stripe, the token of Stripe\'s own card field: {type: "stripe", payment_method: "pm_..."}; with Razorpay, {type: "razorpay"} (the buyer pays in Razorpay\'s checkout, opened with the order id the 202 answer gives)',
  });

export type PaymentMethodBody = z.output<typeof paymentMethodSchema>;

export const createBookingSchema = z
  .object({
    show_id: showIdSchema,
    lock_id: lockIdSchema,
    seat_ids: z.array(seatIdSchema).max(MAX_SEATS_PER_LOCK).meta({
      description: "The lock's seats ([] for a lock of standing places only)",
    }),
    areas: areaRequestsSchema.optional().meta({
      description: "The lock's places of standing areas, as the lock answered them",
    }),
    user_id: userIdSchema,
    payment_method: paymentMethodSchema.optional(),
  })
  .refine((body) => body.seat_ids.length > 0 || (body.areas?.length ?? 0) > 0, {
    message: "book at least one seat or place",
    path: ["seat_ids"],
  })
  .meta({ id: "CreateBooking", example: examples.createBooking });

/**
 * The most a booking can cost: one lock holds at most MAX_SEATS_PER_LOCK seats, each at
 * most MAX_PRICE. Any total a booking can have must be payable; the show object then
 * checks that the amount is this booking's total.
 */
const MAX_BOOKING_TOTAL = MAX_PRICE * MAX_SEATS_PER_LOCK;

export const createPaymentSchema = z
  .object({
    booking_id: bookingIdSchema,
    amount: moneyAmount(MAX_BOOKING_TOTAL),
    payment_method: paymentMethodSchema,
  })
  .meta({ id: "CreatePayment", example: examples.createPayment });

export const bookingIdParam = z.object({ booking_id: bookingIdSchema });
