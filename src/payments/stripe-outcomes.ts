import type Stripe from "stripe";
import type { CardSummary, ChargeOutcome, RefundOutcome } from "./payment-gateway.ts";

/**
 * Stripe's objects read as ours (stripe-gateway.ts): what a PaymentIntent says of its
 * charge, which refunds gave money back, and which of several intents under one key is the
 * attempt's. Only a card's brand and last four digits are ever taken from Stripe.
 */

/** What an intent says of its charge; undefined while that is not known (processing). */
export function outcomeOf(intent: Stripe.PaymentIntent): ChargeOutcome | undefined {
  switch (intent.status) {
    case "succeeded": {
      const charge = typeof intent.latest_charge === "object" ? intent.latest_charge : null;
      return {
        status: "succeeded",
        paymentId: intent.id,
        card: cardOf(charge),
        processedAt: new Date((charge?.created ?? intent.created) * 1000).toISOString(),
      };
    }
    case "requires_action":
      if (!intent.client_secret) return undefined;
      return {
        status: "requires_action",
        paymentId: intent.id,
        clientSecret: intent.client_secret,
      };
    case "requires_payment_method": {
      // Confirmed, and its payment failed: the decline is the intent's last error. (Without
      // one the intent was never confirmed, which ours always are: not known.)
      const error = intent.last_payment_error;
      if (!error) return undefined;
      const card = error.payment_method?.card;
      return {
        status: "declined",
        reason: error.code || "card_declined",
        declineCode: error.decline_code || undefined,
        card: card ? { brand: card.brand, last4: card.last4 } : null,
      };
    }
    case "canceled":
      // Cancelled before it charged (a refund of an intent left waiting): nothing was paid.
      return {
        status: "declined",
        reason: "canceled",
        card: null,
      };
    default:
      return undefined;
  }
}

/** Brand and last four of the charge's card, and nothing else of it. */
function cardOf(charge: Stripe.Charge | null): CardSummary {
  const card = charge?.payment_method_details?.card;
  return { brand: card?.brand ?? "unknown", last4: card?.last4 ?? "" };
}

/** A refund that gave the money back, or is giving it. */
export function given(refund: Stripe.Refund): boolean {
  return refund.status === "succeeded" || refund.status === "pending";
}

/** A refund Stripe made, as ours; one that ended without giving the money back throws. */
export function refunded(refund: Stripe.Refund): RefundOutcome {
  if (refund.status === "failed" || refund.status === "canceled") {
    // Not given back: the caller keeps trying (and, after a few tries, an operator looks).
    throw new Error(`Stripe refund ${refund.id} ended ${refund.status}`);
  }
  return { status: "refunded", refundId: refund.id };
}

/** Of several intents under one key (a key reused after Stripe forgot it: 24 h), the paid one. */
export function pick(intents: Stripe.PaymentIntent[]): Stripe.PaymentIntent | undefined {
  return intents.find((i) => i.status === "succeeded") ?? intents[0];
}
