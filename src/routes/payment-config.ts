import { z } from "zod";
import { apiRoute, apiRouter, jsonAnswer } from "../openapi/api-route.ts";

/**
 * What the web page needs to take a payment: which provider this deployment uses, the
 * provider's public key, and the one outside script the page may load for it. The script
 * URLs are constants of the providers' own origins (never configuration), so no setting can
 * make the page load a script from anywhere else.
 */

const STRIPE_JS_URL = "https://js.stripe.com/v3/";
const RAZORPAY_CHECKOUT_URL = "https://checkout.razorpay.com/v1/checkout.js";

const paymentConfigSchema = z
  .object({
    provider: z.enum(["simulated", "stripe", "razorpay"]),
    publishable_key: z.string().nullable().meta({
      description:
        "The provider's public key: Stripe's publishable key, Razorpay's key id; null for the simulator or when not set",
    }),
    script_url: z.string().nullable().meta({
      description: "The provider's own script, loaded by the page only for that provider",
    }),
    currency: z.string().meta({
      description:
        "The ISO code amounts are in (CURRENCY); Stripe's Payment Element is created with it",
    }),
  })
  .meta({
    id: "PaymentConfig",
    example: {
      provider: "stripe",
      publishable_key: "pk_test_...",
      script_url: STRIPE_JS_URL,
      currency: "INR",
    },
  });

const getPaymentConfig = apiRoute({
  method: "get",
  path: "/v1/payments/config",
  tags: ["Payments"],
  summary: "The payment provider the page pays through, with its public key",
  description:
    "`simulated`: card fields and test cards, no key, no script. `stripe`: Stripe's Payment Element from https://js.stripe.com/v3/ with STRIPE_PUBLISHABLE_KEY. `razorpay`: Razorpay's checkout with its key id.",
  access: "public",
  responses: { 200: jsonAnswer(paymentConfigSchema, "The payment configuration") },
});

/** The secret is optional in Env (only Razorpay needs it); its key id is public by design. */
interface RazorpayKey {
  RAZORPAY_KEY_ID?: string;
}

function configOf(env: Env): z.infer<typeof paymentConfigSchema> {
  const currency = env.CURRENCY || "INR";
  switch (env.PAYMENT_PROVIDER || "simulated") {
    case "stripe":
      return {
        provider: "stripe",
        publishable_key: env.STRIPE_PUBLISHABLE_KEY || null,
        script_url: STRIPE_JS_URL,
        currency,
      };
    case "razorpay":
      return {
        provider: "razorpay",
        publishable_key: (env as Env & RazorpayKey).RAZORPAY_KEY_ID || null,
        script_url: RAZORPAY_CHECKOUT_URL,
        currency,
      };
    default:
      return { provider: "simulated", publishable_key: null, script_url: null, currency };
  }
}

export const paymentConfigRoutes = apiRouter().openapi(getPaymentConfig, (c) =>
  c.json(configOf(c.env), 200),
);
