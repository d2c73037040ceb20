import { sign, verify } from "hono/jwt";
import { z } from "zod";
import { hmacKey } from "../lib/hmac-keys.ts";
import { type Principal, principalOf, roles } from "./principal.ts";

/** The only algorithm accepted for our own tokens; `alg: none` and others fail verify(). */
const ALGORITHM = "HS256";

/**
 * A user id: a token's `sub`. Identity providers choose their own (`auth0|5f1c...`,
 * `google-oauth2|1035...`, `samlp|corp|jane@example.com`, UUIDs), so any printable ASCII is
 * accepted; spaces, control characters and other text are not, and 128 characters is far
 * more than any provider uses while keeping rate-limit and idempotency keys well inside
 * KV's 512-byte key limit.
 */
export const userIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, "may hold printable ASCII characters only, without spaces");

const claimsSchema = z.object({
  sub: userIdSchema,
  role: z.enum(roles),
  org: z.string().max(64).optional(),
  exp: z.number().int(),
});

export class InvalidTokenError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "InvalidTokenError";
  }
}

/**
 * Verifies an HS256 token and its claims. hono's verify() checks the signature, that the
 * header's alg is HS256, and exp when present; exp is required here on top of that.
 */
export async function verifyAccessToken(token: string, secret: string): Promise<Principal> {
  let payload: unknown;
  try {
    payload = await verify(token, await hmacKey(secret), ALGORITHM);
  } catch (err) {
    throw new InvalidTokenError(err instanceof Error ? err.name : "invalid token");
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new InvalidTokenError("missing or invalid claims (sub, role, exp)");
  const principal = principalOf(claims.data.sub, claims.data.role, claims.data.org);
  if ("refused" in principal) throw new InvalidTokenError(principal.refused);
  return principal;
}

interface TokenRequest {
  sub: string;
  role: Principal["role"];
  /** The organization of an organizer or scanner. */
  org?: string | undefined;
  ttlSeconds: number;
  now?: number;
}

export function signAccessToken(request: TokenRequest, secret: string): Promise<string> {
  const iat = Math.floor((request.now ?? Date.now()) / 1000);
  return sign(
    {
      sub: request.sub,
      role: request.role,
      ...(request.org ? { org: request.org } : {}),
      iat,
      exp: iat + request.ttlSeconds,
    },
    secret,
    ALGORITHM,
  );
}
