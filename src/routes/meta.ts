import { z } from "zod";
import { apiRoute, apiRouter, jsonAnswer } from "../openapi/api-route.ts";
import { healthSchema } from "../openapi/response-schemas.ts";

/** Liveness, for load balancers and the benchmark's baseline: no state, no limits. */
const health = apiRoute({
  method: "get",
  path: "/health",
  tags: ["Meta"],
  summary: "Liveness",
  access: "public",
  responses: { 200: jsonAnswer(healthSchema, "The Worker is up") },
});

/** GET /v1/openapi.json, answered by app.ts, which holds the routes it describes. */
export const openApiDocumentRoute = apiRoute({
  method: "get",
  path: "/v1/openapi.json",
  tags: ["Meta"],
  summary: "This document",
  access: "public",
  responses: {
    200: jsonAnswer(
      z.record(z.string(), z.unknown()).meta({ id: "OpenApiDocument" }),
      "The OpenAPI 3.1 document",
    ),
  },
});

export const healthRoutes = apiRouter().openapi(health, (c) =>
  c.json({ status: "ok" as const }, 200),
);
