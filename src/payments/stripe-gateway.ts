import Stripe from "stripe";
import {
  type ChargeOutcome,
  type ChargeRequest,
  type PaymentGateway,
  PaymentOutcomeUnknown,
  type RefundOutcome,
  type RefundRequest,
  refundDone,
} from "./payment-gateway.ts";
import { providerOrigin } from "./provider-origin.ts";
import {
  declineOf,
  failureOf,
  isMissing,
  refusalCode,
  StripeRequestRefused,
  unusablePaymentMethod,
} from "./stripe-errors.ts";
import { given, outcomeOf, pick, refunded } from "./stripe-outcomes.ts";

/**
 * The Stripe provider (PAYMENT_PROVIDER = "stripe"), through the official `stripe` package
 * in its Workers mode (fetch for HTTP, no Node modules).
 *
 * - A charge is ONE PaymentIntent per attempt, created and confirmed in one call under the
 *   Idempotency-Key `pi:<attempt key>`: however often an attempt is retried (by the show
 *   object, after a timeout, after a restart), Stripe makes one intent and replays its first
 *   answer. The library's own random key is never used, and it retries nothing
 *   (maxNetworkRetries 0): our keys and the show object's retries decide.
 * - The intent carries our booking id and the attempt key in its metadata, which is how a
 *   charge whose answer was lost is found again (retrieve, refund).
 * - Of the card, only brand and last four digits are kept.
 *
 * Keys: `pi:` charge (create), `re:` refund, `ca:` cancel of an intent left waiting. A
 * Stripe key belongs to one endpoint, so a refund that has to cancel instead uses a key of
 * its own for that. A partial refund (an amount given) also carries its key in its
 * metadata (`refund_key`), which is how it is found again once Stripe has forgotten the key.
 */

/**
 * The API version this adapter is written against: the stripe package's own (23.2.0).
 * Pinned here rather than left to the account's default; TypeScript refuses any other
 * value, so upgrading the package means revisiting this file.
 */
export const STRIPE_API_VERSION = "2026-11-18.endive" satisfies Stripe.LatestApiVersion;

export interface StripeGatewayConfig {
  /** The secret key (`sk_live_...`, `sk_test_...`) or a restricted key (`rk_...`). */
  secretKey: string;
  /** Stripe's origin, no path: https://api.stripe.com unless a stand-in answers instead. */
  apiBase?: string;
  /** How long one request to Stripe may take, answer body included (ms). */
  timeoutMs?: number;
  /**
   * How far back the strongly consistent list of intents is read when the search index has
   * nothing yet (seconds): see findByAttemptKey.
   */
  recentWindowSeconds?: number;
}

const DEFAULT_API_BASE = "https://api.stripe.com";
const DEFAULT_TIMEOUT_MS = 10_000;
/** Stripe: search data is normally fresh within a minute, later during incidents. */
const DEFAULT_RECENT_WINDOW_S = 3_600;

type Intent = Stripe.PaymentIntent;

export class StripeGateway implements PaymentGateway {
  readonly provider = "stripe" as const;
  private readonly stripe: Stripe;
  private readonly recentWindowSeconds: number;

