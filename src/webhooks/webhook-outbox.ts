import { webhookEndpointStub } from "../contract/object-stubs.ts";
import { newId } from "../lib/ids.ts";
import type { RidingRead } from "../show/d1/d1-outbox.ts";
import type { ShowLog } from "../show/show-log.ts";
import { migrateShowSchema } from "../show/storage/schema-migrations.ts";
import { activeWebhooksStatement, receivesEventsOf, webhooksOf } from "./webhook-d1.ts";
import type { EventData, WebhookEvent, WebhookEventType } from "./webhook-event-types.ts";

/**
 * A show object's outgoing webhook events (the show side of src/webhooks/). `record()`
 * stores an event in the object's SQLite; called inside the transaction of the change it
 * reports, the event exists exactly when the change does. `flush()` then hands each event
 * to the WebhookEndpoint object of every webhook subscribed to its type, in the order
 * recorded, and forgets it once all have it; what fails stays for the show's alarm. The
 * endpoints ignore an event id they already have, so a repeated hand-over is harmless.
 */

interface OutboxRow extends Record<string, SqlStorageValue> {
  seq: number;
  event_id: string;
  type: string;
  ordering_key: string;
  body: string;
  occurred_at: number;
}

/** Events handed over per round (one D1 read and one call per subscribed webhook). */
const BATCH_SIZE = 100;

export class WebhookOutbox {
  /** The currency amounts in events are in (the show's). */
  readonly currency: string;
  private flushing: Promise<boolean> | undefined;
  /**
   * The subscribers' read asked for by the latest record(), riding the show's next D1
   * batch. Asked for again by a record() after its batch went, so it is always sent after
   * every event recorded so far: as fresh for them as a read at hand-over time.
   */
  private subscribersRead: RidingRead | undefined;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly showId: string,
    /** The show's organization: only its webhooks (and the platform's) get its events. */
    private readonly orgOf: () => string,
    private readonly log: ShowLog,
    /** Asks the show's alarm to try again at this time. */
    private readonly retryAt: (at: number) => Promise<void>,
    /** Sends a D1 read in the show's next D1 outbox batch (D1Outbox.read()). */
    private readonly readD1: (statement: D1PreparedStatement) => RidingRead,
  ) {
    migrateShowSchema(ctx.storage.sql);
    this.currency = env.CURRENCY || "INR";
  }

  /**
   * Records an event. Call it inside the storage transaction of the change it reports
   * (`show.change({...})` or `show.transaction(() => {...})`): if that
   * transaction fails, the event is gone with it. `data` is the event's payload; a
   * `booking_id` in it makes the booking the unit of ordering, else the show is. The
   * hand-over to webhooks starts by itself once the current step has finished.
   */
  record(type: WebhookEventType, data: EventData, at = Date.now()): string {
    const eventId = newId("evt");
    const bookingId = data.booking_id;
    const orderingKey = typeof bookingId === "string" ? bookingId : `show:${this.showId}`;
    const body = JSON.stringify({ type, timestamp: new Date(at).toISOString(), data });
    this.ctx.storage.sql.exec(
      "INSERT INTO webhook_outbox (event_id, type, ordering_key, body, occurred_at) VALUES (?, ?, ?, ?, ?)",
      eventId,
      type,
      orderingKey,
      body,
      at,
    );
    if (!this.subscribersRead || this.subscribersRead.sent) {
      this.subscribersRead = this.readD1(activeWebhooksStatement(this.env.DB));
    }
    // After the transaction (a microtask runs once the synchronous step is over): a rolled
    // back event is not there to send.
    this.ctx.waitUntil(Promise.resolve().then(() => this.flushOrRetry()));
    return eventId;
  }

  /** Whether events wait to be handed over. */
  pending(): boolean {
    return this.ctx.storage.sql.exec("SELECT 1 FROM webhook_outbox LIMIT 1").toArray().length > 0;
  }

  /** Hands everything recorded to the subscribed webhooks; true when nothing is left. */
  flush(): Promise<boolean> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async flushOrRetry(): Promise<void> {
    if (!(await this.flush())) await this.retryAt(Date.now() + 5_000);
  }

  private async drain(): Promise<boolean> {
    const { sql } = this.ctx.storage;
    for (;;) {
      const rows = sql
        .exec<OutboxRow>("SELECT * FROM webhook_outbox ORDER BY seq LIMIT ?", BATCH_SIZE)
        .toArray();
      const last = rows.at(-1);
      if (!last) return true;
      try {
        const showOrg = this.orgOf();
        // Sent after every row read above was recorded (see subscribersRead).
        const read = this.subscribersRead ?? this.readD1(activeWebhooksStatement(this.env.DB));
        if (this.subscribersRead === read) this.subscribersRead = undefined;
        const subscribers = webhooksOf(await read.answer).filter((webhook) =>
          receivesEventsOf(webhook.orgId, showOrg),
        );
        await Promise.all(
          subscribers.map((webhook) => {
            // A webhook gets the events of its types that happened once it existed.
            const events: WebhookEvent[] = rows
              .filter((r) => webhook.events.includes(r.type) && r.occurred_at >= webhook.createdAt)
              .map((r) => ({
                eventId: r.event_id,
                type: r.type as WebhookEventType,
                orderingKey: r.ordering_key,
                body: r.body,
                occurredAt: r.occurred_at,
              }));
            if (events.length === 0) return undefined;
            return webhookEndpointStub(this.env, webhook.webhookId).accept(events);
          }),
        );
      } catch (err) {
        sql.exec("UPDATE webhook_outbox SET attempts = attempts + 1 WHERE seq <= ?", last.seq);
        this.log.write("warn", "webhook hand-over retry", {
          events: rows.length,
          message: err instanceof Error ? err.message : String(err),
        });
        return false;
      }
      sql.exec("DELETE FROM webhook_outbox WHERE seq <= ?", last.seq);
    }
  }
}
