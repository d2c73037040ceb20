/** The events a webhook can subscribe to, and the shape each delivery's body has. */

export const WEBHOOK_EVENT_TYPES = [
  "booking.confirmed",
  "booking.cancelled",
  "booking.expired",
  "payment.refunded",
  "booking.payment_refunded_late",
  "show.updated",
  "show.cancelled",
  "waitlist.offered",
  "ticket.transferred",
  "ticket.resold",
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A JSON value an event's `data` may hold. */
export type EventData = { [key: string]: EventValue };
type EventValue = string | number | boolean | null | EventValue[] | { [key: string]: EventValue };

/**
 * One event as the show object hands it to webhooks: its id (the `webhook-id` of every
 * attempt, on every webhook), its type, the key whose events are delivered in order (the
 * booking, or the show), the exact body sent, and when it happened (ms).
 */
export interface WebhookEvent {
  eventId: string;
  type: WebhookEventType;
  orderingKey: string;
  body: string;
  occurredAt: number;
}
