import { DurableObject } from "cloudflare:workers";
import { logLine } from "../observability/log.ts";
import {
  type Delivery,
  type DeliveryCounts,
  type DeliveryStatus,
  DeliveryStorage,
} from "./delivery-storage.ts";
import type { WebhookEvent, WebhookEventType } from "./webhook-event-types.ts";
import { RETRY_WINDOW_MS, sendOnce, webhookRetryDelay } from "./webhook-sender.ts";

/** Open deliveries tried at once (each to a different booking or show). */
const PARALLEL = 10;
/** Tries one alarm run makes at most before handing over to the next run. */
const TRIES_PER_RUN = 200;
/** If a run dies mid-way, the alarm comes back after this long. */
const SAFETY_NET_MS = 60_000;

/** One delivery as GET /v1/webhooks/{id}/deliveries shows it. */
export interface DeliveryView {
  event_id: string;
  type: WebhookEventType;
  status: DeliveryStatus;
  occurred_at: string;
  attempts: number;
  last_attempt_at: string | null;
  last_response_status: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  done_at: string | null;
  recent_attempts: {
    at: string;
    response_status: number | null;
    error: string | null;
    duration_ms: number;
  }[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * One per webhook (`idFromName(webhook_id)`): the single sender to its URL. Show objects
 * hand it their events (accept); it keeps each as a delivery in SQLite and sends them from
 * its alarm, armed for the earliest due try: signed per attempt, retried with backoff
 * (webhook-sender.ts) for 24 h, each booking's (or show's) events one after another, in
 * the order they happened. The signing secret lives only here.
 */
export class WebhookEndpoint extends DurableObject<Env> {
  private readonly store: DeliveryStorage;
  private running: Promise<void> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new DeliveryStorage(ctx.storage.sql);
  }

  /** Sets the webhook up (POST /v1/webhooks); repeating it changes nothing. */
  async configure(webhookId: string, url: string, secret: string): Promise<void> {
    this.store.configure(webhookId, url, secret);
  }

  /** Takes events to deliver; ids already held are ignored. */
  async accept(events: WebhookEvent[]): Promise<number> {
    const endpoint = this.store.endpoint();
    if (!endpoint || endpoint.disabled_at !== null) return 0;
    const now = Date.now();
    const added = this.store.accept(events, now);
    if (added > 0) await this.arm(now);
    return added;
  }

  /**
   * Deleted: pending deliveries are cancelled, nothing more is sent, and the alarm is left
   * only to forget the deliveries once they are past their keeping time.
   */
  async disable(): Promise<void> {
    this.store.disable(Date.now());
    await this.rearm();
  }

  /** What is waiting, failing or given up (DeliveryCounts), for GET /v1/admin/status. */
  async backlog(): Promise<DeliveryCounts> {
    return this.store.counts();
  }

  async deliveries(limit: number): Promise<DeliveryView[]> {
    return this.store.recent(limit, 5).map(({ delivery: d, attempts }) => ({
      event_id: d.event_id,
      // Only types of WEBHOOK_EVENT_TYPES are ever accepted.
      type: d.type as WebhookEventType,
      status: d.status,
      occurred_at: new Date(d.occurred_at).toISOString(),
      attempts: d.attempts,
      last_attempt_at: iso(d.last_attempt_at),
      last_response_status: d.last_response_status,
      last_error: d.last_error,
      next_attempt_at: d.status === "pending" ? iso(d.next_attempt_at) : null,
      done_at: iso(d.done_at),
      recent_attempts: attempts.map((a) => ({
        at: new Date(a.at).toISOString(),
        response_status: a.response_status,
        error: a.error,
        duration_ms: a.duration_ms,
      })),
    }));
  }

  override async alarm(): Promise<void> {
    // A run already under way (an alarm and a test's or a retry's run at once) is waited
    // for, then this one looks again: no delivery is tried twice at the same moment.
    while (this.running) await this.running;
    this.running = this.deliverDue().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  private async deliverDue(): Promise<void> {
    const endpoint = this.store.endpoint();
    if (!endpoint) return;
    if (endpoint.disabled_at === null) {
      await this.ctx.storage.setAlarm(Date.now() + SAFETY_NET_MS);
      let tries = 0;
      for (;;) {
        const heads = this.store.dueHeads(Date.now(), PARALLEL);
        if (heads.length === 0 || tries >= TRIES_PER_RUN) break;
        tries += heads.length;
        await Promise.all(heads.map((delivery) => this.tryOnce(endpoint, delivery)));
      }
    }
    this.store.prune(Date.now());
    await this.rearm();
  }

  /**
   * Arms the alarm for the next due try or, when none is due sooner, for the next clean-up
   * of finished deliveries: without it, a webhook that stops getting events would keep its
   * last deliveries forever. A deleted webhook's object only cleans up.
   */
  private async rearm(): Promise<void> {
    const enabled = this.store.endpoint()?.disabled_at === null;
    const due = enabled ? this.store.nextDueAt() : undefined;
    const cleanup = this.store.nextCleanupAt();
    const next = Math.min(due ?? Number.POSITIVE_INFINITY, cleanup ?? Number.POSITIVE_INFINITY);
    if (next === Number.POSITIVE_INFINITY) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(next, Date.now()));
  }

  private async tryOnce(
    endpoint: { webhook_id: string; url: string; secret: string },
    delivery: Delivery,
  ): Promise<void> {
    const at = Date.now();
    const sent = await sendOnce(this.env, endpoint, delivery.event_id, delivery.body);
    const failures = delivery.attempts + 1;
    const firstAt = delivery.first_attempt_at ?? at;
    const status = sent.ok ? "delivered" : at - firstAt >= RETRY_WINDOW_MS ? "failed" : "pending";
    const nextAttemptAt = status === "pending" ? Date.now() + webhookRetryDelay(failures) : at;
    this.store.recordAttempt(
      delivery,
      {
        at,
        response_status: sent.responseStatus,
        error: sent.error,
        duration_ms: sent.durationMs,
      },
      { status, nextAttemptAt },
    );
    if (!sent.ok) {
      // Past a few tries the receiver is not just blinking; given up is for a person.
      logLine(status === "failed" || failures >= 5 ? "error" : "warn", "webhook delivery failed", {
        webhook_id: endpoint.webhook_id,
        event_id: delivery.event_id,
        type: delivery.type,
        attempts: failures,
        response_status: sent.responseStatus,
        error: sent.error,
        gave_up: status === "failed",
      });
    }
  }

  /** Arms the alarm for `at` unless one is due sooner already. */
  private async arm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}
