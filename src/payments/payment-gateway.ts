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
  /**
   * Minor units to give back, part of the charge (a resold seat's price); absent:
   * everything the charge still holds. A whole number above 0, the same on every try of a
   * key (a key asked again for another amount is refused, as Stripe refuses it). More than
   * the charge still holds is refused too (Stripe's amount_too_large), unless it holds
   * nothing any more: then the answer is as for a refund without an amount. Refusals are
   * thrown, so the caller's retries keep them in sight.
   */
  amountMinor?: number | undefined;
}

/**
 * `refunded`: the key's refund (a replay gives the same id). When the charge had been
 * refunded in full already under another key, Stripe and Razorpay answer that earlier refund
 * and the simulator `no_charge`: either way nothing is left to give back.
 */
export type RefundOutcome = { status: "refunded"; refundId: string } | { status: "no_charge" };

/**
 * The answer of a refund key found already done at the provider (its refund's id and amount,
 * as Stripe and Razorpay both name them): that refund, when it gave back the amount asked
 * now; one key for two amounts is the caller's bug, thrown.
 */
export function refundDone(
  refundKey: string,
  done: { id: string; amount: number },
  askedMinor: number | undefined,
): RefundOutcome {
  if (askedMinor !== undefined && askedMinor !== done.amount) {
    throw new Error(
      `refund key ${refundKey} gave back ${done.amount}, and is asked again for ${askedMinor}`,
    );
  }
  return { status: "refunded", refundId: done.id };
}

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
