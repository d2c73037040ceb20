import Stripe from "stripe";
import { type CardSummary, PaymentOutcomeUnknown } from "./payment-gateway.ts";

/**
 * What an error thrown by the stripe package means for a payment. Three kinds:
 *
 * - a card error (402, `type: card_error`): the card was declined; a known outcome, no
 *   money moved;
 * - the outcome is unknown: a timeout or a connection lost after the request left, a 5xx,
 *   a 409 (another request under the same key still running), a 429, or an idempotency
 *   error: the request may have been carried out, so the caller settles it (a refund under
 *   the charge's key, which finds what was made);
 * - the request was refused before anything was made (401, 403, a 400 or 404 that is not
 *   about the card): our configuration or our code is wrong, and asking again will not help.
 */

/** Stripe refused the request before doing anything: a bad key, a missing permission, a bug. */
export class StripeRequestRefused extends Error {
  constructor(
    readonly statusCode: number | undefined,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "StripeRequestRefused";
  }
}

export interface CardDecline {
  /** Stripe's error code: `card_declined`, `expired_card`, `incorrect_cvc`, ... */
  reason: string;
  /** The issuer's reason (`generic_decline`, `insufficient_funds`, ...), where given. */
  declineCode: string | undefined;
  card: CardSummary | null;
}

/** The decline a card error reports; undefined for any other error. */
export function declineOf(err: unknown): CardDecline | undefined {
  if (!(err instanceof Stripe.errors.StripeError)) return undefined;
  if (err.type !== "StripeCardError" && err.rawType !== "card_error") return undefined;
  const card = err.payment_method?.card;
  return {
    reason: err.code || "card_declined",
    declineCode: err.decline_code || undefined,
    card: card ? { brand: card.brand, last4: card.last4 } : null,
  };
}

/**
 * A buyer's PaymentMethod id that Stripe does not know (a 400 or 404 `resource_missing` on
 * `payment_method`): refused like a declined card, nothing was made.
 */
export function unusablePaymentMethod(err: unknown): CardDecline | undefined {
  if (!(err instanceof Stripe.errors.StripeInvalidRequestError)) return undefined;
  if (err.param !== "payment_method") return undefined;
  return { reason: err.code || "invalid_payment_method", declineCode: undefined, card: null };
}

/** A Stripe error of a request whose target does not exist (404 `resource_missing`). */
export function isMissing(err: unknown): boolean {
  return (
    err instanceof Stripe.errors.StripeInvalidRequestError &&
    (err.statusCode === 404 || err.code === "resource_missing")
  );
}

/** The error code of a refused request (`charge_already_refunded`, ...), if any. */
export function refusalCode(err: unknown): string | undefined {
  return err instanceof Stripe.errors.StripeInvalidRequestError ? err.code : undefined;
}

/**
 * The error to throw for a failed call that is not a decline: PaymentOutcomeUnknown when
 * the request may have been carried out, StripeRequestRefused when it surely was not.
 */
export function failureOf(err: unknown): Error {
  if (err instanceof PaymentOutcomeUnknown || err instanceof StripeRequestRefused) return err;
  if (!(err instanceof Stripe.errors.StripeError)) {
    // Not an answer from Stripe (a fault in the library or in our mapping after the call):
    // the request may have gone out.
    return new PaymentOutcomeUnknown("provider_error");
  }
  if (err instanceof Stripe.errors.StripeConnectionError) {
    return new PaymentOutcomeUnknown(isTimeout(err) ? "timeout" : "provider_error");
  }
  if (err instanceof Stripe.errors.StripeIdempotencyError) {
    // The key was used before with other parameters: the first request under it was carried
    // out, and what it did is not known from here. (A bug: our keys are one per attempt,
    // and an attempt's parameters never change.)
    return new PaymentOutcomeUnknown("provider_error");
  }
  const status = err.statusCode;
  if (
    err instanceof Stripe.errors.StripeAuthenticationError ||
    err instanceof Stripe.errors.StripePermissionError ||
    err instanceof Stripe.errors.StripeInvalidRequestError
  ) {
    return new StripeRequestRefused(status, err.code, err.message);
  }
  // 5xx (StripeAPIError), 409 (a request under the same key still running), 429: unknown.
  return new PaymentOutcomeUnknown("provider_error");
}

function isTimeout(err: InstanceType<typeof Stripe.errors.StripeConnectionError>): boolean {
  const detail = err.detail as { code?: unknown } | undefined;
  return detail?.code === "ETIMEDOUT" || /timeout/i.test(err.message);
}
