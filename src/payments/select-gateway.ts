import { simulatorStub } from "../contract/object-stubs.ts";
import type { PaymentGateway } from "./payment-gateway.ts";
import { SimulatedGateway } from "./simulated-gateway.ts";
import { stripeConfig } from "./stripe-config.ts";
import { StripeGateway } from "./stripe-gateway.ts";

const DEFAULT_TIMEOUT_MS = 10_000;

/** The configured gateway: PAYMENT_PROVIDER in wrangler.toml vars ("simulated" by default, or "stripe"). */
export function selectGateway(env: Env): PaymentGateway {
  const provider = env.PAYMENT_PROVIDER || "simulated";
  const timeoutMs = Number(env.PAYMENT_TIMEOUT_MS) || DEFAULT_TIMEOUT_MS;
  switch (provider) {
    case "simulated":
      return new SimulatedGateway(simulatorStub(env), timeoutMs);
    case "stripe": {
      const config = stripeConfig(env);
      if (!config) throw new Error("PAYMENT_PROVIDER is stripe but Stripe is not configured");
      return new StripeGateway({ secretKey: config.secretKey, apiBase: config.apiBase, timeoutMs });
    }
    default:
      throw new Error(`PAYMENT_PROVIDER '${provider}' is not supported`);
  }
}
