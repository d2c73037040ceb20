import {
  type CardSummary,
  type ChargeOutcome,
  type ChargeRequest,
  type PaymentGateway,
  PaymentOutcomeUnknown,
  type RefundOutcome,
  type RefundRequest,
  refundDone,
} from "./payment-gateway.ts";
import {
  isMissing,
  notesOf,
  RazorpayClient,
  type RazorpayCollection,
  type RazorpayOrder,
  type RazorpayPayment,
  type RazorpayRefund,
  RazorpayRequestRefused,
  sha256Hex,
} from "./razorpay-api.ts";

/**
 * The Razorpay provider (PAYMENT_PROVIDER = "razorpay"), over Razorpay's REST API with
 * plain fetch (razorpay-api.ts).
 *
 * - A charge is ONE Order per attempt: the browser opens Razorpay Checkout with its id, the
 *   buyer pays there, the payment is captured automatically, and the outcome comes by
 *   webhook (payment.captured, order.paid) or by retrieve. Razorpay has no idempotency key
 *   for orders, so the order carries the attempt: `receipt` is a hash of the attempt key
 *   (receipts are at most 40 characters) and `notes` hold our booking id and the attempt
 *   key itself. Before creating, the charge looks for an order of that receipt (the list of
 *   orders filters by receipt), so a retried attempt finds its order instead of making a
 *   second one. Should the list not show an order made a moment ago, the retry makes a
 *   second order: harmless, since only an order whose id reached a browser can be paid,
 *   and every lookup reads all the orders of the receipt and prefers the paid one.
 * - An order stays payable until one of its payments is captured: a failed payment is not
 *   the end (Checkout offers a retry on the same order, and Razorpay documents a
 *   payment.failed followed by payment.captured for late authorisations), and an order can
 *   be neither cancelled nor expired through the API. So an unpaid order is `requires_action`
 *   for `checkoutWindowSeconds` after it was made (the show object's hold of the seats,
 *   PAYMENT_ACTION_HOLD_SECONDS), and `declined` after that: by then we have given the seats
 *   up, and a payment that still comes is refunded (its webhook finds no booking to pay).
 * - A payment authorised but not captured should not last with automatic capture (Razorpay
 *   captures it, or refunds it when capture is late): the outcome is unknown until then, and
 *   nothing captures it from here.
 * - A refund gives back the captured payment in full, under the `X-Refund-Idempotency`
 *   header (a hash of our refund key, in the characters Razorpay accepts), so a retried
 *   refund is one refund; a payment already refunded in full answers with that refund.
 * - Of the card, only the network and last four digits are kept.
 */

export interface RazorpayGatewayConfig {
  /** The API key id (`rzp_live_...`, `rzp_test_...`) and its secret. */
  keyId: string;
  keySecret: string;
  /** Razorpay's origin, no path: https://api.razorpay.com unless a stand-in answers instead. */
  apiBase?: string;
  /** How long one request to Razorpay may take, answer body included (ms). */
  timeoutMs?: number;
  /** How long after its creation an unpaid order still waits for the buyer (seconds). */
  checkoutWindowSeconds?: number;
}

const DEFAULT_API_BASE = "https://api.razorpay.com";
const DEFAULT_TIMEOUT_MS = 10_000;
/** wrangler.toml's PAYMENT_ACTION_HOLD_SECONDS. */
const DEFAULT_CHECKOUT_WINDOW_S = 900;

/** An attempt's order and every payment made against it. */
interface Attempt {
  order: RazorpayOrder;
  payments: RazorpayPayment[];
}

export class RazorpayGateway implements PaymentGateway {
  readonly provider = "razorpay" as const;
  private readonly api: RazorpayClient;
  private readonly checkoutWindowSeconds: number;

