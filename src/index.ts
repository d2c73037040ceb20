import { app } from "./app.ts";

export { RateLimiter } from "./limits/rate-limiter-object.ts";
export { OpsRegistry } from "./ops/ops-registry.ts";
export { PaymentSimulator } from "./payments/payment-simulator.ts";
export { QueueCoordinator } from "./queue/queue-coordinator.ts";
export { QueueShard } from "./queue/queue-shard.ts";
export { SeatRelay } from "./relay/seat-relay.ts";
export { ShowObject } from "./show/show-object.ts";
export { WebhookEndpoint } from "./webhooks/webhook-endpoint.ts";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
