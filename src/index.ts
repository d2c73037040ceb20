import { app } from "./app.ts";
import { answerFromCache, type CrowdRead, crowdRead, learnFrom } from "./http/crowd-reads.ts";

export { RateLimiter } from "./limits/rate-limiter-object.ts";
export { OpsRegistry } from "./ops/ops-registry.ts";
export { PaymentSimulator } from "./payments/payment-simulator.ts";
export { QueueCoordinator } from "./queue/queue-coordinator.ts";
export { QueueShard } from "./queue/queue-shard.ts";
export { SeatRelay } from "./relay/seat-relay.ts";
export { ShowObject } from "./show/show-object.ts";
export { WebhookEndpoint } from "./webhooks/webhook-endpoint.ts";

/** A plain seat-map or status read: from the cache when it can be, else the app's answer. */
async function plainRead(
  read: CrowdRead,
  request: Request,
  env: Env,
  ctx: ExecutionContext,
): Promise<Response> {
  const cached = await answerFromCache(read, env);
  if (cached) return cached;
  const response = await app.fetch(request, env, ctx);
  learnFrom(read, response);
  return response;
}

export default {
  fetch(request, env, ctx) {
    const read = crowdRead(request);
    return read ? plainRead(read, request, env, ctx) : app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