  constructor(config: StripeGatewayConfig) {
    if (!config.secretKey) throw new Error("StripeGateway: a secret key is required");
    const base = parseApiBase(config.apiBase ?? DEFAULT_API_BASE);
    this.recentWindowSeconds = config.recentWindowSeconds ?? DEFAULT_RECENT_WINDOW_S;
    this.stripe = new Stripe(config.secretKey, {
      apiVersion: STRIPE_API_VERSION,
      // The library keeps the fetch it is given; this one looks the global up at each call,
      // so whatever answers fetch in this isolate when the request is made is used.
      httpClient: Stripe.createFetchHttpClient((input, init) => fetch(input, init)),
      host: base.host,
      port: base.port,
      protocol: base.protocol,
      maxNetworkRetries: 0,
      timeout: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
  }

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    const { method } = request;
    if (method.kind !== "token" || method.provider !== "stripe") {
      // Card fields never go to Stripe from our server (acceptedMethod refuses them first).
      throw new StripeRequestRefused(
        undefined,
        undefined,
        "the Stripe gateway takes a Stripe PaymentMethod id, not card fields",
      );
    }
    let intent: Intent;
    try {
      intent = await this.stripe.paymentIntents.create(
        {
          amount: request.amountMinor,
          currency: request.currency.toLowerCase(),
          payment_method: method.token,
          confirm: true,
          // Cards only. On this API version the list is `allowed_payment_method_types`:
          // `payment_method_types` is refused since 2026-09-30.endive.
          allowed_payment_method_types: ["card"],
          metadata: { booking_id: request.reference, attempt_key: request.idempotencyKey },
          expand: ["latest_charge"],
        },
        { idempotencyKey: chargeKey(request.idempotencyKey) },
      );
    } catch (err) {
      const decline = declineOf(err) ?? unusablePaymentMethod(err);
      if (decline) return { status: "declined", ...decline };
      throw failureOf(err);
    }
    const outcome = outcomeOf(intent);
    // "processing": the card network has not answered yet (rare for cards). The answer
    // comes later (Stripe's payment_intent.succeeded / payment_failed events), which this
    // slice does not take yet, so it is an unknown outcome: the caller settles it like a
    // timeout, and the refund waits (throws) until the intent has left "processing".
    // Statuses a confirmed, automatically captured intent should not be in are unknown too.
    if (!outcome) throw new PaymentOutcomeUnknown("provider_error");
    return outcome;
  }

  /**
   * Gives back what the attempt charged, once per refund key. The intent is `paymentId`
   * when given, else the one found by the attempt key. A succeeded intent is refunded by
   * `amountMinor`, or in full (what is left of it) without one; one still waiting (for the
   * buyer's action, for capture) is cancelled, so it can never charge later, and that is
   * no_charge, like an attempt that made no intent or whose card was declined.
   */
  async refund(request: RefundRequest): Promise<RefundOutcome> {
    const intent = await this.findIntent(request.chargeIdempotencyKey, request.paymentId);
    if (!intent) return { status: "no_charge" };
    switch (intent.status) {
      case "succeeded":
        return this.refundIntent(intent.id, request);
      // Waiting, or failed but still confirmable from the browser with its client secret
      // (requires_payment_method): cancelled, so it can never charge later.
      case "requires_action":
      case "requires_confirmation":
      case "requires_capture":
      case "requires_payment_method":
        await this.cancelIntent(intent.id, request.idempotencyKey);
        return { status: "no_charge" };
      case "canceled":
        return { status: "no_charge" };
      default:
        // processing: not settled yet, ask again later.
        throw new PaymentOutcomeUnknown("provider_error");
    }
  }

  async retrieve(idempotencyKey: string, paymentId?: string): Promise<ChargeOutcome | undefined> {
    const intent = await this.findIntent(idempotencyKey, paymentId);
    if (!intent) return undefined;
    const outcome = outcomeOf(intent);
    if (!outcome) throw new PaymentOutcomeUnknown("provider_error");
    return outcome;
  }

  private async refundIntent(intentId: string, request: RefundRequest): Promise<RefundOutcome> {
    const { idempotencyKey: refundKey, amountMinor } = request;
    if (amountMinor !== undefined) {
      // Stripe forgets a key after 24 hours, and unlike a second full refund, a second
      // partial one is not refused: a key asked again that late finds its refund by the
      // metadata it carries.
      const mine = (await this.refundsOf(intentId)).find(
        (r) => given(r) && r.metadata?.refund_key === refundKey,
      );
      if (mine) return refundDone(refundKey, mine, amountMinor);
    }
    try {
      const refund = await this.stripe.refunds.create(
        // Without an amount, the request is the one made before partial refunds existed, so
        // a key first sent then is still replayed, not refused as sent with other parameters.
        amountMinor === undefined
          ? { payment_intent: intentId }
          : { payment_intent: intentId, amount: amountMinor, metadata: { refund_key: refundKey } },
        { idempotencyKey: `re:${refundKey}` },
      );
      return refunded(refund);
    } catch (err) {
      // More than is left of a partly refunded charge: amount_too_large, thrown.
      if (refusalCode(err) !== "charge_already_refunded") throw failureOf(err);
    }
    // Refunded in full already (under this key, or under others): this key's refund is the
    // answer, else the latest.
    const earlier = (await this.refundsOf(intentId)).filter(given);
    const done = earlier.find((r) => r.metadata?.refund_key === refundKey) ?? earlier[0];
    if (!done) throw new PaymentOutcomeUnknown("provider_error");
    return { status: "refunded", refundId: done.id };
  }

  /**
   * The intent's refunds, newest first: the last 100, more than a booking's seats can make
   * (one partial refund per seat resold, and one for the rest).
   */
  private async refundsOf(intentId: string): Promise<Stripe.Refund[]> {
    const page = await this.call(() =>
      this.stripe.refunds.list({ payment_intent: intentId, limit: 100 }),
    );
    return page.data;
  }

  private async cancelIntent(intentId: string, refundKey: string): Promise<void> {
    try {
      await this.stripe.paymentIntents.cancel(
        intentId,
        { cancellation_reason: "abandoned" },
        { idempotencyKey: `ca:${refundKey}` },
      );
    } catch (err) {
      // Between our read and the cancel the intent may have moved on (the buyer finished
      // 3-D Secure): the caller asks again and gets the refund of what it became.
      throw failureOf(err);
    }
  }

  /**
   * The intent of an attempt: by id when known, else by the attempt key in its metadata.
   *
   * Stripe's search (`metadata['attempt_key']:'...'`) is the way to find an object by
   * metadata, but its index lags writes (under a minute normally, longer during incidents),
   * and the moment we most need it, right after a timeout, is when the intent is newest. So
   * when search has nothing, the list of intents (read straight from the store, no lag) is
   * read back over the last `recentWindowSeconds`, newest first. Finding nothing in either
   * means no intent was made under the key (or it is older than the window and still not
   * indexed, which Stripe's guarantees make very unlikely).
   *
   * Where search is refused (Stripe offers none to accounts in India), only the window is
   * read: an attempt older than it is not found. Callers that know the payment id (a
   * cancellation's refund of a confirmed booking) must pass it.
   */
  private async findIntent(attemptKey: string, paymentId?: string): Promise<Intent | undefined> {
    if (paymentId) {
      try {
        return await this.stripe.paymentIntents.retrieve(paymentId, {
          expand: ["latest_charge"],
        });
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw failureOf(err);
      }
    }
    const indexed = pick(await this.searchByAttemptKey(attemptKey));
    if (indexed) return indexed;
    return pick(await this.recentIntents(attemptKey));
  }

  /** Search's matches; none when the account has no search (Stripe: not for India). */
  private async searchByAttemptKey(attemptKey: string): Promise<Intent[]> {
    try {
      const found = await this.stripe.paymentIntents.search({
        query: `metadata['attempt_key']:'${searchString(attemptKey)}'`,
        limit: 10,
        expand: ["data.latest_charge"],
      });
      return found.data.filter((i) => i.metadata?.attempt_key === attemptKey);
    } catch (err) {
      const failure = failureOf(err);
      if (failure instanceof StripeRequestRefused) return [];
      throw failure;
    }
  }

  private async recentIntents(attemptKey: string): Promise<Intent[]> {
    const since = Math.floor(Date.now() / 1000) - this.recentWindowSeconds;
    const matches: Intent[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.call(() =>
        this.stripe.paymentIntents.list({
          created: { gte: since },
          limit: 100,
          expand: ["data.latest_charge"],
          ...(startingAfter ? { starting_after: startingAfter } : {}),
        }),
      );
      matches.push(...page.data.filter((i) => i.metadata?.attempt_key === attemptKey));
      const last = page.data.at(-1);
      if (!page.has_more || !last) return matches;
      startingAfter = last.id;
    }
  }

  /** A read: any failure is PaymentOutcomeUnknown (or StripeRequestRefused). */
  private async call<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      throw failureOf(err);
    }
  }
}

/** The charge's Idempotency-Key: one PaymentIntent per attempt. */
function chargeKey(attemptKey: string): string {
  return `pi:${attemptKey}`;
}

/** A value inside a search query's single quotes: quotes and backslashes escaped. */
function searchString(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("'", "\\'");
}

function parseApiBase(apiBase: string): {
  host: string;
  port: number;
  protocol: "http" | "https";
} {
  const url = providerOrigin("StripeGateway", apiBase);
  const protocol = url.protocol === "https:" ? "https" : "http";
  return {
    host: url.hostname,
    port: Number(url.port) || (protocol === "https" ? 443 : 80),
    protocol,
  };
}
