import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { InvalidTokenError } from "../auth/access-token.ts";
import type { Principal, Role } from "../auth/principal.ts";
import { verifyToken } from "../auth/verify-token.ts";
import { addressKey } from "../limits/client-address.ts";
import { ApiError } from "./api-error.ts";
import type { AppEnv } from "./app-env.ts";

const BEARER = /^Bearer\s+([A-Za-z0-9_\-.=]+)\s*$/i;

function unauthenticated(message: string): ApiError {
  // RFC 6750: a 401 for a bearer-protected resource names the scheme.
  return new ApiError(401, "UNAUTHENTICATED", message, undefined, {
    "WWW-Authenticate": 'Bearer realm="v1"',
  });
}

/** The caller named by the Authorization header; throws 401 when it is missing or bad. */
async function principalOf(c: Context<AppEnv>): Promise<Principal> {
  const known = c.get("principal");
  if (known) return known;
  const header = c.req.header("Authorization");
  if (!header) throw unauthenticated("A bearer token is required");
  const match = BEARER.exec(header);
  if (!match?.[1]) throw unauthenticated("The Authorization header must be 'Bearer <token>'");
  try {
    const principal = await verifyToken(match[1], c.env);
    c.set("principal", principal);
    return principal;
  } catch (err) {
    if (err instanceof InvalidTokenError) throw unauthenticated("The token is invalid or expired");
    throw err;
  }
}

/**
 * Requires a valid bearer token and, when roles are given, one of them. Puts the caller on
 * the context as `principal`.
 */
export function authenticate(...allowed: Role[]) {
  return createMiddleware<AppEnv>(async function authenticate(c, next) {
    const principal = await principalOf(c);
    if (allowed.length > 0 && !allowed.includes(principal.role)) {
      throw new ApiError(403, "FORBIDDEN", `This action needs the ${allowed.join(" or ")} role`);
    }
    await next();
  });
}

/**
 * Who the client is for rate limiting: the token's subject when a valid token came along
 * (on public routes too), else the client's address as Cloudflare reports it: an IPv4
 * address, or an IPv6 /64, so rotating addresses within one's own /64 gains nothing.
 */
export async function clientKey(c: Context<AppEnv>): Promise<string> {
  if (c.req.header("Authorization")) {
    try {
      // An organization's staff are limited within their organization: one organizer's
      // flood does not spend another organization's budget under a shared user id.
      const { userId, orgId } = await principalOf(c);
      return orgId ? `org:${orgId}:${userId}` : `user:${userId}`;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      // A bad token on a public route: counted by address like any anonymous client.
    }
  }
  return addressKey(c.req.header("CF-Connecting-IP"));
}
