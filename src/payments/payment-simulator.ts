import { DurableObject } from "cloudflare:workers";
import { newId } from "../lib/ids.ts";
import { cardSummary, isExpired, passesLuhn } from "./card-checks.ts";
import type { CardDetails, CardSummary, DeclineReason } from "./payment-gateway.ts";

/**
 * A stand-in payment provider with a ledger of its own, so tests and the benchmark can
 * count real charges. One instance (`idFromName("ledger")`). It behaves like a provider's
 * sandbox: Luhn and expiry checks, idempotency keys, and test cards that decline, time out
 * or fail after charging. It keeps brand and last four digits, never the number or CVV.
 */

/** Test card numbers and what they do. Any other valid, unexpired card succeeds. */
export const TEST_CARDS = {
  success: "4111111111111111",
  successAlt: "4242424242424242",
  declined: "4000000000000002",
  insufficientFunds: "4000000000009995",
  /** The charge is made, but the answer comes only after the client has given up. */
  timeout: "4000000000000119",
  /** The charge is made, then the provider answers with an error. */
  failAfterCharge: "4000000000000259",
  /** Succeeds, but only after half the client's timeout: a payment that takes a while. */
  slow: "4000000000000077",
} as const;

interface SimulatedChargeInput {
  idempotencyKey: string;
  amountMinor: number;
  currency: string;
  card: CardDetails;
  reference: string;
  /** How long the timeout card stalls before answering. */
  stallMs: number;
}

export type SimulatedChargeReply =
  | { status: "succeeded"; paymentId: string; card: CardSummary; processedAt: string }
  | { status: "declined"; reason: DeclineReason; card: CardSummary }
  | { status: "error" };

export type LedgerCharge = {
  payment_id: string;
  idempotency_key: string;
  reference: string;
  amount_minor: number;
  currency: string;
  brand: string;
  last4: string;
  status: "succeeded" | "declined" | "refunded";
  decline_reason: string | null;
  created_at: string;
  refunded_at: string | null;
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS charges (
  payment_id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  reference TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  brand TEXT NOT NULL,
  last4 TEXT NOT NULL,
  status TEXT NOT NULL,
  decline_reason TEXT,
  created_at TEXT NOT NULL,
  refunded_at TEXT
);
CREATE TABLE IF NOT EXISTS refunds (
  refund_id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  payment_id TEXT,
  created_at TEXT NOT NULL
);
`;

export class PaymentSimulator extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  async charge(input: SimulatedChargeInput): Promise<SimulatedChargeReply> {
    const sql = this.ctx.storage.sql;
    const previous = sql
      .exec<LedgerCharge>("SELECT * FROM charges WHERE idempotency_key = ?", input.idempotencyKey)
      .toArray()[0];
    if (previous) return replyFor(previous);

    const digits = input.card.card_number.replace(/\D/g, "");
    const card = cardSummary(input.card);
    const decline = declineReason(digits, input.card);
    const now = new Date().toISOString();
    const paymentId = newId("pay");
    sql.exec(
      `INSERT INTO charges (payment_id, idempotency_key, reference, amount_minor, currency, brand, last4, status, decline_reason, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      paymentId,
      input.idempotencyKey,
      input.reference,
      input.amountMinor,
      input.currency,
      card.brand,
      card.last4,
      decline ? "declined" : "succeeded",
      decline ?? null,
      now,
    );
    if (decline) return { status: "declined", reason: decline, card };
    if (digits === TEST_CARDS.timeout || digits === TEST_CARDS.slow) {
      const stall = digits === TEST_CARDS.timeout ? input.stallMs : input.stallMs / 6;
      await new Promise((resolve) => setTimeout(resolve, stall));
    }
    if (digits === TEST_CARDS.failAfterCharge) return { status: "error" };
    return { status: "succeeded", paymentId, card, processedAt: now };
  }

  /** Refunds the charge made under `chargeIdempotencyKey`, once per refund key. */
  async refund(
    idempotencyKey: string,
    chargeIdempotencyKey: string,
  ): Promise<{ status: "refunded"; refundId: string } | { status: "no_charge" }> {
    const sql = this.ctx.storage.sql;
    const done = sql
      .exec<{ refund_id: string; payment_id: string | null }>(
        "SELECT refund_id, payment_id FROM refunds WHERE idempotency_key = ?",
        idempotencyKey,
      )
      .toArray()[0];
    if (done) {
      return done.payment_id
        ? { status: "refunded", refundId: done.refund_id }
        : { status: "no_charge" };
    }
    const charge = sql
      .exec<LedgerCharge>(
        "SELECT * FROM charges WHERE idempotency_key = ? AND status = 'succeeded'",
        chargeIdempotencyKey,
      )
      .toArray()[0];
    const refundId = newId("re");
    const now = new Date().toISOString();
    sql.exec(
      "INSERT INTO refunds (refund_id, idempotency_key, payment_id, created_at) VALUES (?, ?, ?, ?)",
      refundId,
      idempotencyKey,
      charge?.payment_id ?? null,
      now,
    );
    if (!charge) return { status: "no_charge" };
    sql.exec(
      "UPDATE charges SET status = 'refunded', refunded_at = ? WHERE payment_id = ?",
      now,
      charge.payment_id,
    );
    return { status: "refunded", refundId };
  }

  /** The whole ledger, oldest first: what tests and the benchmark check invariants against. */
  /** The charge made under `idempotencyKey`, as its first answer said; undefined if none. */
  async find(idempotencyKey: string): Promise<SimulatedChargeReply | undefined> {
    const charge = this.ctx.storage.sql
      .exec<LedgerCharge>("SELECT * FROM charges WHERE idempotency_key = ?", idempotencyKey)
      .toArray()[0];
    return charge ? replyFor(charge) : undefined;
  }

  async ledger(): Promise<LedgerCharge[]> {
    return this.ctx.storage.sql
      .exec<LedgerCharge>("SELECT * FROM charges ORDER BY created_at, payment_id")
      .toArray();
  }
}

function declineReason(digits: string, card: CardDetails): DeclineReason | undefined {
  if (!passesLuhn(digits)) return "invalid_card_number";
  if (isExpired(card, new Date())) return "expired_card";
  if (!/^\d{3,4}$/.test(card.cvv)) return "invalid_cvv";
  if (digits === TEST_CARDS.declined) return "card_declined";
  if (digits === TEST_CARDS.insufficientFunds) return "insufficient_funds";
  return undefined;
}

function replyFor(charge: LedgerCharge): SimulatedChargeReply {
  const card = { brand: charge.brand, last4: charge.last4 };
  if (charge.status === "declined") {
    return {
      status: "declined",
      reason: (charge.decline_reason ?? "card_declined") as DeclineReason,
      card,
    };
  }
  return {
    status: "succeeded",
    paymentId: charge.payment_id,
    card,
    processedAt: charge.created_at,
  };
}
