import type { ProviderEvent } from "../../contract/provider-events.ts";

/** The payment provider's webhook events the object has seen (table provider_events). */
export class ProviderEventStorage {
  constructor(private readonly sql: SqlStorage) {}

  /** Records the event; false when its id was seen before (a repeated delivery). */
  record(event: ProviderEvent, now: number): boolean {
    const inserted = this.sql.exec(
      `INSERT INTO provider_events (event_id, type, payment_id, received_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (event_id) DO NOTHING`,
      event.eventId,
      event.type,
      event.paymentId,
      now,
    );
    return inserted.rowsWritten > 0;
  }
}
