import type { CardDetails } from "../contract/payment-method.ts";

export type { CardDetails };
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
  card: CardDetails;
  /** Ours, for the provider's records: the booking paid for. */
  reference: string;
}

export type ChargeOutcome =
  | { status: "succeeded"; paymentId: string; card: CardSummary; processedAt: string }
  | { status: "declined"; reason: DeclineReason; card: CardSummary };

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
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  refund(request: RefundRequest): Promise<RefundOutcome>;
}
