import { z } from "zod";
import { listQuerySchema } from "../openapi/shared-schemas.ts";
import { namedOrganization } from "../organizations/organization-field.ts";
import { WEBHOOK_EVENT_TYPES } from "./webhook-event-types.ts";

/** Request and answer schemas of /v1/webhooks (src/routes/webhooks.ts). */

export const webhookIdParam = z.object({
  webhook_id: z
    .string()
    .regex(/^wh_[0-9a-z]{20}$/, "must look like wh_ followed by 20 letters and digits"),
});

// Strict: a misspelt field (`event` for `events`) is refused, not silently dropped.
export const createWebhookSchema = z
  .strictObject({
    org_id: namedOrganization(
      "Whose events it receives: an organizer's webhook, its own organization's; the admin's, the organization named, or every one's when none is",
    ),
    url: z.string().min(1).max(2048).meta({
      description:
        "Where deliveries are POSTed: https, and not a private, loopback or link-local address",
    }),
    events: z
      .array(z.enum(WEBHOOK_EVENT_TYPES))
      .min(1)
      // A bound on the input only: repeats are kept once, so the list answered and stored
      // has each type at most once.
      .max(100)
      .transform((events) => [...new Set(events)])
      .meta({ description: "The event types to receive; a repeated type is kept once" }),
  })
  .meta({
    id: "CreateWebhook",
    example: {
      url: "https://crm.example.com/hooks/tickets",
      events: ["booking.confirmed", "booking.cancelled", "payment.refunded"],
    },
  });

const webhook = z.object({
  webhook_id: z.string(),
  org_id: z
    .string()
    .nullable()
    .meta({ description: "The organization whose events it receives; null: every one's" }),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  created_at: z.iso.datetime(),
});

export const webhookResponse = z.object({ webhook }).meta({ id: "Webhook" });

export const createdWebhookResponse = z
  .object({
    webhook: webhook.extend({
      secret: z.string().meta({
        description:
          "The signing secret (whsec_<base64>), shown only in this answer: keep it to verify webhook-signature",
      }),
    }),
  })
  .meta({ id: "CreatedWebhook" });

export const webhookListResponse = z
  .object({ webhooks: z.array(webhook) })
  .meta({ id: "WebhookList" });

export const deletedWebhookResponse = z
  .object({ webhook: webhook.extend({ deleted_at: z.iso.datetime() }) })
  .meta({ id: "DeletedWebhook" });

const isoOrNull = z.iso.datetime().nullable();

export const deliveriesQuery = listQuerySchema.pick({ limit: true });

export const deliveryListResponse = z
  .object({
    webhook_id: z.string(),
    deliveries: z.array(
      z.object({
        event_id: z.string().meta({ description: "The webhook-id header of every attempt" }),
        type: z.enum(WEBHOOK_EVENT_TYPES),
        status: z.enum(["pending", "delivered", "failed", "cancelled"]).meta({
          description:
            "pending (to be tried, or waiting for an earlier event of its booking), delivered (a 2xx), failed (given up after 24 h of retries), cancelled (the webhook was deleted)",
        }),
        occurred_at: z.iso.datetime(),
        attempts: z.number().int(),
        last_attempt_at: isoOrNull,
        last_response_status: z.number().int().nullable(),
        last_error: z.string().nullable(),
        next_attempt_at: isoOrNull.meta({ description: "The next retry, while pending" }),
        done_at: isoOrNull,
        recent_attempts: z.array(
          z.object({
            at: z.iso.datetime(),
            response_status: z.number().int().nullable(),
            error: z.string().nullable(),
            duration_ms: z.number().int(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: "WebhookDeliveries" });
