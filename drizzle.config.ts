import { defineConfig } from "drizzle-kit";

// Only used to generate SQL migrations from src/db/schema.ts; wrangler applies them.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
