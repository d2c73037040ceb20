import { decode } from "hono/jwt";
import { InvalidTokenError, verifyAccessToken } from "./access-token.ts";
import { IDP_ALGORITHMS, verifyProviderToken } from "./identity-provider.ts";
import type { Principal } from "./principal.ts";

/**
 * Any token the API accepts: our own HS256 tokens (JWT_SECRET), and, when JWKS_URL is
 * configured, RS256/ES256 tokens from the identity provider. The header's alg only picks
 * which verifier runs; each verifier insists on its own algorithms, so `alg: none` or an
 * HS256 token "signed" with a public key cannot slip through.
 */
export async function verifyToken(token: string, env: Env): Promise<Principal> {
  let alg: unknown;
  try {
    alg = decode(token).header.alg;
  } catch {
    throw new InvalidTokenError("malformed token");
  }
  if (env.JWKS_URL && IDP_ALGORITHMS.some((known) => known === alg)) {
    try {
      return await verifyProviderToken(token, {
        jwksUrl: env.JWKS_URL,
        issuer: env.JWT_ISSUER || undefined,
        audience: env.JWT_AUDIENCE || undefined,
        roleClaim: env.ROLE_CLAIM || "role",
        orgClaim: env.ORG_CLAIM || "org",
      });
    } catch (err) {
      throw new InvalidTokenError(err instanceof Error ? err.name : "invalid token");
    }
  }
  return verifyAccessToken(token, env.JWT_SECRET);
}
