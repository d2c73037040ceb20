import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  /** The Worker's test bindings: the "workers" project's, and the "stripe" project's base. */
  const bindings = {
    JWT_SECRET: "test-secret-not-for-production",
    // Test-only Ed25519 keys of ticket tokens: the current one, and a retired
    // one whose tickets must still verify (test/tickets-token.test.ts).
    TICKET_SIGNING_KEY:
      '{"crv":"Ed25519","d":"V9hGoFlRyHgt3ZeF2Ku_nxel0fe7OfSNAYlVaYU9hdA","x":"FUMysU8IJbwTQcvAURDncDFS6Mbgel6quPgfLWfy-vY","kty":"OKP","kid":"test-2026"}',
    TICKET_PREVIOUS_KEYS:
      '[{"crv":"Ed25519","x":"0d4P0P-XOyhXMVpzNIiGCu6dEsn-CtPvugnqtyAp6v0","kty":"OKP","kid":"test-old"}]',
    // Short, so the timeout test card shows a timeout quickly.
    PAYMENT_TIMEOUT_MS: "400",
    // Limits are tested on their own (test/rate-limits.test.ts), with small budgets.
    RATE_LIMITS_ENABLED: "false",
    // Small, so the cap on a show's live viewers can be reached in a test.
    VIEWERS_PER_SHOW: "4",
    // Two relays of two viewers each: tests spread viewers over relays.
    VIEWERS_PER_RELAY: "2",
    // Whatever a local .dev.vars says (npm start writes both): tests see the
    // production defaults.
    DEV_TOKENS: "false",
    TICKET_BASE_URL: "https://tickets.example.com",
    // Webhook receivers in tests are on 127.0.0.1 (test/webhooks-*.test.ts);
    // a short timeout, so a receiver that hangs fails its try quickly.
    WEBHOOK_LOCAL_TARGETS: "127.0.0.1",
    WEBHOOK_TIMEOUT_MS: "300",
    // Test-only binding: the setup file applies these to the test D1 database.
    TEST_MIGRATIONS: migrations,
  };
  /**
   * Setup of the projects in workerd: the migrations, the sweep of every logged line for
   * secrets, and the real clock and unmocked spies back after each test.
   */
  const workerSetupFiles = [
    "./test/support/apply-migrations.ts",
    "./test/support/log-sweep.ts",
    "./test/support/real-timers.ts",
  ];
  return {
    test: {
      // Every request logs a line: the routine ones would bury what a failure prints.
      onConsoleLog: (log: string) => !log.includes('{"level":"info"'),
      projects: [
        {
          // Inside workerd with the bindings of wrangler.toml (local D1, KV, Durable Objects).
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: { bindings },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/**/*.test.ts"],
            exclude: ["test/node/**", "test/unit/**", "test/stripe/**", "test/razorpay/**"],
            setupFiles: workerSetupFiles,
          },
        },
        {
          // The same Worker with Stripe as its payment provider: the show objects charge
          // through src/payments/stripe-gateway.ts, and the stand-in of
          // test/support/stripe-stand-in.ts answers their fetch of STRIPE_API_BASE (the
          // tests and the objects share one isolate). The values are the stand-in's
          // STAND_IN_ORIGIN and STAND_IN_SECRET_KEY (not imported: that module needs vitest's
          // runtime); test/stripe/stripe-world.ts checks they agree.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  ...bindings,
                  PAYMENT_PROVIDER: "stripe",
                  STRIPE_API_BASE: "http://127.0.0.1:12111",
                  STRIPE_SECRET_KEY: "sk_test_stand_in_key_not_real",
                  STRIPE_WEBHOOK_SECRET: "whsec_test_stripe_project_not_real",
                  // Short, so an answer the stand-in holds is a timeout quickly.
                  PAYMENT_TIMEOUT_MS: "400",
                },
              },
            }),
          ],
          test: {
            name: "stripe",
            include: ["test/stripe/**/*.test.ts"],
            setupFiles: workerSetupFiles,
          },
        },
        {
          // The same Worker with Razorpay as its payment provider, against the stand-in of
          // test/support/razorpay-stand-in.ts (its STAND_IN_ORIGIN, STAND_IN_KEY_ID and
          // STAND_IN_KEY_SECRET; test/razorpay/razorpay-sale.test.ts checks they agree).
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  ...bindings,
                  PAYMENT_PROVIDER: "razorpay",
                  RAZORPAY_API_BASE: "http://127.0.0.1:12113",
                  RAZORPAY_KEY_ID: "rzp_test_StandInKey0001",
                  RAZORPAY_KEY_SECRET: "stand_in_key_secret_not_real",
                  RAZORPAY_WEBHOOK_SECRET: "razorpay_webhook_secret_not_real",
                },
              },
            }),
          ],
          test: {
            name: "razorpay",
            include: ["test/razorpay/**/*.test.ts"],
            setupFiles: workerSetupFiles,
          },
        },
        {
          // Plain Node, for the code that needs no runtime (no "cloudflare:*" module, nor any
          // module that imports one): no alias either, so such an import fails here at once.
          test: {
            name: "unit",
            include: ["test/unit/**/*.test.ts"],
            environment: "node",
            setupFiles: ["./test/support/real-timers.ts"],
          },
        },
        {
          // Plain Node, for tools that cannot run in workerd (the OpenAPI validator compiles
          // schemas with `new Function`, which workerd forbids).
          test: {
            name: "node",
            include: ["test/node/**/*.test.ts"],
            environment: "node",
            setupFiles: ["./test/support/real-timers.ts"],
          },
          resolve: {
            alias: {
              "cloudflare:workers": path.join(
                import.meta.dirname,
                "test/node/cloudflare-workers-stub.ts",
              ),
            },
          },
        },
      ],
    },
  };
});
