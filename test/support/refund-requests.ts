import type { RefundRequest } from "../../src/payments/payment-gateway.ts";

/** The refund requests the provider tests make of a gateway, by what asks for them. */

/** A resold seat's price back from the charge under `chargeKey`, under a key of the seat's own. */
export function resaleRefund(chargeKey: string, seat: number, amountMinor: number): RefundRequest {
  return {
    idempotencyKey: `resale:${chargeKey}:${seat}`,
    chargeIdempotencyKey: chargeKey,
    amountMinor,
  };
}

/** A cancellation's refund: what is left of the charge under `chargeKey` (no amount named). */
export function cancellationRefund(chargeKey: string): RefundRequest {
  return { idempotencyKey: `refund:${chargeKey}`, chargeIdempotencyKey: chargeKey };
}
