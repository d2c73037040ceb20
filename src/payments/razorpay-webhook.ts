import { notesOf, sha256Hex } from "./razorpay-api.ts";

/**
 * Razorpay's webhook events, verified: `X-Razorpay-Signature` is the hex HMAC-SHA256 of the
 * raw request body, keyed with the webhook's secret (set in Razorpay's Dashboard). Web
 * Crypto checks it (`subtle.verify`, which compares in constant time).
 *
 * The signature has no timestamp, so a replayed event cannot be told by its signature:
 * Razorpay delivers at least once and says so, and the caller keeps the ids of the events
 * it has handled (`x-razorpay-event-id`, unique per event), which also stops a replay.
 */

export interface VerifiedRazorpayEvent {
  /** `x-razorpay-event-id`; or, without it, `sha256:<hex of the body>` (see below). */
  id: string;
  /** `payment.captured`, `payment.failed`, `order.paid`, `refund.processed`, ... */
  type: string;
  /** The payment the event is about (`pay_...`), if any. */
  paymentId: string | null;
  /** The order (`order_...`): the order's own, or the payment's or refund's order. */
  orderId: string | null;
  /**
   * The notes of the entities in the payload, the order's over the payment's over the
   * refund's: the order's carry our `booking_id` and `attempt_key` (Razorpay does not copy
   * an order's notes to its payments, so a payment.* event may carry none: its orderId
   * leads to them).
   */
  notes: Record<string, string>;
}

export type RazorpayEventVerdict =
  | { ok: true; event: VerifiedRazorpayEvent }
  | { ok: false; reason: string };

/**
 * The event in `rawBody` (the request body exactly as received, not re-serialized) if its
 * signature holds; else why not, in a sentence that names no secret.
 */
export async function verifyRazorpayEvent(
  rawBody: string,
  signatureHeader: string | null,
  eventIdHeader: string | null,
  secret: string,
): Promise<RazorpayEventVerdict> {
  if (!signatureHeader) {
    return { ok: false, reason: "the X-Razorpay-Signature header is missing" };
  }
  if (!secret) return { ok: false, reason: "no webhook secret is configured" };
  const signature = hexBytes(signatureHeader.trim());
  if (signature?.length !== 32) {
    return { ok: false, reason: "the X-Razorpay-Signature header is not a hex HMAC-SHA256" };
  }
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const genuine = await crypto.subtle.verify("HMAC", key, signature, encoder.encode(rawBody));
  if (!genuine) return { ok: false, reason: "the signature does not match the body" };

  const event = eventOf(rawBody);
  if (!event) return { ok: false, reason: "the signed body is not a Razorpay event" };
  // Without the header (a proxy that drops it, a replay by hand), the body stands for the
  // event: Razorpay redelivers an event with the same body, and two events differ in their
  // entities or their created_at, so the hash tells redeliveries apart from new events.
  const id = eventIdHeader?.trim() || `sha256:${await sha256Hex(rawBody)}`;
  return { ok: true, event: { id, ...event } };
}

type Entity = Record<string, unknown>;

function eventOf(rawBody: string): Omit<VerifiedRazorpayEvent, "id"> | undefined {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return undefined;
  }
  if (!isObject(body) || typeof body.event !== "string" || !isObject(body.payload)) {
    return undefined;
  }
  const payment = entityOf(body.payload, "payment");
  const order = entityOf(body.payload, "order");
  const refund = entityOf(body.payload, "refund");
  const paymentId = text(payment?.id) ?? text(refund?.payment_id);
  return {
    type: body.event,
    paymentId,
    orderId: text(order?.id) ?? text(payment?.order_id),
    notes: {
      ...notesOf(refund?.notes),
      ...notesOf(payment?.notes),
      ...notesOf(order?.notes),
    },
  };
}

/** `payload.<name>.entity`, Razorpay's shape for each entity an event contains. */
function entityOf(payload: Entity, name: string): Entity | undefined {
  const wrapper = payload[name];
  return isObject(wrapper) && isObject(wrapper.entity) ? wrapper.entity : undefined;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function isObject(value: unknown): value is Entity {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hexBytes(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i += 1) {
    bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  }
  return bytes;
}
