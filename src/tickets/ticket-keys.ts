import { z } from "zod";

/**
 * The Ed25519 keys of ticket tokens. TICKET_SIGNING_KEY (a secret) is the current private
 * key as a JWK with its `kid`; TICKET_PREVIOUS_KEYS (a plain variable: public keys are not
 * secret) is a JSON array of the public JWKs of keys retired by a rotation, so tickets
 * issued under them still verify. All of them are published at GET /v1/tickets/keys.
 */

const kid = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "kid: 1-64 letters, digits, . _ -");
const base64url = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "a 32-byte base64url value");

const publicJwkSchema = z.object({
  kty: z.literal("OKP"),
  crv: z.literal("Ed25519"),
  x: base64url,
  kid,
});
const privateJwkSchema = publicJwkSchema.extend({ d: base64url });

export interface PublicJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  kid: string;
  alg: "EdDSA";
  use: "sig";
}

export interface TicketKeys {
  /** The key new tokens are signed with. */
  signing: { kid: string; key: CryptoKey };
  /** Every key a token may name (current first), by kid. */
  verifying: Map<string, CryptoKey>;
  /** The public keys as a JWKS `keys` array. */
  jwks: PublicJwk[];
}

/** The secret is missing or malformed: a deployment fault, never the client's. */
export class TicketKeyConfigError extends Error {
  override name = "TicketKeyConfigError";
}

function parse<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TicketKeyConfigError(`${what} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new TicketKeyConfigError(`${what}: ${parsed.error.message}`);
  return parsed.data;
}

function publicJwk(jwk: z.infer<typeof publicJwkSchema>): PublicJwk {
  return { kty: "OKP", crv: "Ed25519", x: jwk.x, kid: jwk.kid, alg: "EdDSA", use: "sig" };
}

function importPublic(jwk: z.infer<typeof publicJwkSchema>): Promise<CryptoKey> {
  const { kty, crv, x } = jwk;
  return crypto.subtle.importKey("jwk", { kty, crv, x }, { name: "Ed25519" }, false, ["verify"]);
}

async function loadKeys(signingKey: string, previousKeys: string): Promise<TicketKeys> {
  if (!signingKey) throw new TicketKeyConfigError("TICKET_SIGNING_KEY is not set");
  const current = parse(privateJwkSchema, signingKey, "TICKET_SIGNING_KEY");
  const previous = previousKeys.trim()
    ? parse(z.array(publicJwkSchema), previousKeys, "TICKET_PREVIOUS_KEYS")
    : [];
  const { kty, crv, x, d } = current;
  const key = await crypto.subtle.importKey("jwk", { kty, crv, x, d }, { name: "Ed25519" }, false, [
    "sign",
  ]);
  const verifying = new Map<string, CryptoKey>([[current.kid, await importPublic(current)]]);
  const jwks = [publicJwk(current)];
  for (const old of previous) {
    if (verifying.has(old.kid)) continue;
    verifying.set(old.kid, await importPublic(old));
    jwks.push(publicJwk(old));
  }
  return { signing: { kid: current.kid, key }, verifying, jwks };
}

/** Imported once per isolate for the configuration it runs with. */
let cached: { config: string; keys: Promise<TicketKeys> } | undefined;

export function ticketKeys(env: {
  TICKET_SIGNING_KEY?: string;
  TICKET_PREVIOUS_KEYS?: string;
}): Promise<TicketKeys> {
  const signingKey = env.TICKET_SIGNING_KEY ?? "";
  const previousKeys = env.TICKET_PREVIOUS_KEYS ?? "";
  const config = `${signingKey}\n${previousKeys}`;
  if (cached?.config !== config) {
    const keys = loadKeys(signingKey, previousKeys);
    // A failed load is not kept: the next request tries again (and fails the same way).
    keys.catch(() => {
      if (cached?.keys === keys) cached = undefined;
    });
    cached = { config, keys };
  }
  return cached.keys;
}
