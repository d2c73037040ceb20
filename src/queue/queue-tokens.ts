import { z } from "zod";
import { fromBase64url, toBase64url } from "../lib/base64.ts";
import { hmacKey } from "../lib/hmac-keys.ts";
import type { Entry } from "./queue-order.ts";

/**
 * The waiting room's two signed tokens, checked in the Worker without asking any object:
 * the queue ticket (a place in the line: user, show, generation, entry) and the queue pass
 * (user, show, generation, expiry), both `<payload>.<signature>` in base64url with an HMAC-SHA-256 under a key
 * derived from JWT_SECRET (its own label, so no token of one kind passes for another, nor
 * for an access token).
 */

const ticketPayload = z.object({
  t: z.literal("ticket"),
  u: z.string().min(1).max(128),
  s: z.string().min(1).max(128),
  g: z.number().int().min(1),
  e: z.tuple([z.number().int(), z.number().int().min(0), z.number().int().min(1)]),
});
const passPayload = z.object({
  t: z.literal("pass"),
  u: z.string().min(1).max(128),
  s: z.string().min(1).max(128),
  g: z.number().int().min(1),
  x: z.number().int(),
});

export interface QueueTicket {
  userId: string;
  showId: string;
  /** The queue's generation: turning a queue off and on again starts a new line. */
  generation: number;
  entry: Entry;
}

export interface QueuePass {
  userId: string;
  showId: string;
  /** The line that admitted the holder: a pass outlives no reset of the queue. */
  generation: number;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const encoder = new TextEncoder();

async function sign(payload: object, secret: string): Promise<string> {
  const body = toBase64url(encoder.encode(JSON.stringify(payload)));
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret, "queue-token-v1"),
    encoder.encode(body),
  );
  return `${body}.${toBase64url(new Uint8Array(mac))}`;
}

/** The payload of a well-signed token, or undefined for anything else. */
async function verified(token: string, secret: string): Promise<unknown> {
  if (token.length > 1024) return undefined;
  const [body, mac, extra] = token.split(".");
  if (!body || !mac || extra !== undefined) return undefined;
  const signature = fromBase64url(mac);
  const payload = fromBase64url(body);
  if (!signature || !payload) return undefined;
  const good = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(secret, "queue-token-v1"),
    signature,
    encoder.encode(body),
  );
  if (!good) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return undefined;
  }
}

export function signTicket(ticket: QueueTicket, secret: string): Promise<string> {
  return sign(
    {
      t: "ticket",
      u: ticket.userId,
      s: ticket.showId,
      g: ticket.generation,
      e: ticket.entry,
    },
    secret,
  );
}

export function signPass(pass: QueuePass, secret: string): Promise<string> {
  return sign(
    { t: "pass", u: pass.userId, s: pass.showId, g: pass.generation, x: pass.expiresAt },
    secret,
  );
}

/** The ticket a token carries, or undefined if it is not a ticket signed with `secret`. */
export async function readTicket(token: string, secret: string): Promise<QueueTicket | undefined> {
  const parsed = ticketPayload.safeParse(await verified(token, secret));
  if (!parsed.success) return undefined;
  const { u, s, g, e } = parsed.data;
  return { userId: u, showId: s, generation: g, entry: e };
}

/** The pass a token carries, or undefined if it is not a pass signed with `secret`. */
export async function readPass(token: string, secret: string): Promise<QueuePass | undefined> {
  const parsed = passPayload.safeParse(await verified(token, secret));
  if (!parsed.success) return undefined;
  const { u, s, g, x } = parsed.data;
  return { userId: u, showId: s, generation: g, expiresAt: x };
}
