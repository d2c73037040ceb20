import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      projects: [
        {
          // Inside workerd with the bindings of wrangler.toml (local D1, KV, Durable Objects).
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
                  // Small, so the cap on a show's live viewers can be reached in a test.
                  VIEWERS_PER_SHOW: "4",
                  // Whatever a local .dev.vars says: tests see the production default.
                  DEV_TOKENS: "false",
                  // Test-only binding: the setup file applies these to the test D1 database.
                  TEST_MIGRATIONS: migrations,
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/**/*.test.ts"],
            exclude: ["test/node/**"],
            setupFiles: ["./test/apply-migrations.ts"],
          },
        },
        {
          // Plain Node, for tools that cannot run in workerd (the OpenAPI validator compiles
          // schemas with `new Function`, which workerd forbids).
          test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node" },
        },
      ],
    },
  };
});
