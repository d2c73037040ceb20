/**
 * HMAC-SHA-256 keys imported once per isolate and secret, not once per request (importing
 * a key showed in the profile of a booking). `purpose` is mixed into the key material, so
 * one secret yields separate keys for separate uses (a queue pass can never verify as an
 * idempotency hash).
 */
const keys = new Map<string, Promise<CryptoKey>>();

/** Keys kept at most: secrets are a handful per deployment; rotation adds one or two. */
const MAX_KEYS = 32;

export function hmacKey(secret: string, purpose = ""): Promise<CryptoKey> {
  const material = purpose ? `${purpose}:${secret}` : secret;
  let key = keys.get(material);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(material),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    // A failed import is not kept: the next call tries again.
    key.catch(() => keys.delete(material));
    if (keys.size >= MAX_KEYS) keys.clear();
    keys.set(material, key);
  }
  return key;
}
