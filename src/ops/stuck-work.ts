/**
 * A show's unsettled work as operators see it in GET /v1/admin/status. Times are epoch ms;
 * ages are worked out when the status is read.
 */
export interface StuckWork {
  /** Charges under way or of unknown outcome (to be refunded under their key). */
  payments: { booking_id: string; charge_key: string; status: string; since: number }[];
  /** Cancellations whose refund has not gone through yet. */
  refunds: { booking_id: string; attempts: number; since: number; next_try_at: number }[];
  /** A cancelled show whose refunds are still going on (each is also in `refunds`). */
  cancellation: {
    reason: string;
    bookings: number;
    refunded: number;
    pending: number;
    cancelled_at: number;
  } | null;
  /** Rows waiting for D1. */
  outbox: { waiting: number; since: number | null };
  /** Statements D1 refused outright, set aside for a person. */
  dead_letters: { outbox_id: number; error: string; since: number }[];
}

export function isSettled(work: StuckWork): boolean {
  return (
    work.payments.length === 0 &&
    work.refunds.length === 0 &&
    !work.cancellation &&
    work.outbox.waiting === 0 &&
    work.dead_letters.length === 0
  );
}
