import { Hono } from "hono";
import { signAccessToken } from "../auth/access-token.ts";
import { devTokenRequestSchema } from "../auth/dev-token-schema.ts";
import { notFound } from "../http/api-error.ts";
import type { AppEnv } from "../http/app-env.ts";
import { rateLimit } from "../http/rate-limit.ts";
import { jsonBody } from "../http/validation.ts";
import { newId } from "../lib/ids.ts";

const DEV_TOKEN_TTL_SECONDS = 12 * 3600;

/**
 * POST /v1/dev/token: a user token for local development, so the web page needs no
 * secret. Exists only when DEV_TOKENS is "true" (npm start's .dev.vars); 404 otherwise.
 * Never grants the admin role.
 */
export const devTokenRoutes = new Hono<AppEnv>().post(
  "/token",
  rateLimit("catalog"),
  jsonBody(devTokenRequestSchema),
  async (c) => {
    if (c.env.DEV_TOKENS !== "true") throw notFound("route", c.req.path);
    const userId = c.req.valid("json").user_id ?? newId("user", 12);
    const token = await signAccessToken(
      { sub: userId, role: "user", ttlSeconds: DEV_TOKEN_TTL_SECONDS },
      c.env.JWT_SECRET,
    );
    return c.json({ token, user_id: userId, expires_in: DEV_TOKEN_TTL_SECONDS });
  },
);
