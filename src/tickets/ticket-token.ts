import { z } from "zod";
import { fromBase64url, toBase64url } from "../lib/base64.ts";
import type { TicketKeys } from "./ticket-keys.ts";

/**
 * Ticket tokens: compact JWS (RFC 7515), `alg: EdDSA` (Ed25519), `typ: ticket+jws`, the
 * key's `kid` in the header. The payload names the ticket, its booking, show and seats and
 * when it was issued, so a door scanner with the public keys can check a ticket offline.
 * Ed25519 signatures are deterministic: the same ticket always gets the same token.
 */

export const ticketClaimsSchema = z.object({
  ticket_id: z.string().min(1).max(200),
  booking_id: z.string().min(1).max(200),
  show_id: z.string().min(1).max(200),
  seats: z.array(z.string().max(200)).max(50),
  /** Seconds since the epoch. */
  iat: z.number().int().nonnegative(),
});
export type TicketClaims = z.infer<typeof ticketClaimsSchema>;

const headerSchema = z.object({
  alg: z.literal("EdDSA"),
  kid: z.string().min(1).max(64),
});

/** Longest token accepted: far above a real one (about 600 characters). */
const MAX_TOKEN_LENGTH = 4096;

const encoder = new TextEncoder();

function decodeJson(part: string): unknown {
  const bytes = fromBase64url(part);
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return undefined;
  }
}

export async function signTicket(claims: TicketClaims, keys: TicketKeys): Promise<string> {
  const header = { alg: "EdDSA", kid: keys.signing.kid, typ: "ticket+jws" };
  const input = `${toBase64url(encoder.encode(JSON.stringify(header)))}.${toBase64url(encoder.encode(JSON.stringify(claims)))}`;
  const signature = await crypto.subtle.sign("Ed25519", keys.signing.key, encoder.encode(input));
  return `${input}.${toBase64url(new Uint8Array(signature))}`;
}

/** The token's claims, or why it is not a ticket this API signed. */
export async function verifyTicket(
  token: string,
  keys: TicketKeys,
): Promise<{ ok: true; claims: TicketClaims } | { ok: false; reason: string }> {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "the token is too long" };
  const parts = token.split(".");
  const [headerPart, payloadPart, signaturePart] = parts;
  if (parts.length !== 3 || headerPart === undefined || payloadPart === undefined) {
    return { ok: false, reason: "not a compact JWS" };
  }
  const header = headerSchema.safeParse(decodeJson(headerPart));
  if (!header.success) return { ok: false, reason: "the header is not an EdDSA ticket header" };
  const key = keys.verifying.get(header.data.kid);
  if (!key) return { ok: false, reason: `unknown key ${header.data.kid}` };
  const signature = fromBase64url(signaturePart ?? "");
  const signed =
    signature?.length === 64 &&
    (await crypto.subtle.verify(
      "Ed25519",
      key,
      signature,
      encoder.encode(`${headerPart}.${payloadPart}`),
    ));
  if (!signed) return { ok: false, reason: "bad signature" };
  const claims = ticketClaimsSchema.safeParse(decodeJson(payloadPart));
  if (!claims.success) return { ok: false, reason: "the payload is not a ticket" };
  return { ok: true, claims: claims.data };
}
