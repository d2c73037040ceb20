import { type ApiFailure, failure } from "../../contract/api-failure.ts";
import type { ChargeOutcome } from "../../payments/payment-gateway.ts";

/** How a payment is refused to its buyer: the answers of show-payments.ts. */

/** 400 LOCK_EXPIRED: the lock was gone before the payment could start. */
export function lockGone(lockId: string): ApiFailure {
  return failure(400, "LOCK_EXPIRED", `lock ${lockId} has expired; lock the seats again`, {
    lock_id: lockId,
  });
}

/** 422 PAYMENT_FAILED: the provider did not say what happened; settled by refund, or to be. */
export function outcomeUnknown(timeout: boolean, settled: boolean): ApiFailure {
  return failure(
    422,
    "PAYMENT_FAILED",
    `${timeout ? "The payment provider did not answer in time" : "The payment provider failed"}; ${
      settled ? "you have not been charged" : "any charge will be refunded automatically"
    }`,
    {
      field: "payment_method",
      reason: timeout ? "gateway_timeout" : "gateway_error",
      settled,
    },
  );
}

/** 422 PAYMENT_FAILED: the provider's decline, with its code and the card's brand and last four. */
export function cardDeclined(outcome: Extract<ChargeOutcome, { status: "declined" }>): ApiFailure {
  return failure(
    422,
    "PAYMENT_FAILED",
    `The card was declined (${outcome.reason.replaceAll("_", " ")})`,
    {
      field: "payment_method",
      reason: outcome.reason,
      ...(outcome.declineCode ? { decline_code: outcome.declineCode } : {}),
      ...(outcome.card ? { card_brand: outcome.card.brand, card_last4: outcome.card.last4 } : {}),
    },
  );
}

/** 409 LOCK_EXPIRED: charged, but the lock no longer held its seats; the charge is given back. */
export function lockLost(lockId: string, refunded: boolean): ApiFailure {
  return failure(
    409,
    "LOCK_EXPIRED",
    `lock ${lockId} no longer holds its seats; the payment ${refunded ? "was" : "will be"} refunded`,
    { field: "lock_id", lock_id: lockId },
  );
}

/** 409 SHOW_CANCELLED for a payment that went through after its show was cancelled. */
export function paidAfterCancellation(showId: string, bookingId: string): ApiFailure {
  return failure(
    409,
    "SHOW_CANCELLED",
    `show ${showId} was cancelled while the payment was under way; the payment is being refunded`,
    { field: "show_id", show_id: showId, booking_id: bookingId, refund: "started" },
  );
}
