import Stripe from "stripe";

/**
 * Stripe's webhook events, verified with the official package: the `Stripe-Signature`
 * header (`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the endpoint's
 * signing secret) must match the raw body, and be at most 5 minutes old. Web Crypto does
 * the HMAC (the async check: Workers have no synchronous HMAC).
 */

/** Stripe's default tolerance: an event signed longer ago than this is refused (replays). */
export const STRIPE_SIGNATURE_TOLERANCE_S = 300;

export interface VerifiedStripeEvent {
  id: string;
  type: string;
  /** Unix seconds. */
  created: number;
  data: { object: Record<string, unknown> };
}

export type StripeEventVerdict =
  | { ok: true; event: VerifiedStripeEvent }
  | { ok: false; reason: string };

const cryptoProvider = Stripe.createSubtleCryptoProvider();

/**
 * The event in `rawBody` (the request body exactly as received, not re-serialized) if its
 * signature holds; else why not, in a sentence that names no secret. `nowSeconds` stands
 * for the clock (tests).
 */
export async function verifyStripeEvent(
  rawBody: string,
  signatureHeader: string | null,
  secret: string,
  nowSeconds?: number,
): Promise<StripeEventVerdict> {
  if (!signatureHeader) return { ok: false, reason: "the Stripe-Signature header is missing" };
  if (!secret) return { ok: false, reason: "no webhook signing secret is configured" };
  let event: unknown;
  try {
    event = await Stripe.webhooks.constructEventAsync(
      rawBody,
      signatureHeader,
      secret,
      STRIPE_SIGNATURE_TOLERANCE_S,
      cryptoProvider,
      nowSeconds === undefined ? undefined : nowSeconds * 1000,
    );
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  }
  return isEvent(event)
    ? {
        ok: true,
        event: { id: event.id, type: event.type, created: event.created, data: event.data },
      }
    : { ok: false, reason: "the signed body is not a Stripe event" };
}

/** Our words for the library's refusals (its messages are long, and some echo the secret's length). */
function reasonOf(err: unknown): string {
  if (!(err instanceof Stripe.errors.StripeSignatureVerificationError)) {
    // Signed correctly, but not JSON.
    return "the signed body is not a Stripe event";
  }
  const message = err.message;
  if (message.includes("Timestamp outside the tolerance zone")) {
    return `the signature is older than ${STRIPE_SIGNATURE_TOLERANCE_S / 60} minutes`;
  }
  if (message.includes("No webhook payload")) return "the body is empty";
  if (
    message.includes("Unable to extract timestamp") ||
    message.includes("No signatures found with expected scheme")
  ) {
    return "the Stripe-Signature header is malformed (no t= or v1=)";
  }
  return "the signature does not match the body";
}

function isEvent(value: unknown): value is VerifiedStripeEvent {
  if (typeof value !== "object" || value === null) return false;
  const event = value as Record<string, unknown>;
  const data = event.data as Record<string, unknown> | undefined;
  return (
    typeof event.id === "string" &&
    typeof event.type === "string" &&
    typeof event.created === "number" &&
    typeof data === "object" &&
    data !== null &&
    typeof data.object === "object" &&
    data.object !== null
  );
}
