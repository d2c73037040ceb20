import { app } from "./app.ts";

export { RateLimiter } from "./limits/rate-limiter-object.ts";
export { PaymentSimulator } from "./payments/payment-simulator.ts";
export { ShowObject } from "./show/show-object.ts";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
