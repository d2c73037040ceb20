/**
 * A payment provider's webhook event, verified by the Worker and handed to the show object
 * of the booking it names: only what the object needs (no card data is in it).
 */
export interface ProviderEvent {
  provider: "stripe" | "razorpay";
  /** The provider's event id: an event is applied once, whatever the deliveries. */
  eventId: string;
  /** The provider's event type (`payment_intent.succeeded`, `charge.refunded`, ...). */
  type: string;
  /**
   * What the event says of the payment, in the provider's words mapped to ours: it
   * succeeded (Stripe's payment_intent.succeeded), it failed (payment_intent.payment_failed),
   * it is disputed (charge.dispute.created); null for the rest (recorded only).
   */
  says: "succeeded" | "failed" | "disputed" | null;
  /** The provider's payment (PaymentIntent) id. */
  paymentId: string | null;
  /** Our attempt key (`<booking>:<attempt>`), from the payment's metadata. */
  attemptKey: string | null;
  bookingId: string;
}

/** What the object did with an event (logged; the provider gets 200 either way). */
export type ProviderEventOutcome = "applied" | "duplicate" | "recorded";
