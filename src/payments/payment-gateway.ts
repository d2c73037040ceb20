/**
 * What the booking flow needs from a payment provider. Every call carries an idempotency
 * key: the provider performs one charge (or refund) per key, however often it is asked.
 */

export interface CardDetails {
  type: "credit_card" | "debit_card";
  card_number: string;
  expiry_month: number;
  expiry_year: number;
  cvv: string;
}

/** What may be kept of a card: brand and last four digits (invariant 7). */
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

export function cardSummary(card: CardDetails): CardSummary {
  const digits = card.card_number.replace(/\D/g, "");
  return { brand: cardBrand(digits), last4: digits.slice(-4) };
}

export function cardBrand(digits: string): string {
  if (/^4/.test(digits)) return "visa";
  if (/^(5[1-5]|2[2-7])/.test(digits)) return "mastercard";
  if (/^3[47]/.test(digits)) return "amex";
  if (/^(6011|65)/.test(digits)) return "discover";
  if (/^60|^65|^81|^82|^508/.test(digits)) return "rupay";
  return "unknown";
}

/** The Luhn checksum every real card number satisfies. */
export function passesLuhn(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** A card is usable through the last day of its expiry month (UTC). */
export function isExpired(
  card: Pick<CardDetails, "expiry_month" | "expiry_year">,
  now: Date,
): boolean {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  return card.expiry_year < year || (card.expiry_year === year && card.expiry_month < month);
}
