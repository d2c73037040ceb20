import { Hono } from "hono";
import type { AppEnv } from "../http/app-env.ts";
import { buildOpenApiDocument } from "../openapi/openapi-document.ts";

/** Built on first request, once per isolate: it never changes while the code does not. */
let document: string | undefined;

export const openApiRoutes = new Hono<AppEnv>().get("/openapi.json", (c) => {
  document ??= JSON.stringify(buildOpenApiDocument());
  return c.body(document, 200, {
    "Content-Type": "application/json",
    "Cache-Control": "public, max-age=300",
  });
});
