import { decode, verifyWithJwks } from "hono/jwt";
import { z } from "zod";
import { userIdSchema } from "./access-token.ts";
import { type Jwk, JwksCache } from "./jwks-cache.ts";
import { type Principal, principalOf, roles } from "./principal.ts";

/**
 * Tokens from an identity provider (RS256 or ES256), verified against the keys published
 * at JWKS_URL. Keys are cached per isolate (jwks-cache.ts: fresh for 5 minutes, one
 * refresh at a time with a 3 s timeout, served up to an hour longer while the provider is
 * down, and a refresh for an unknown key id at most every 30 s), so key rotation needs no
 * deploy and a provider outage does not log everyone out.
 */

export const IDP_ALGORITHMS = ["RS256", "ES256"] as const;

async function fetchKeys(url: string, signal: AbortSignal): Promise<Jwk[]> {
  const response = await fetch(url, { headers: { Accept: "application/json" }, signal });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`JWKS ${url} answered ${response.status}`);
  }
  const body = (await response.json()) as { keys?: unknown };
  if (!Array.isArray(body.keys)) throw new Error(`JWKS ${url} has no keys array`);
  return body.keys as Jwk[];
}

const cache = new JwksCache(fetchKeys);

/** For tests: forget cached key sets. */
export function clearJwksCache(): void {
  cache.clear();
}

interface IdentityProviderConfig {
  jwksUrl: string;
  issuer?: string | undefined;
  audience?: string | undefined;
  roleClaim: string;
  /** The claim naming the caller's organization (ORG_CLAIM, default `org`). */
  orgClaim: string;
}

/**
 * Verifies an identity-provider token: signature by a published key, alg RS256/ES256,
 * exp required (nbf, iat checked when present), issuer and audience when configured. The
 * role comes from `roleClaim` (a token without it is a plain user), the organization from
 * `orgClaim` (Auth0, Clerk and Cloudflare Access name their claims as their owner chooses).
 */
export async function verifyProviderToken(
  token: string,
  config: IdentityProviderConfig,
): Promise<Principal> {
  const { header } = decode(token);
  const payload = await verifyWithJwks(token, {
    keys: await cache.keysFor(
      config.jwksUrl,
      typeof header.kid === "string" ? header.kid : undefined,
    ),
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
      [config.orgClaim]: z.string().max(64).optional(),
    })
    .parse(payload);
  const role = (claims[config.roleClaim] as Principal["role"] | undefined) ?? "user";
  const org = claims[config.orgClaim] as string | undefined;
  const principal = principalOf(claims.sub as string, role, org);
  if ("refused" in principal) throw new Error(principal.refused);
  return principal;
}
