import { z } from "zod";
import { examples } from "./examples.ts";
import { cursor, isoTime } from "./response-schemas.ts";

/**
 * What the API answers about a buyer's locks, bookings and payments, as zod schemas (see
 * response-schemas.ts for the rest): a lock, a booking as created and as read, a payment
 * waiting for the buyer or made.
 */

export const lockSchema = z
  .object({
    lock_id: z.string(),
    show_id: z.string(),
    seat_ids: z.array(z.string()),
    areas: z
      .array(z.object({ zone: z.string(), quantity: z.number().int() }))
      .meta({ description: "Places of standing areas it holds ([] for none)" }),
    expires_at: isoTime,
    locked_at: isoTime,
  })
  .meta({ id: "SeatLock", example: examples.lock });

export const lockWithStatusSchema = lockSchema
  .extend({
    status: z.enum(["locked", "released", "expired", "confirmed"]),
  })
  .meta({ id: "SeatLockWithStatus" });

/** Places of standing areas in a booking (only on a booking that has some). */
const bookedAreas = z
  .array(z.object({ zone: z.string(), quantity: z.number().int(), price: z.number() }))
  .optional()
  .meta({ description: "Places of standing areas, each at `price` (absent: seats only)" });

const bookedSeat = z.object({
  seat_id: z.string(),
  row: z.string(),
  number: z.number().int(),
  price: z.number(),
});
const bookingStatus = z.enum(["pending", "confirmed", "cancelled", "expired", "failed"]).meta({
  description:
    "failed: the payment made with the booking failed in the provider's page (3-D Secure refused); its lock still holds, and may be booked again",
});
/** A payment that went through after its booking expired, refunded (late money). */
const lateRefund = z
  .object({
    refund_id: z.string().nullable(),
    amount: z.number(),
    status: z.enum(["pending", "succeeded"]),
  })
  .meta({ id: "LateRefund" });
/** Parts of a booking's payment given back apart from a cancellation: its resold seats. */
const bookingRefunds = z
  .array(
    z.object({
      ticket_id: z.string().meta({ description: "The resold ticket (void: `resold`)" }),
      amount: z
        .number()
        .meta({ description: "The resale price, refunded through this booking's payment" }),
      reason: z.literal("resold"),
      status: z.enum(["pending", "succeeded"]),
    }),
  )
  .optional()
  .meta({ id: "BookingRefunds", description: "Only on a booking with a seat resold" });

/** One of a booking's tickets: one per seat; `seat_id` null for a booking's one ticket from before. */
const bookingTicket = z
  .object({
    ticket_id: z.string(),
    seat_id: z.string().nullable().meta({
      description:
        "The seat it admits; null for the one ticket of a booking confirmed before tickets were per seat (it admits all the booking's seats)",
    }),
    zone: z
      .string()
      .optional()
      .meta({ description: "A standing area's place: its zone (seat_id null)" }),
    status: z.enum(["valid", "used", "void"]),
    user_id: z.string(),
  })
  .meta({ id: "BookingTicket" });
const bookingTickets = z.array(bookingTicket).meta({
  description:
    "Every ticket of the booking, one per seat, void ones included; empty until it is confirmed",
});
const firstTicketId = z.string().nullable().meta({
  description:
    "The booking's first ticket (its only one if confirmed before tickets were per seat)",
});

/** What a booking is, as created and as read (in this order in both). */
const bookingFields = {
  user_id: z.string(),
  seats: z.array(bookedSeat),
  areas: bookedAreas,
  total_amount: z.number(),
  status: bookingStatus,
  payment_id: z.string().nullable(),
  ticket_id: firstTicketId,
};

const createdBooking = z.object({
  booking_id: z.string(),
  show_id: z.string(),
  ...bookingFields,
  tickets: bookingTickets,
  created_at: isoTime,
  refund: lateRefund.optional(),
  refunds: bookingRefunds,
});

export const createdBookingSchema = z
  .object({ booking: createdBooking })
  .meta({ id: "CreatedBooking", example: examples.createdBooking });

/** A payment waiting for the buyer in the provider's page (3-D Secure, a provider's checkout). */
const paymentAction = z
  .object({
    status: z.literal("requires_action"),
    client_secret: z.string().meta({
      description:
        "Stripe: the PaymentIntent's client secret, for stripe.handleNextAction; Razorpay: the order id, for its checkout",
    }),
    provider: z.enum(["simulated", "stripe", "razorpay"]),
  })
  .meta({ id: "PaymentAction" });

export const paymentWaitingSchema = z
  .object({ booking: createdBooking, payment: paymentAction })
  .meta({ id: "PaymentWaiting" });

const bookingDetailSchema = z.object({
  booking_id: z.string(),
  show: z.object({
    show_id: z.string(),
    event_name: z.string(),
    show_time: isoTime,
    venue: z.string(),
  }),
  ...bookingFields,
  ticket_url: z.string().nullable().meta({ description: "The page of the first ticket" }),
  tickets: bookingTickets,
  created_at: isoTime,
  confirmed_at: isoTime.nullable(),
  cancelled_at: isoTime.nullable(),
  refund: lateRefund.optional(),
  refunds: bookingRefunds,
});

export const paymentSchema = z
  .object({
    payment_id: z.string(),
    booking_id: z.string(),
    status: z.literal("succeeded"),
    amount: z.number(),
    processed_at: isoTime,
    tickets: bookingTickets,
  })
  .meta({ id: "Payment", example: examples.payment });

export const bookingResponse = z
  .object({ booking: bookingDetailSchema })
  .meta({ id: "BookingResponse", example: examples.booking });
export const bookingListResponse = z
  .object({
    bookings: z.array(bookingDetailSchema),
    next_cursor: cursor,
  })
  .meta({ id: "BookingList" });
