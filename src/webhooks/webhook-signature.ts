import { fromBase64, toBase64 } from "../lib/base64.ts";

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the secret is
 * `whsec_<base64 key>`, and each delivery carries `webhook-id`, `webhook-timestamp` (Unix
 * seconds of this attempt) and `webhook-signature` = `v1,<base64 HMAC-SHA256 of
 * "<id>.<timestamp>.<body>">`, so any Standard Webhooks library verifies it.
 */

const PREFIX = "whsec_";

/** A new signing secret: 32 random bytes. */
export function newSigningSecret(): string {
  return `${PREFIX}${toBase64(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/** The `webhook-signature` header value for one attempt. */
export async function signDelivery(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<string> {
  const raw = fromBase64(secret.slice(PREFIX.length));
  // Secrets are made by newSigningSecret(); one that does not decode was never ours.
  if (!raw) throw new Error("a webhook secret must be whsec_<base64>");
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const signed = new TextEncoder().encode(`${id}.${timestampSeconds}.${body}`);
  const mac = await crypto.subtle.sign("HMAC", key, signed);
  return `v1,${toBase64(new Uint8Array(mac))}`;
}
