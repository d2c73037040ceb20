import { env } from "cloudflare:workers";
import { TEST_CARDS } from "../src/payments/payment-simulator.ts";

/**
 * What must never reach a log line: a card number (a run of 13-19 digits standing as a
 * value, and every test card), a CVV field, a bearer token or any JWT, the signing secret.
 */
const PATTERNS: RegExp[] = [
  // Standing alone, as a value: digits inside an id (user_list_1795930611852) are not a card.
  /(?<![\w.])\d{13,19}(?![\w.])/,
  /"cvv"/i,
  /bearer\s+[\w-]/i,
  /eyJ[\w-]{5,}\.[\w-]{5,}\./,
];

/** The secrets found in a line, named; empty when it is clean. */
export function secretsIn(line: string): string[] {
  const found = PATTERNS.filter((pattern) => pattern.test(line)).map(String);
  if (env.JWT_SECRET && line.includes(env.JWT_SECRET)) found.push("JWT_SECRET");
  for (const number of Object.values(TEST_CARDS)) {
    if (line.includes(number)) found.push(`test card ${number.slice(-4)}`);
  }
  return found;
}
