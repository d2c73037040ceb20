/**
 * The payment gateway calls a show's bookings made, in its object's SQLite: one row per
 * charge, under the charge's own idempotency key, with what became of it. An attempt that
 * is `charging` or `unknown` is open: the alarm settles it if nobody is waiting on it. One
 * that is `requires_action` waits for the buyer in the provider's page: the provider's
 * webhook (or the alarm, asking the provider) settles it.
 */

export type AttemptStatus =
  | "charging"
  | "requires_action"
  | "succeeded"
  | "declined"
  | "unknown"
  | "refunded"
  | "no_charge";

/** One call to the payment gateway's charge, under its own idempotency key. */
export interface PaymentAttempt {
  chargeKey: string;
  bookingId: string;
  lockId: string;
  amountMinor: number;
  status: AttemptStatus;
  startedAt: number;
  /** The provider's payment (Stripe's PaymentIntent, Razorpay's order), once known. */
  paymentId?: string | null;
  /** When the provider was last asked about a payment waiting for the buyer. */
  checkedAt?: number | null;
}

interface AttemptRow extends Record<string, SqlStorageValue> {
  charge_key: string;
  booking_id: string;
  lock_id: string;
  amount_minor: number;
  status: AttemptStatus;
  started_at: number;
  payment_id: string | null;
  checked_at: number | null;
}

function toAttempt(row: AttemptRow): PaymentAttempt {
  return {
    chargeKey: row.charge_key,
    bookingId: row.booking_id,
    lockId: row.lock_id,
    amountMinor: row.amount_minor,
    status: row.status,
    startedAt: row.started_at,
    paymentId: row.payment_id,
    checkedAt: row.checked_at,
  };
}

export class AttemptStorage {
  constructor(private readonly sql: SqlStorage) {}

  insertAttempt(attempt: PaymentAttempt): void {
    this.sql.exec(
      "INSERT INTO payment_attempts (charge_key, booking_id, lock_id, amount_minor, status, started_at) VALUES (?, ?, ?, ?, ?, ?)",
      attempt.chargeKey,
      attempt.bookingId,
      attempt.lockId,
      attempt.amountMinor,
      attempt.status,
      attempt.startedAt,
    );
  }

  setAttemptStatus(chargeKey: string, status: AttemptStatus): void {
    this.sql.exec("UPDATE payment_attempts SET status = ? WHERE charge_key = ?", status, chargeKey);
  }

  /**
   * Settles an attempt, but only from one of `from` (by default any status not settled
   * yet): one that moved on meanwhile (confirmed by the provider's webhook while its
   * refund was awaited) is left as it is.
   */
  settleAttempt(
    chargeKey: string,
    status: AttemptStatus,
    from: readonly AttemptStatus[] = ["charging", "unknown", "requires_action"],
  ): void {
    this.sql.exec(
      `UPDATE payment_attempts SET status = ? WHERE charge_key = ? AND status IN (${from.map(() => "?").join(", ")})`,
      status,
      chargeKey,
      ...from,
    );
  }

  /** The charge waits for the buyer: the provider's payment is `paymentId`. */
  awaitAction(chargeKey: string, paymentId: string, at: number): void {
    this.sql.exec(
      "UPDATE payment_attempts SET status = 'requires_action', payment_id = ?, checked_at = ? WHERE charge_key = ?",
      paymentId,
      at,
      chargeKey,
    );
  }

  /** The provider was asked about a waiting payment at `at` (and it still waits). */
  checked(chargeKey: string, at: number): void {
    this.sql.exec("UPDATE payment_attempts SET checked_at = ? WHERE charge_key = ?", at, chargeKey);
  }

  /** Attempts waiting for the buyer in the provider's page, oldest first. */
  waitingAttempts(): PaymentAttempt[] {
    return this.sql
      .exec<AttemptRow>(
        "SELECT * FROM payment_attempts WHERE status = 'requires_action' ORDER BY started_at",
      )
      .toArray()
      .map(toAttempt);
  }

  /** The booking's attempt waiting for the buyer, if any. */
  waitingAttemptOf(bookingId: string): PaymentAttempt | undefined {
    const row = this.sql
      .exec<AttemptRow>(
        "SELECT * FROM payment_attempts WHERE booking_id = ? AND status = 'requires_action'",
        bookingId,
      )
      .toArray()[0];
    return row ? toAttempt(row) : undefined;
  }

  findAttempt(chargeKey: string): PaymentAttempt | undefined {
    const row = this.sql
      .exec<AttemptRow>("SELECT * FROM payment_attempts WHERE charge_key = ?", chargeKey)
      .toArray()[0];
    return row ? toAttempt(row) : undefined;
  }

  attemptsOf(bookingId: string): PaymentAttempt[] {
    return this.sql
      .exec<AttemptRow>(
        "SELECT * FROM payment_attempts WHERE booking_id = ? ORDER BY started_at",
        bookingId,
      )
      .toArray()
      .map(toAttempt);
  }

  /** Attempts whose outcome is not settled: charging, or unknown after a timeout. */
  openAttempts(): PaymentAttempt[] {
    return this.sql
      .exec<AttemptRow>("SELECT * FROM payment_attempts WHERE status IN ('charging', 'unknown')")
      .toArray()
      .map(toAttempt);
  }
}
