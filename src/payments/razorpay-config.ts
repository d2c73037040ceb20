/**
 * Razorpay's configuration: the secrets `RAZORPAY_KEY_ID`, `RAZORPAY_KEY_SECRET` and
 * `RAZORPAY_WEBHOOK_SECRET` (`wrangler secret put`), and the var `RAZORPAY_API_BASE` (an
 * origin with no path; a local stand-in in tests). Undefined unless `PAYMENT_PROVIDER` is
 * "razorpay".
 */
export interface RazorpayConfig {
  keyId: string;
  keySecret: string;
  webhookSecret: string | undefined;
  apiBase: string;
}

/** Optional in Env (the simulator needs none, and the var may be absent): read as such. */
interface RazorpaySettings {
  RAZORPAY_KEY_ID?: string;
  RAZORPAY_KEY_SECRET?: string;
  RAZORPAY_WEBHOOK_SECRET?: string;
  RAZORPAY_API_BASE?: string;
}

export function razorpayConfig(env: Env): RazorpayConfig | undefined {
  if (env.PAYMENT_PROVIDER !== "razorpay") return undefined;
  const settings = env as Env & RazorpaySettings;
  if (!settings.RAZORPAY_KEY_ID || !settings.RAZORPAY_KEY_SECRET) {
    // Names only: never a value.
    throw new Error(
      "PAYMENT_PROVIDER is razorpay but RAZORPAY_KEY_ID or RAZORPAY_KEY_SECRET is not set",
    );
  }
  return {
    keyId: settings.RAZORPAY_KEY_ID,
    keySecret: settings.RAZORPAY_KEY_SECRET,
    webhookSecret: settings.RAZORPAY_WEBHOOK_SECRET || undefined,
    apiBase: settings.RAZORPAY_API_BASE || "https://api.razorpay.com",
  };
}
