import { webhookEndpointStub } from "../contract/object-stubs.ts";
import { ApiError, invalidInput, notFound } from "../http/api-error.ts";
import { callerOrganization } from "../http/organization-scope.ts";
import { newId } from "../lib/ids.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { organizationOfNew } from "../organizations/new-resource-organization.ts";
import {
  activeWebhooks,
  countActiveWebhooks,
  findWebhook,
  insertWebhookWithin,
  markDeleted,
  type WebhookRecord,
} from "../webhooks/webhook-d1.ts";
import type { WebhookEventType } from "../webhooks/webhook-event-types.ts";
import {
  createdWebhookResponse,
  createWebhookSchema,
  deletedWebhookResponse,
  deliveriesQuery,
  deliveryListResponse,
  webhookIdParam,
  webhookListResponse,
} from "../webhooks/webhook-schemas.ts";
import { newSigningSecret } from "../webhooks/webhook-signature.ts";
import { checkTarget, localTargets } from "../webhooks/webhook-targets.ts";

const createWebhook = apiRoute({
  method: "post",
  path: "/v1/webhooks",
  tags: ["Webhooks"],
  summary: "Subscribe a URL to events; the signing secret is shown only here",
  description:
    "Deliveries follow Standard Webhooks: POST of `{type, timestamp, data}` with `webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256>`). At least once, the same `webhook-id` on every retry, retried with backoff for 24 h, each booking's events in order. A deployment keeps at most `WEBHOOKS_MAX` webhooks (20): past it, 409 `WEBHOOK_LIMIT_REACHED`.",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  errors: [409],
  request: { body: jsonRequest(createWebhookSchema) },
  responses: { 201: jsonAnswer(createdWebhookResponse, "The webhook with its signing secret") },
});

const listWebhooks = apiRoute({
  method: "get",
  path: "/v1/webhooks",
  tags: ["Webhooks"],
  summary: "The webhooks, oldest first (without secrets)",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  responses: { 200: jsonAnswer(webhookListResponse, "Every webhook not deleted") },
});

const deleteWebhook = apiRoute({
  method: "delete",
  path: "/v1/webhooks/{webhook_id}",
  tags: ["Webhooks"],
  summary: "Delete a webhook: nothing more is sent to it",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  errors: [404],
  request: { params: webhookIdParam },
  responses: { 200: jsonAnswer(deletedWebhookResponse, "The deleted webhook") },
});

const listDeliveries = apiRoute({
  method: "get",
  path: "/v1/webhooks/{webhook_id}/deliveries",
  tags: ["Webhooks"],
  summary: "Recent deliveries, newest first: status, attempts, next retry",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  errors: [404],
  request: { params: webhookIdParam, query: deliveriesQuery },
  responses: { 200: jsonAnswer(deliveryListResponse, "The webhook's recent deliveries") },
});

function view(record: WebhookRecord) {
  return {
    webhook_id: record.webhookId,
    org_id: record.orgId,
    url: record.url,
    // Only WEBHOOK_EVENT_TYPES pass the request schema, so only they are stored.
    events: record.events as WebhookEventType[],
    created_at: new Date(record.createdAt).toISOString(),
  };
}

/** WEBHOOKS_MAX: how many webhooks (not deleted) the deployment keeps; 20 if unset. */
function webhooksMax(env: Env): number {
  const max = Number(env.WEBHOOKS_MAX);
  return Number.isInteger(max) && max > 0 ? max : 20;
}

const limitReached = (max: number) =>
  new ApiError(
    409,
    "WEBHOOK_LIMIT_REACHED",
    `There are ${max} webhooks already, the most kept per organization (WEBHOOKS_MAX): delete one first`,
    { limit: max },
  );

const endpointOf = (env: Env, webhookId: string) => webhookEndpointStub(env, webhookId);

export const webhookRoutes = apiRouter()
  .openapi(createWebhook, async (c) => {
    const body = c.req.valid("json");
    const target = checkTarget(body.url, localTargets(c.env.WEBHOOK_LOCAL_TARGETS));
    if (!target.ok) throw invalidInput("url", target.reason);
    // An organizer's receives its organization's events; the admin's, one named organization's
    // (org_id) or, naming none, every one's.
    const orgId =
      callerOrganization(c) || body.org_id ? await organizationOfNew(c, body.org_id) : null;
    const max = webhooksMax(c.env);
    // Refused before the object is set up; the insert checks again, for creations at once.
    if ((await countActiveWebhooks(c.env.DB, orgId)) >= max) throw limitReached(max);
    const record: WebhookRecord = {
      webhookId: newId("wh"),
      orgId,
      url: target.url.href,
      events: body.events,
      createdAt: Date.now(),
      deletedAt: null,
    };
    const secret = newSigningSecret();
    // The object first: a webhook listed in D1 always has its secret to sign with. If the
    // D1 insert fails, the object is left holding a secret nothing sends events to.
    await endpointOf(c.env, record.webhookId).configure(record.webhookId, record.url, secret);
    if (!(await insertWebhookWithin(c.env.DB, record, max))) throw limitReached(max);
    return c.json({ webhook: { ...view(record), secret } }, 201);
  })
  .openapi(listWebhooks, async (c) => {
    // An organizer lists its organization's own; the admin every one.
    const own = callerOrganization(c);
    const webhooks = await activeWebhooks(c.env.DB, own ?? undefined);
    return c.json({ webhooks: webhooks.map(view) }, 200);
  })
  .openapi(deleteWebhook, async (c) => {
    const { webhook_id } = c.req.valid("param");
    const record = await findWebhook(c.env.DB, webhook_id);
    const at = Date.now();
    if (!record || !(await markDeleted(c.env.DB, webhook_id, at))) {
      throw notFound("webhook", webhook_id);
    }
    await endpointOf(c.env, webhook_id).disable();
    return c.json({ webhook: { ...view(record), deleted_at: new Date(at).toISOString() } }, 200);
  })
  .openapi(listDeliveries, async (c) => {
    const { webhook_id } = c.req.valid("param");
    const { limit } = c.req.valid("query");
    if (!(await findWebhook(c.env.DB, webhook_id))) throw notFound("webhook", webhook_id);
    const deliveries = await endpointOf(c.env, webhook_id).deliveries(limit);
    return c.json({ webhook_id, deliveries }, 200);
  });
