import { createMiddleware } from "hono/factory";
import { InvalidTokenError, verifyAccessToken } from "../auth/access-token.ts";
import type { Role } from "../auth/principal.ts";
import { ApiError } from "./api-error.ts";
import type { AppEnv } from "./app-env.ts";

const BEARER = /^Bearer\s+([A-Za-z0-9_\-.=]+)\s*$/i;

function unauthenticated(message: string): ApiError {
  // RFC 6750: a 401 for a bearer-protected resource names the scheme.
  return new ApiError(401, "UNAUTHENTICATED", message, undefined, {
    "WWW-Authenticate": 'Bearer realm="v1"',
  });
}

/**
 * Requires a valid bearer token and, when roles are given, one of them. Puts the caller on
 * the context as `principal`.
 */
export function authenticate(...allowed: Role[]) {
  return createMiddleware<AppEnv>(async function authenticate(c, next) {
    const header = c.req.header("Authorization");
    if (!header) throw unauthenticated("A bearer token is required");
    const match = BEARER.exec(header);
    if (!match?.[1]) throw unauthenticated("The Authorization header must be 'Bearer <token>'");
    let principal: Awaited<ReturnType<typeof verifyAccessToken>>;
    try {
      principal = await verifyAccessToken(match[1], c.env.JWT_SECRET);
    } catch (err) {
      if (err instanceof InvalidTokenError) {
        throw unauthenticated("The token is invalid or expired");
      }
      throw err;
    }
    if (allowed.length > 0 && !allowed.includes(principal.role)) {
      throw new ApiError(403, "FORBIDDEN", `This action needs the ${allowed.join(" or ")} role`);
    }
    c.set("principal", principal);
    await next();
  });
}
