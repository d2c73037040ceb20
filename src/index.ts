import { app } from "./app.ts";
import { answerFromCache, crowdRead, learnFrom } from "./http/crowd-reads.ts";

export { RateLimiter } from "./limits/rate-limiter-object.ts";
export { OpsRegistry } from "./ops/ops-registry.ts";
export { PaymentSimulator } from "./payments/payment-simulator.ts";
export { QueueCoordinator } from "./queue/queue-coordinator.ts";
export { QueueShard } from "./queue/queue-shard.ts";
export { SeatRelay } from "./relay/seat-relay.ts";
export { ShowObject } from "./show/show-object.ts";
export { WebhookEndpoint } from "./webhooks/webhook-endpoint.ts";

export default {
  /** A plain seat-map or status read whose answer is cached is answered without the app. */
  async fetch(request, env, ctx) {
    const read = crowdRead(request);
    if (read) {
      const cached = await answerFromCache(read, env);
      if (cached) return cached;
    }
    const response = await app.fetch(request, env, ctx);
    if (read) learnFrom(read, response);
    return response;
  },
} satisfies ExportedHandler<Env>;
