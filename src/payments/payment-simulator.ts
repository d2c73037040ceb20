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
  /** Given back so far, by full and partial refunds. */
  refunded_minor: number;
  /** When refunded_minor reached amount_minor (the charge is then `refunded`). */
  refunded_at: string | null;
};

/**
 * One refund key's answer. `payment_id` null: the key found no charge to give back
 * (`no_charge`), and `amount_minor` is 0.
 */
export type LedgerRefund = {
  refund_id: string;
  idempotency_key: string;
  payment_id: string | null;
  amount_minor: number;
  created_at: string;
};

/**
 * What a refund key got: as RefundOutcome, or `refused` (nothing given back, nothing kept
 * under the key) for an amount the charge does not hold, or a key asked again for another
 * amount; Stripe refuses both, and the gateway throws them.
 */
export type SimulatedRefundReply =
  | { status: "refunded"; refundId: string }
  | { status: "no_charge" }
  | { status: "refused"; message: string };

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
  refunded_minor INTEGER NOT NULL DEFAULT 0,
  refunded_at TEXT
);
CREATE TABLE IF NOT EXISTS refunds (
  refund_id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  payment_id TEXT,
  amount_minor INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
`;

/**
 * Columns added since the tables were first made, for a ledger made before them (CREATE
 * TABLE IF NOT EXISTS leaves an existing table as it is). `backfill` runs once, when the
 * column is added: before partial refunds every refund gave back the whole charge.
 */
const ADDED_COLUMNS = [
  {
    table: "charges",
    column: "refunded_minor",
    definition: "INTEGER NOT NULL DEFAULT 0",
    backfill: "UPDATE charges SET refunded_minor = amount_minor WHERE status = 'refunded'",
  },
  {
    table: "refunds",
    column: "amount_minor",
    definition: "INTEGER NOT NULL DEFAULT 0",
    backfill: `UPDATE refunds SET amount_minor = (
      SELECT c.amount_minor FROM charges c WHERE c.payment_id = refunds.payment_id
    ) WHERE payment_id IS NOT NULL`,
  },
] as const;

export class PaymentSimulator extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.transactionSync(() => {
      ctx.storage.sql.exec(SCHEMA);
      addMissingColumns(ctx.storage.sql);
    });
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

  /**
   * Gives back `amountMinor` of the charge made under `chargeIdempotencyKey` (all it still
   * holds when absent), once per refund key: the key answers as it first did. A charge
   * stays `succeeded` while part of it is left, and is `refunded` once all of it is given
   * back. One that was declined, never made, or holds nothing any more: `no_charge`.
   */
  async refund(
    idempotencyKey: string,
    chargeIdempotencyKey: string,
    amountMinor?: number,
  ): Promise<SimulatedRefundReply> {
    const sql = this.ctx.storage.sql;
    const done = sql
      .exec<LedgerRefund>("SELECT * FROM refunds WHERE idempotency_key = ?", idempotencyKey)
      .toArray()[0];
    if (done) {
      if (!done.payment_id) return { status: "no_charge" };
      // Stripe refuses a key sent again with other parameters (idempotency_error): one key
      // for two amounts is a bug of the caller's, not a refund to replay.
      if (amountMinor !== undefined && amountMinor !== done.amount_minor) {
        return refused(
          `refund key ${idempotencyKey} gave back ${done.amount_minor}, and is asked again for ${amountMinor}`,
        );
      }
      return { status: "refunded", refundId: done.refund_id };
    }
    if (amountMinor !== undefined && !(Number.isInteger(amountMinor) && amountMinor > 0)) {
      return refused(
        `a refund's amount is a whole number of minor units above 0, not ${amountMinor}`,
      );
    }
    const charge = sql
      .exec<LedgerCharge>(
        "SELECT * FROM charges WHERE idempotency_key = ? AND status = 'succeeded'",
        chargeIdempotencyKey,
      )
      .toArray()[0];
    const left = charge ? charge.amount_minor - charge.refunded_minor : 0;
    const amount = amountMinor ?? left;
    if (charge && amount > left) {
      // Stripe's amount_too_large: nothing is given back, and the key keeps nothing, so a
      // caller that asks again keeps being refused (and its retries say why).
      return refused(
        `refund of ${amount} is more than the ${left} left of charge ${charge.payment_id}`,
      );
    }
    const refundId = newId("re");
    const now = new Date().toISOString();
    sql.exec(
      "INSERT INTO refunds (refund_id, idempotency_key, payment_id, amount_minor, created_at) VALUES (?, ?, ?, ?, ?)",
      refundId,
      idempotencyKey,
      charge?.payment_id ?? null,
      charge ? amount : 0,
      now,
    );
    if (!charge) return { status: "no_charge" };
    const all = amount === left;
    sql.exec(
      `UPDATE charges SET refunded_minor = refunded_minor + ?, status = ?, refunded_at = ?
       WHERE payment_id = ?`,
      amount,
      all ? "refunded" : "succeeded",
      all ? now : null,
      charge.payment_id,
    );
    return { status: "refunded", refundId };
  }

  /** The charge made under `idempotencyKey`, as its first answer said; undefined if none. */
  async find(idempotencyKey: string): Promise<SimulatedChargeReply | undefined> {
    const charge = this.ctx.storage.sql
      .exec<LedgerCharge>("SELECT * FROM charges WHERE idempotency_key = ?", idempotencyKey)
      .toArray()[0];
    return charge ? replyFor(charge) : undefined;
  }

  /** The whole ledger, oldest first: what tests and the benchmark check invariants against. */
  async ledger(): Promise<LedgerCharge[]> {
    return this.ctx.storage.sql
      .exec<LedgerCharge>("SELECT * FROM charges ORDER BY created_at, payment_id")
      .toArray();
  }

  /** Every refund key's answer, oldest first: how often, and how much, a charge was refunded. */
  async refunds(): Promise<LedgerRefund[]> {
    return this.ctx.storage.sql
      .exec<LedgerRefund>(
        "SELECT refund_id, idempotency_key, payment_id, amount_minor, created_at FROM refunds ORDER BY created_at, rowid",
      )
      .toArray();
  }
}

function addMissingColumns(sql: SqlStorage): void {
  for (const { table, column, definition, backfill } of ADDED_COLUMNS) {
    const columns = sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray();
    if (columns.some((c) => c.name === column)) continue;
    sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
    sql.exec(backfill);
  }
}

function refused(message: string): SimulatedRefundReply {
  return { status: "refused", message };
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
