import { signAccessToken } from "../auth/access-token.ts";
import { devTokenRequestSchema } from "../auth/dev-token-schema.ts";
import { notFound } from "../http/api-error.ts";
import { newId } from "../lib/ids.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { devTokenSchema } from "../openapi/response-schemas.ts";

const DEV_TOKEN_TTL_SECONDS = 12 * 3600;

/**
 * POST /v1/dev/token: a user token for local development, so the web page needs no
 * secret. Exists only when DEV_TOKENS is "true" (npm start's .dev.vars); 404 otherwise.
 * Never grants the admin role.
 */
const issueDevToken = apiRoute({
  method: "post",
  path: "/v1/dev/token",
  tags: ["Meta"],
  summary: "A user token for local development",
  description:
    'Exists only where DEV_TOKENS is "true" (npm start); 404 elsewhere. Never grants admin.',
  access: "public",
  rateLimit: "catalog",
  errors: [404],
  request: { body: jsonRequest(devTokenRequestSchema) },
  responses: { 200: jsonAnswer(devTokenSchema, "A token") },
});

export const devTokenRoutes = apiRouter().openapi(issueDevToken, async (c) => {
  if (c.env.DEV_TOKENS !== "true") throw notFound("route", c.req.path);
  const userId = c.req.valid("json").user_id ?? newId("user", 12);
  const token = await signAccessToken(
    { sub: userId, role: "user", ttlSeconds: DEV_TOKEN_TTL_SECONDS },
    c.env.JWT_SECRET,
  );
  return c.json({ token, user_id: userId, expires_in: DEV_TOKEN_TTL_SECONDS }, 200);
});
