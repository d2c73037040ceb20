import type {
  CardDetails,
  PaymentMethodInput,
  PaymentProvider,
} from "../contract/payment-method.ts";

export type { CardDetails, PaymentMethodInput, PaymentProvider };
/**
 * What the booking flow needs from a payment provider. Every call carries an idempotency
 * key: the provider performs one charge (or refund) per key, however often it is asked.
 */

/** What may be kept of a card: brand and last four digits, never the number or CVV. */
export interface CardSummary {
  brand: string;
  last4: string;
}

export interface ChargeRequest {
  idempotencyKey: string;
  /** Minor units (paise, cents). */
  amountMinor: number;
  currency: string;
  method: PaymentMethodInput;
  /** Ours, for the provider's records: the booking paid for. */
  reference: string;
}

/**
 * How a charge went. `requires_action`: the buyer must act in the provider's own page (3-D
 * Secure; Razorpay's checkout), with `clientSecret` (Stripe's PaymentIntent client secret;
 * Razorpay's order id); the outcome comes later, by the provider's webhook or a retrieve.
 */
export type ChargeOutcome =
  | { status: "succeeded"; paymentId: string; card: CardSummary; processedAt: string }
  | {
      status: "declined";
      /** The provider's code (`card_declined`, `insufficient_funds`, `expired_card`, ...). */
      reason: string;
      /** The issuer's reason, where the provider gives one (Stripe's `decline_code`). */
      declineCode?: string | undefined;
      card: CardSummary | null;
    }
  | { status: "requires_action"; paymentId: string; clientSecret: string };

/** The simulated provider's decline reasons (its test cards). */
export type DeclineReason =
  | "card_declined"
  | "insufficient_funds"
  | "invalid_card_number"
  | "expired_card"
  | "invalid_cvv";

export interface RefundRequest {
  idempotencyKey: string;
  /** The key the charge was made with; refunding a charge that never happened is a no-op. */
  chargeIdempotencyKey: string;
  /** The provider's id of the payment, where known (saves looking it up by the key). */
  paymentId?: string | undefined;
  /** Minor units to give back, part of the charge; absent: everything the charge still holds. */
  amountMinor?: number | undefined;
}

export type RefundOutcome = { status: "refunded"; refundId: string } | { status: "no_charge" };

/**
 * The provider could not say what happened (timeout, error after the request left): the
 * charge may or may not exist. Callers settle it with a refund under the charge's key.
 */
export class PaymentOutcomeUnknown extends Error {
  constructor(readonly kind: "timeout" | "provider_error") {
    super(kind === "timeout" ? "payment provider timed out" : "payment provider failed");
    this.name = "PaymentOutcomeUnknown";
  }
}

export interface PaymentGateway {
  readonly provider: PaymentProvider;
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  refund(request: RefundRequest): Promise<RefundOutcome>;
  /**
   * What became of the charge made under `idempotencyKey` (reconciliation): its outcome,
   * or undefined when no charge was made under it.
   */
  retrieve(idempotencyKey: string, paymentId?: string): Promise<ChargeOutcome | undefined>;
}
