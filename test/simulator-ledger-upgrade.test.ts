import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PaymentSimulator } from "../src/payments/payment-simulator.ts";

/**
 * A simulator ledger made before partial refunds (a developer's local database): its tables
 * lack refunded_minor and amount_minor, which CREATE TABLE IF NOT EXISTS does not add, so
 * the simulator adds them when it starts, and fills them in for the refunds already made.
 */

/** The ledger's tables as they were made before partial refunds. */
const SCHEMA_BEFORE = `
DROP TABLE IF EXISTS charges;
DROP TABLE IF EXISTS refunds;
CREATE TABLE charges (
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
CREATE TABLE refunds (
  refund_id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  payment_id TEXT,
  created_at TEXT NOT NULL
);
INSERT INTO charges VALUES
  ('pay_old_refunded', 'charge-1', 'booking_1', 2500, 'INR', 'visa', '1111', 'refunded', NULL, '2026-01-01T10:00:00.000Z', '2026-01-01T11:00:00.000Z'),
  ('pay_old_paid', 'charge-2', 'booking_2', 3000, 'INR', 'visa', '1111', 'succeeded', NULL, '2026-01-01T10:05:00.000Z', NULL);
INSERT INTO refunds VALUES
  ('re_old', 'refund:charge-1', 'pay_old_refunded', '2026-01-01T11:00:00.000Z'),
  ('re_none', 'refund:charge-9', NULL, '2026-01-01T11:05:00.000Z');
`;

describe("a simulator ledger made before partial refunds", () => {
  it("gains the refunded amounts when the simulator starts, and takes partial refunds of its charges", async () => {
    // A ledger of its own, so the shared one ("ledger") is left alone.
    const stub = env.PAYMENT_SIMULATOR.get(env.PAYMENT_SIMULATOR.idFromName("ledger-before"));
    await runInDurableObject(stub, async (_running: PaymentSimulator, state) => {
      state.storage.sql.exec(SCHEMA_BEFORE);
      // The simulator started again, on the old tables.
      const simulator = new PaymentSimulator(state, env);

      expect(await simulator.ledger()).toMatchObject([
        { payment_id: "pay_old_refunded", status: "refunded", refunded_minor: 2_500 },
        { payment_id: "pay_old_paid", status: "succeeded", refunded_minor: 0 },
      ]);
      expect(await simulator.refunds()).toEqual([
        {
          refund_id: "re_old",
          idempotency_key: "refund:charge-1",
          payment_id: "pay_old_refunded",
          amount_minor: 2_500,
          created_at: "2026-01-01T11:00:00.000Z",
        },
        {
          refund_id: "re_none",
          idempotency_key: "refund:charge-9",
          payment_id: null,
          amount_minor: 0,
          created_at: "2026-01-01T11:05:00.000Z",
        },
      ]);

      // An old key answers as it did; an old charge is refunded in part, then in full.
      expect(await simulator.refund("refund:charge-1", "charge-1")).toEqual({
        status: "refunded",
        refundId: "re_old",
      });
      expect((await simulator.refund("resale:charge-2:1", "charge-2", 1_000)).status).toBe(
        "refunded",
      );
      expect((await simulator.refund("refund:charge-2", "charge-2")).status).toBe("refunded");
      expect((await simulator.ledger())[1]).toMatchObject({
        status: "refunded",
        refunded_minor: 3_000,
      });

      // Started once more: the columns are there now, and nothing is filled in twice.
      const again = new PaymentSimulator(state, env);
      expect((await again.refunds()).map((r) => r.amount_minor)).toEqual([2_500, 0, 1_000, 2_000]);
      expect((await again.ledger()).map((c) => c.refunded_minor)).toEqual([2_500, 3_000]);
    });
  });
});
