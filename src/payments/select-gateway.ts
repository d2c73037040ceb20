import { simulatorStub } from "../contract/object-stubs.ts";
import type { PaymentGateway } from "./payment-gateway.ts";
import { SimulatedGateway } from "./simulated-gateway.ts";

const DEFAULT_TIMEOUT_MS = 10_000;

/** The configured gateway: PAYMENT_PROVIDER in wrangler.toml vars ("simulated" by default). */
export function selectGateway(env: Env): PaymentGateway {
  const provider = env.PAYMENT_PROVIDER || "simulated";
  const timeoutMs = Number(env.PAYMENT_TIMEOUT_MS) || DEFAULT_TIMEOUT_MS;
  switch (provider) {
    case "simulated":
      return new SimulatedGateway(simulatorStub(env), timeoutMs);
    default:
      throw new Error(`PAYMENT_PROVIDER '${provider}' is not supported`);
  }
}
