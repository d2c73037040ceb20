/**
 * Stripe's configuration: the secrets `STRIPE_SECRET_KEY` and `STRIPE_WEBHOOK_SECRET`
 * (`wrangler secret put`), and the var `STRIPE_API_BASE` (an origin with no path; a local
 * server in tests). Undefined unless `PAYMENT_PROVIDER` is "stripe".
 */
export interface StripeConfig {
  secretKey: string;
  webhookSecret: string | undefined;
  apiBase: string;
}

/** The secrets are optional in Env (the simulator needs none): read them as such. */
interface StripeSecrets {
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
}

export function stripeConfig(env: Env): StripeConfig | undefined {
  if (env.PAYMENT_PROVIDER !== "stripe") return undefined;
  const secrets = env as Env & StripeSecrets;
  if (!secrets.STRIPE_SECRET_KEY) {
    throw new Error("PAYMENT_PROVIDER is stripe but STRIPE_SECRET_KEY is not set");
  }
  const apiBase = env.STRIPE_API_BASE;
  return {
    secretKey: secrets.STRIPE_SECRET_KEY,
    webhookSecret: secrets.STRIPE_WEBHOOK_SECRET || undefined,
    apiBase: apiBase || "https://api.stripe.com",
  };
}
