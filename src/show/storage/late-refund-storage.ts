/**
 * Payments that went through after their booking had expired and whose seats were sold
 * meanwhile: each is refunded under its charge's refund key (`refund:<attempt key>`, one
 * refund per charge), and kept here with the refund's state, so the booking can show it
 * and the alarm can try again until the provider confirms it.
 */

export interface LateRefund {
  bookingId: string;
  chargeKey: string;
  paymentId: string;
  amountMinor: number;
  status: "pending" | "succeeded";
  refundId: string | null;
  /** Tries that failed so far. */
  attempts: number;
  nextTryAt: number;
  createdAt: number;
}

interface LateRefundRow extends Record<string, SqlStorageValue> {
  booking_id: string;
  charge_key: string;
  payment_id: string;
  amount_minor: number;
  status: "pending" | "succeeded";
  refund_id: string | null;
  attempts: number;
  next_try_at: number;
  created_at: number;
}

function toLateRefund(row: LateRefundRow): LateRefund {
  return {
    bookingId: row.booking_id,
    chargeKey: row.charge_key,
    paymentId: row.payment_id,
    amountMinor: row.amount_minor,
    status: row.status,
    refundId: row.refund_id,
    attempts: row.attempts,
    nextTryAt: row.next_try_at,
    createdAt: row.created_at,
  };
}

export class LateRefundStorage {
  constructor(private readonly sql: SqlStorage) {}

  /** Records the refund owed (once per charge: a second record is ignored). */
  owe(
    refund: Pick<LateRefund, "bookingId" | "chargeKey" | "paymentId" | "amountMinor">,
    at: number,
  ): void {
    this.sql.exec(
      `INSERT OR IGNORE INTO late_refunds (booking_id, charge_key, payment_id, amount_minor, status, next_try_at, created_at)
       VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
      refund.bookingId,
      refund.chargeKey,
      refund.paymentId,
      refund.amountMinor,
      at,
      at,
    );
  }

  refunded(chargeKey: string, refundId: string): void {
    this.sql.exec(
      "UPDATE late_refunds SET status = 'succeeded', refund_id = ? WHERE charge_key = ?",
      refundId,
      chargeKey,
    );
  }

  /** A try failed: the next is due at `nextTryAt`. */
  retried(chargeKey: string, nextTryAt: number): void {
    this.sql.exec(
      "UPDATE late_refunds SET attempts = attempts + 1, next_try_at = ? WHERE charge_key = ?",
      nextTryAt,
      chargeKey,
    );
  }

  find(chargeKey: string): LateRefund | undefined {
    const row = this.sql
      .exec<LateRefundRow>("SELECT * FROM late_refunds WHERE charge_key = ?", chargeKey)
      .toArray()[0];
    return row ? toLateRefund(row) : undefined;
  }

  /** The booking's latest late refund, if it has one. */
  ofBooking(bookingId: string): LateRefund | undefined {
    const row = this.sql
      .exec<LateRefundRow>(
        "SELECT * FROM late_refunds WHERE booking_id = ? ORDER BY created_at DESC LIMIT 1",
        bookingId,
      )
      .toArray()[0];
    return row ? toLateRefund(row) : undefined;
  }

  /** Refunds not confirmed yet, oldest first. */
  pending(): LateRefund[] {
    return this.sql
      .exec<LateRefundRow>(
        "SELECT * FROM late_refunds WHERE status = 'pending' ORDER BY created_at",
      )
      .toArray()
      .map(toLateRefund);
  }
}
