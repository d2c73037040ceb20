/**
 * A payment method as a buyer sends it with a booking or a payment, and as the Worker hands
 * it to the show object, which passes it to the gateway and keeps only brand and last four.
 */
export interface CardDetails {
  type: "credit_card" | "debit_card";
  card_number: string;
  expiry_month: number;
  expiry_year: number;
  cvv: string;
}

/**
 * What pays for a booking: raw card fields (taken by the simulated provider only: with a
 * real provider, card data never reaches our server), a provider's token made in the
 * browser by the provider's own field (Stripe's PaymentMethod id, `pm_...`), or the
 * provider's own checkout, opened by the browser once the payment is created (Razorpay:
 * the charge makes an order and waits for the buyer, like a payment that needs 3-D Secure).
 */
export type PaymentMethodInput =
  | { kind: "card"; card: CardDetails }
  | { kind: "token"; provider: "stripe"; token: string }
  | { kind: "checkout"; provider: "razorpay" };

/** The payment providers a deployment may use (PAYMENT_PROVIDER). */
export type PaymentProvider = "simulated" | "stripe" | "razorpay";
