import { decode, verifyWithJwks } from "hono/jwt";
import { z } from "zod";
import { userIdSchema } from "./access-token.ts";
import { type Principal, roles } from "./principal.ts";

/**
 * Tokens from an identity provider (RS256 or ES256), verified against the keys published
 * at JWKS_URL. Keys are cached per isolate for a few minutes; a token signed with a key
 * not in the cache refreshes it (at most every 30 s), so key rotation needs no deploy.
 */

export const IDP_ALGORITHMS = ["RS256", "ES256"] as const;

const CACHE_TTL_MS = 5 * 60_000;
const MIN_REFRESH_MS = 30_000;

type Jwk = Parameters<typeof verifyWithJwks>[1]["keys"] extends (infer K)[] | undefined ? K : never;

interface CachedKeys {
  keys: Jwk[];
  fetchedAt: number;
}

const cache = new Map<string, CachedKeys>();

async function fetchKeys(url: string): Promise<Jwk[]> {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`JWKS ${url} answered ${response.status}`);
  const body = (await response.json()) as { keys?: unknown };
  if (!Array.isArray(body.keys)) throw new Error(`JWKS ${url} has no keys array`);
  return body.keys as Jwk[];
}

async function keysFor(url: string, kid: string | undefined): Promise<Jwk[]> {
  const now = Date.now();
  const cached = cache.get(url);
  const hasKid = cached?.keys.some((key) => key.kid === kid) ?? false;
  const fresh = cached && now - cached.fetchedAt < CACHE_TTL_MS;
  const mayRefresh = !cached || now - cached.fetchedAt >= MIN_REFRESH_MS;
  if (cached && fresh && (hasKid || !mayRefresh)) return cached.keys;
  const keys = await fetchKeys(url);
  cache.set(url, { keys, fetchedAt: now });
  return keys;
}

/** For tests: forget cached key sets. */
export function clearJwksCache(): void {
  cache.clear();
}

export interface IdentityProviderConfig {
  jwksUrl: string;
  issuer?: string | undefined;
  audience?: string | undefined;
  roleClaim: string;
}

/**
 * Verifies an identity-provider token: signature by a published key, alg RS256/ES256,
 * exp required (nbf, iat checked when present), issuer and audience when configured. The
 * role comes from `roleClaim`; a token without it is a plain user.
 */
export async function verifyProviderToken(
  token: string,
  config: IdentityProviderConfig,
): Promise<Principal> {
  const { header } = decode(token);
  const payload = await verifyWithJwks(token, {
    keys: await keysFor(config.jwksUrl, typeof header.kid === "string" ? header.kid : undefined),
    allowedAlgorithms: IDP_ALGORITHMS,
    verification: {
      ...(config.issuer ? { iss: config.issuer } : {}),
      ...(config.audience ? { aud: config.audience } : {}),
    },
  });
  const claims = z
    .object({
      sub: userIdSchema,
      exp: z.number().int(),
      [config.roleClaim]: z.enum(roles).optional(),
    })
    .parse(payload);
  const role = claims[config.roleClaim] as Principal["role"] | undefined;
  return { userId: claims.sub as string, role: role ?? "user" };
}
