import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/app.ts";
import { call } from "./support/helpers.ts";

/** GET /v1/payments/config under other settings than the test Worker's (the simulator). */
async function configWith(vars: Record<string, string>) {
  const res = await app.request("/v1/payments/config", {}, { ...env, ...vars });
  expect(res.status).toBe(200);
  return res.json();
}

describe("GET /v1/payments/config", () => {
  it("says simulated, with no key and no script, by default (and needs no token)", async () => {
    const res = await call("GET", "/v1/payments/config");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      provider: "simulated",
      publishable_key: null,
      script_url: null,
      currency: "INR",
    });
  });

  it("gives Stripe's publishable key and Stripe.js from Stripe's own origin", async () => {
    expect(
      await configWith({ PAYMENT_PROVIDER: "stripe", STRIPE_PUBLISHABLE_KEY: "pk_test_abc" }),
    ).toEqual({
      provider: "stripe",
      publishable_key: "pk_test_abc",
      script_url: "https://js.stripe.com/v3/",
      currency: "INR",
    });
    // The key not set yet (wrangler.toml's default ""): null, not an empty key.
    expect(await configWith({ PAYMENT_PROVIDER: "stripe" })).toMatchObject({
      publishable_key: null,
    });
  });

  it("gives Razorpay's key id and its checkout script, never the key secret", async () => {
    const body = await configWith({
      PAYMENT_PROVIDER: "razorpay",
      RAZORPAY_KEY_ID: "rzp_test_key",
      RAZORPAY_KEY_SECRET: "not_to_be_shown",
    });
    expect(body).toEqual({
      provider: "razorpay",
      publishable_key: "rzp_test_key",
      script_url: "https://checkout.razorpay.com/v1/checkout.js",
      currency: "INR",
    });
    expect(JSON.stringify(body)).not.toContain("not_to_be_shown");
  });
});
