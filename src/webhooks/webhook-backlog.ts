import { webhookEndpointStub } from "../contract/object-stubs.ts";
import type { DeliveryCounts } from "./delivery-storage.ts";
import { activeWebhooks } from "./webhook-d1.ts";

/**
 * One webhook's deliveries that need an operator's eye (GET /v1/admin/status):
 * - `pending`: not tried yet: new, or waiting behind an earlier event of its booking;
 * - `failing`: tried and failed every time so far, still being retried (24 h window);
 * - `failed`: given up after the retry window, counted until it is forgotten, 7 days
 *   after it was given up.
 * Delivered deliveries, and those of deleted webhooks, are not counted.
 */
export interface WebhookBacklog extends DeliveryCounts {
  webhook_id: string;
}

/**
 * The webhooks (not deleted, oldest first) with anything pending, failing or given up, each
 * read from its WebhookEndpoint object. The objects are asked at once: there are at most
 * WEBHOOKS_MAX of them. An object that cannot answer fails the whole call rather than be
 * left out, so the status never shows a webhook as fine when it was not asked.
 */
export async function webhookBacklog(env: Env, orgId?: string | null): Promise<WebhookBacklog[]> {
  const webhooks = await activeWebhooks(env.DB, orgId);
  const counted = await Promise.all(
    webhooks.map(async ({ webhookId }) => {
      const endpoint = webhookEndpointStub(env, webhookId);
      const { pending, failing, failed } = await endpoint.backlog();
      return { webhook_id: webhookId, pending, failing, failed };
    }),
  );
  return counted.filter((w) => w.pending + w.failing + w.failed > 0);
}
