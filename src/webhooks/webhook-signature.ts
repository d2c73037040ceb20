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
  const key = await crypto.subtle.importKey(
    "raw",
    fromBase64(secret.slice(PREFIX.length)),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signed = new TextEncoder().encode(`${id}.${timestampSeconds}.${body}`);
  const mac = await crypto.subtle.sign("HMAC", key, signed);
  return `v1,${toBase64(new Uint8Array(mac))}`;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
