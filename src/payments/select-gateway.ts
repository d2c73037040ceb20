import { simulatorStub } from "../contract/object-stubs.ts";
import type { PaymentGateway } from "./payment-gateway.ts";
import { razorpayConfig } from "./razorpay-config.ts";
import { RazorpayGateway } from "./razorpay-gateway.ts";
import { SimulatedGateway } from "./simulated-gateway.ts";
import { stripeConfig } from "./stripe-config.ts";
import { StripeGateway } from "./stripe-gateway.ts";

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_ACTION_HOLD_S = 900;

/** PAYMENT_TIMEOUT_MS: how long a provider call may take before its outcome is unknown. */
export function paymentTimeoutMs(env: Env): number {
  return Number(env.PAYMENT_TIMEOUT_MS) || DEFAULT_TIMEOUT_MS;
}

/**
 * PAYMENT_ACTION_HOLD_SECONDS: how long a payment waiting for the buyer (3-D Secure, a
 * provider's checkout) holds the seats, counted from the lock (default 900).
 */
export function actionHoldSeconds(env: Env): number {
  const seconds = Number(env.PAYMENT_ACTION_HOLD_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_ACTION_HOLD_S;
}

/** The configured gateway: PAYMENT_PROVIDER in wrangler.toml vars ("simulated" by default, "stripe" or "razorpay"). */
export function selectGateway(env: Env): PaymentGateway {
  const provider = env.PAYMENT_PROVIDER || "simulated";
  const timeoutMs = paymentTimeoutMs(env);
  switch (provider) {
    case "simulated":
      return new SimulatedGateway(simulatorStub(env), timeoutMs);
    case "stripe": {
      const config = stripeConfig(env);
      if (!config) throw new Error("PAYMENT_PROVIDER is stripe but Stripe is not configured");
      return new StripeGateway({ secretKey: config.secretKey, apiBase: config.apiBase, timeoutMs });
    }
    case "razorpay": {
      const config = razorpayConfig(env);
      if (!config) throw new Error("PAYMENT_PROVIDER is razorpay but Razorpay is not configured");
      return new RazorpayGateway({
        keyId: config.keyId,
        keySecret: config.keySecret,
        apiBase: config.apiBase,
        timeoutMs,
        // An unpaid order waits for the buyer as long as the seats are held for them.
        checkoutWindowSeconds: actionHoldSeconds(env),
      });
    }
    default:
      throw new Error(`PAYMENT_PROVIDER '${provider}' is not supported`);
  }
}
