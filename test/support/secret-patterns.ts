import { env } from "cloudflare:workers";
import { TEST_CARDS } from "../../src/payments/payment-simulator.ts";

/**
 * What must never reach a log line: a card number (a run of 13-19 digits standing as a
 * value, and every test card), a CVV field, a bearer token, any JWT or JWS (ticket tokens
 * included), a webhook signing secret, the token and ticket signing secrets.
 */
const PATTERNS: RegExp[] = [
  // Standing alone, as a value: digits inside an id (user_list_1795930611852) are not a card.
  /(?<![\w.])\d{13,19}(?![\w.])/,
  /"cvv"/i,
  /bearer\s+[\w-]/i,
  /eyJ[\w-]{5,}\.[\w-]{5,}\./,
  // A compact JWS's signed part alone (a ticket token cut short, or its header dropped).
  /eyJ[\w-]{20,}/,
  /whsec_[A-Za-z0-9+/=]{8,}/,
];

/** The private half of the ticket signing key (its JWK's `d`), if one is configured. */
function ticketPrivateKey(): string | undefined {
  try {
    const jwk = JSON.parse(env.TICKET_SIGNING_KEY ?? "") as { d?: unknown };
    return typeof jwk.d === "string" ? jwk.d : undefined;
  } catch {
    return undefined;
  }
}

/** The secrets found in a line, named; empty when it is clean. */
export function secretsIn(line: string): string[] {
  const found = PATTERNS.filter((pattern) => pattern.test(line)).map(String);
  if (env.JWT_SECRET && line.includes(env.JWT_SECRET)) found.push("JWT_SECRET");
  const ticketKey = ticketPrivateKey();
  if (ticketKey && line.includes(ticketKey)) found.push("TICKET_SIGNING_KEY");
  for (const number of Object.values(TEST_CARDS)) {
    if (line.includes(number)) found.push(`test card ${number.slice(-4)}`);
  }
  return found;
}
