import { generateKeyPairSync } from "node:crypto";

/** The run's Ed25519 key of ticket tokens (a required secret): a private JWK with a kid. */
const ticketSigningKey = JSON.stringify({
  ...generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }),
  kid: "bench",
});

/**
 * The bindings every bench server gets over wrangler.toml's: the secrets, the simulated
 * provider, no dev tokens, rate limits off (a phase that measures them turns them on).
 */
export function benchBindings(jwtSecret: string): Record<string, string> {
  return {
    TICKET_SIGNING_KEY: ticketSigningKey,
    PAYMENT_PROVIDER: "simulated",
    PAYMENT_TIMEOUT_MS: "10000",
    CURRENCY: "INR",
    DEV_TOKENS: "false",
    JWT_SECRET: jwtSecret,
    RATE_LIMITS_ENABLED: "false",
  };
}
