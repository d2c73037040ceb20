import type { D1Migration } from "cloudflare:test";

// Bindings that only the test configuration adds (vitest.config.ts).
declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