  constructor(config: RazorpayGatewayConfig) {
    if (!config.keyId || !config.keySecret) {
      throw new Error("RazorpayGateway: a key id and a key secret are required");
    }
    this.api = new RazorpayClient({
      keyId: config.keyId,
      keySecret: config.keySecret,
      apiBase: config.apiBase ?? DEFAULT_API_BASE,
      timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    this.checkoutWindowSeconds = config.checkoutWindowSeconds ?? DEFAULT_CHECKOUT_WINDOW_S;
  }

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    const { method } = request;
    if (method.kind !== "checkout" || method.provider !== "razorpay") {
      // Card fields and other providers' tokens never go to Razorpay from our server.
      throw new RazorpayRequestRefused(
        undefined,
        {},
        "the Razorpay gateway takes payments in Razorpay Checkout, not card fields or tokens",
      );
    }
    const currency = request.currency.toUpperCase();
    const found = await this.findByAttemptKey(request.idempotencyKey);
    if (found) {
      if (found.order.amount !== request.amountMinor || found.order.currency !== currency) {
        // One attempt key, two amounts: a bug on our side, and the order must not be reused.
        throw new Error(
          `Razorpay order ${found.order.id} of this attempt is for ${found.order.amount} ${found.order.currency}, not ${request.amountMinor} ${currency}`,
        );
      }
      return this.known(found);
    }
    let order: RazorpayOrder;
    try {
      order = await this.api.post<RazorpayOrder>("/v1/orders", {
        amount: request.amountMinor,
        currency,
        receipt: await receiptOf(request.idempotencyKey),
        notes: { booking_id: request.reference, attempt_key: request.idempotencyKey },
      });
    } catch (err) {
      // Razorpay's docs call receipts unique without documenting a refusal; should it refuse
      // ours as taken, an order of this attempt exists that the list did not show yet.
      if (err instanceof RazorpayRequestRefused && /receipt/i.test(err.description)) {
        const again = await this.findByAttemptKey(request.idempotencyKey);
        if (again) return this.known(again);
        throw new PaymentOutcomeUnknown("provider_error");
      }
      throw err;
    }
    return waiting(order);
  }

  async retrieve(idempotencyKey: string, paymentId?: string): Promise<ChargeOutcome | undefined> {
    const attempt = await this.findAttempt(idempotencyKey, paymentId);
    return attempt ? this.known(attempt) : undefined;
  }

  /**
   * Gives back what the attempt paid, once per refund key: the captured payment of its order
   * (`paymentId`, a `pay_` or `order_` id, when given; else the order found by the attempt
   * key), by `amountMinor`, or in full (what is left of it) without one. An order with
   * nothing captured charged nothing, and there is nothing to cancel on an order: no_charge.
   */
  async refund(request: RefundRequest): Promise<RefundOutcome> {
    const attempt = await this.findAttempt(request.chargeIdempotencyKey, request.paymentId);
    if (!attempt) return { status: "no_charge" };
    const captured = attempt.payments.find(isCaptured);
    if (captured) return this.refundPayment(captured, request);
    // Authorised, soon captured (or refunded by Razorpay): ask again later.
    if (attempt.payments.some((p) => p.status === "authorized")) {
      throw new PaymentOutcomeUnknown("provider_error");
    }
    return { status: "no_charge" };
  }

  private async refundPayment(
    payment: RazorpayPayment,
    request: RefundRequest,
  ): Promise<RefundOutcome> {
    const { idempotencyKey: refundKey, amountMinor } = request;
    if (amountMinor !== undefined) {
      // Unlike a second full refund, a second partial one is not refused: a key asked again
      // after Razorpay has let it go finds its refund by the notes it carries.
      const mine = (await this.refundsOf(payment.id)).find(
        (r) => r.status !== "failed" && notesOf(r.notes).refund_key === refundKey,
      );
      if (mine) return refundDone(refundKey, mine, amountMinor);
    }
    // Partly refunded ("partial"): what is left can still be refunded.
    if (payment.refund_status !== "full") {
      try {
        // No amount: the whole payment (what is left of it). The body never changes between
        // retries of a key, as Razorpay's idempotency requires. More than is left is refused
        // (a 400, thrown).
        const refund = await this.api.post<RazorpayRefund>(
          `/v1/payments/${payment.id}/refund`,
          {
            ...(amountMinor === undefined ? {} : { amount: amountMinor }),
            notes: { refund_key: refundKey },
          },
          { "X-Refund-Idempotency": await refundIdempotencyKey(refundKey) },
        );
        return refunded(refund);
      } catch (err) {
        if (!(err instanceof RazorpayRequestRefused && /fully refunded/i.test(err.description))) {
          throw err;
        }
      }
    }
    // Refunded in full already (under this key or another): that refund is the answer.
    const given = (await this.refundsOf(payment.id)).filter((r) => r.status !== "failed");
    const done = given.find((r) => notesOf(r.notes).refund_key === refundKey) ?? given[0];
    if (!done) throw new PaymentOutcomeUnknown("provider_error");
    return { status: "refunded", refundId: done.id };
  }

  /** The payment's refunds (the first 100: more than a booking's seats can make). */
  private async refundsOf(paymentId: string): Promise<RazorpayRefund[]> {
    const refunds = await this.api.get<RazorpayCollection<RazorpayRefund>>(
      `/v1/payments/${paymentId}/refunds`,
      { count: "100" },
    );
    return refunds.items;
  }

  /** The attempt's outcome; PaymentOutcomeUnknown while it cannot be told. */
  private async known(attempt: Attempt): Promise<ChargeOutcome> {
    const { order, payments } = attempt;
    const captured = payments.find(isCaptured);
    if (captured) {
      return {
        status: "succeeded",
        paymentId: captured.id,
        card: await this.cardOf(captured),
        processedAt: new Date(captured.created_at * 1000).toISOString(),
      };
    }
    // Authorised and not yet captured, or an order paid whose payment we do not see.
    if (order.status === "paid" || payments.some((p) => p.status === "authorized")) {
      throw new PaymentOutcomeUnknown("provider_error");
    }
    const ageSeconds = Date.now() / 1000 - order.created_at;
    if (ageSeconds < this.checkoutWindowSeconds) return waiting(order);
    const lastFailure = payments
      .filter((p) => p.status === "failed")
      .sort((a, b) => b.created_at - a.created_at)[0];
    if (!lastFailure) return { status: "declined", reason: "checkout_expired", card: null };
    return {
      status: "declined",
      reason: lastFailure.error_reason || "payment_failed",
      card: lastFailure.method === "card" ? await this.cardOf(lastFailure) : null,
    };
  }

  /** The card's network and last four; for other methods (upi, netbanking) the method. */
  private async cardOf(payment: RazorpayPayment): Promise<CardSummary> {
    if (payment.method !== "card") return { brand: payment.method, last4: "" };
    let card = payment.card;
    if (!card) {
      const full = await this.api.get<RazorpayPayment>(`/v1/payments/${payment.id}`, {
        "expand[]": "card",
      });
      card = full.card;
    }
    if (!card) return { brand: "card", last4: "" };
    return { brand: card.network.toLowerCase(), last4: String(card.last4).padStart(4, "0") };
  }

  /**
   * The attempt: by its order (`order_...`) or one of its payments (`pay_...`) when the id
   * is known, else by the attempt key.
   */
  private async findAttempt(attemptKey: string, paymentId?: string): Promise<Attempt | undefined> {
    if (!paymentId) return this.findByAttemptKey(attemptKey);
    try {
      let orderId = paymentId;
      if (paymentId.startsWith("pay_")) {
        const payment = await this.api.get<RazorpayPayment>(`/v1/payments/${paymentId}`);
        // Checkout always pays an order: a payment without one is none of ours.
        if (!payment.order_id) return undefined;
        orderId = payment.order_id;
      }
      const order = await this.api.get<RazorpayOrder>(`/v1/orders/${orderId}`);
      return { order, payments: await this.paymentsOf(order.id) };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /**
   * The order(s) of the attempt's receipt, with their payments (and cards) in the same
   * answer; the one whose notes carry the attempt key, a paid one first (see the top).
   */
  private async findByAttemptKey(attemptKey: string): Promise<Attempt | undefined> {
    const found = await this.api.get<RazorpayCollection<RazorpayOrder>>("/v1/orders", {
      receipt: await receiptOf(attemptKey),
      count: "100",
      "expand[]": "payments.card",
    });
    const attempts: Attempt[] = [];
    for (const order of found.items) {
      if (notesOf(order.notes).attempt_key !== attemptKey) continue;
      const payments = order.payments?.items ?? (await this.paymentsOf(order.id));
      attempts.push({ order, payments });
    }
    return (
      attempts.find((a) => a.payments.some(isCaptured)) ??
      attempts.find((a) => a.payments.some((p) => p.status === "authorized")) ??
      attempts[0]
    );
  }

  private async paymentsOf(orderId: string): Promise<RazorpayPayment[]> {
    const payments = await this.api.get<RazorpayCollection<RazorpayPayment>>(
      `/v1/orders/${orderId}/payments`,
    );
    return payments.items;
  }
}

/** Captured (and maybe refunded since): money was taken. */
function isCaptured(payment: RazorpayPayment): boolean {
  return payment.status === "captured" || (payment.status === "refunded" && payment.captured);
}

/** The buyer pays in Razorpay Checkout, which opens with the order id. */
function waiting(order: RazorpayOrder): ChargeOutcome {
  return { status: "requires_action", paymentId: order.id, clientSecret: order.id };
}

function refunded(refund: RazorpayRefund): RefundOutcome {
  if (refund.status === "failed") {
    // Not given back: the caller keeps trying (and, after a few tries, an operator looks).
    throw new Error(`Razorpay refund ${refund.id} failed`);
  }
  return { status: "refunded", refundId: refund.id };
}

/** The order's receipt: 40 characters at most, so a hash of the attempt key, not the key. */
export async function receiptOf(attemptKey: string): Promise<string> {
  return `at_${(await sha256Hex(attemptKey)).slice(0, 37)}`;
}

/** X-Refund-Idempotency: 10 or more of [A-Za-z0-9_-], so a hash of our refund key. */
export async function refundIdempotencyKey(refundKey: string): Promise<string> {
  return `rf_${(await sha256Hex(refundKey)).slice(0, 40)}`;
}
