import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests run inside workerd with the bindings of wrangler.toml (local D1, KV, Durable Objects).
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            JWT_SECRET: "test-secret-not-for-production",
            // Short, so the timeout test card shows a timeout quickly.
            PAYMENT_TIMEOUT_MS: "400",
            // Limits are tested on their own (test/rate-limits.test.ts), with small budgets.
            RATE_LIMITS_ENABLED: "false",
            // Whatever a local .dev.vars says: tests see the production default.
            DEV_TOKENS: "false",
            // Test-only binding: the setup file applies these to the test D1 database.
            TEST_MIGRATIONS: migrations,
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      setupFiles: ["./test/apply-migrations.ts"],
    },
  };
});
