// Verifies a ticket token (compact JWS, EdDSA/Ed25519) against the cached public keys, the
// way the server does, so the door can check tickets with no network.

function fromBase64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

function decodeJson(part) {
  const bytes = fromBase64url(part);
  if (!bytes) return null;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

/** Imported keys by kid, built once per key set. */
const imported = new Map();

async function keyFor(jwks, kid) {
  const jwk = jwks.find((key) => key.kid === kid);
  if (!jwk) return null;
  const cacheKey = `${kid}:${jwk.x}`;
  if (!imported.has(cacheKey)) {
    const { kty, crv, x } = jwk;
    imported.set(
      cacheKey,
      await crypto.subtle.importKey("jwk", { kty, crv, x }, { name: "Ed25519" }, false, ["verify"]),
    );
  }
  return imported.get(cacheKey);
}

/** `{ok: true, claims}` or `{ok: false, reason}`. */
export async function verifyTicket(token, jwks) {
  const parts = token.trim().split(".");
  if (parts.length !== 3) return { ok: false, reason: "not a ticket code" };
  const [headerPart, payloadPart, signaturePart] = parts;
  const header = decodeJson(headerPart);
  if (header?.alg !== "EdDSA" || typeof header.kid !== "string") {
    return { ok: false, reason: "not a ticket code" };
  }
  const key = await keyFor(jwks, header.kid);
  if (!key) return { ok: false, reason: `unknown key ${header.kid}: reload the manifest` };
  const signature = fromBase64url(signaturePart);
  const signed =
    signature?.length === 64 &&
    (await crypto.subtle.verify(
      "Ed25519",
      key,
      signature,
      new TextEncoder().encode(`${headerPart}.${payloadPart}`),
    ));
  if (!signed) return { ok: false, reason: "forged or damaged ticket (bad signature)" };
  const claims = decodeJson(payloadPart);
  if (typeof claims?.ticket_id !== "string") return { ok: false, reason: "not a ticket" };
  return { ok: true, claims };
}
