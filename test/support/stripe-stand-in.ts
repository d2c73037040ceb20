import { hmacHex, randomToken } from "./stand-in-crypto.ts";
import {
  checkParameters,
  type FormValue,
  findOperation,
  type OperationDescription,
} from "./stripe-api-description.ts";

/**
 * A stand-in for Stripe's REST API (v1) for tests, "at" STAND_IN_ORIGIN: the code under
 * test runs in the tests' isolate, so its fetch() of that origin is answered here (other
 * fetches go through), the way webhooks-receiver.ts answers for its URL. The official
 * `stripe` package talks to it exactly as it talks to api.stripe.com.
 *
 * What it does, as Stripe documents it:
 * - checks `Authorization: Bearer sk_test_...` (401 otherwise) and every request against
 *   stripe-api-description.ts (400 `parameter_unknown`, `parameter_missing`, ...);
 * - reads form bodies and query strings with bracketed names (`metadata[booking_id]`,
 *   `allowed_payment_method_types[0]`);
 * - POST /v1/payment_intents with confirm=true and Stripe's test PaymentMethods
 *   (TEST_PAYMENT_METHODS): succeeded with a charge, a 402 card_error, or requires_action
 *   with a client secret; GET /v1/payment_intents/{id}; GET /v1/payment_intents/search (the
 *   form `metadata['key']:'value'` only); GET /v1/payment_intents (list, newest first);
 *   POST /v1/payment_intents/{id}/cancel; POST /v1/refunds (in full, or partly with
 *   `amount`, the charge's amount_refunded adding up; more than is left is 400
 *   amount_too_large, any refund of a charge refunded in full 400 charge_already_refunded);
 *   GET /v1/refunds;
 * - Idempotency-Key on POST: the first answer under a key is kept once the endpoint starts
 *   work and replayed for the same endpoint and parameters (`Idempotent-Replayed: true`);
 *   another endpoint or other parameters under the key: 400 `idempotency_error`.
 *
 * For tests: `hangNext()` (the next request is carried out, its answer held until
 * `release()`, or dropped when the caller gives up), `failNext(status)` (the next request
 * answered with an error, before or after being carried out), `searchLagMs` (how long a
 * new intent stays out of search results, like Stripe's index), `searchUnavailable` (an
 * account without search), `completeAction(id)` (the buyer finishing 3-D Secure),
 * `forgetIdempotencyKeys()` (keys older than Stripe keeps them), the
 * ledger (`intents`, `charges`, `refunds`) and every request seen (`requests`). And
 * `signedEvent(type, object)`: an event signed as Stripe signs webhooks.
 */

export const STAND_IN_ORIGIN = "http://127.0.0.1:12111";
export const STAND_IN_SECRET_KEY = "sk_test_stand_in_key_not_real";

interface TestPaymentMethod {
  brand: string;
  last4: string;
  funding: "credit" | "debit";
  behaviour:
    | { kind: "succeeds" }
    | { kind: "requires_action" }
    | { kind: "declines"; declineCode: string; message: string };
}

/** Stripe's test PaymentMethods (docs: testing) that the stand-in knows. */
export const TEST_PAYMENT_METHODS: Record<string, TestPaymentMethod> = {
  pm_card_visa: {
    brand: "visa",
    last4: "4242",
    funding: "credit",
    behaviour: { kind: "succeeds" },
  },
  pm_card_mastercard: {
    brand: "mastercard",
    last4: "4444",
    funding: "credit",
    behaviour: { kind: "succeeds" },
  },
  pm_card_chargeDeclined: {
    brand: "visa",
    last4: "0002",
    funding: "credit",
    behaviour: {
      kind: "declines",
      declineCode: "generic_decline",
      message: "Your card was declined.",
    },
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: "visa",
    last4: "9995",
    funding: "credit",
    behaviour: {
      kind: "declines",
      declineCode: "insufficient_funds",
      message: "Your card has insufficient funds.",
    },
  },
  pm_card_threeDSecure2Required: {
    brand: "visa",
    last4: "3220",
    funding: "credit",
    behaviour: { kind: "requires_action" },
  },
};

type Json = { [key: string]: unknown };

export interface StandInIntent {
  id: string;
  object: "payment_intent";
  amount: number;
  amount_received: number;
  currency: string;
  status:
    | "requires_payment_method"
    | "requires_confirmation"
    | "requires_action"
    | "processing"
    | "succeeded"
    | "canceled";
  client_secret: string;
  created: number;
  livemode: false;
  metadata: Record<string, string>;
  payment_method: string | null;
  allowed_payment_method_types: string[];
  payment_method_types: string[];
  capture_method: string;
  confirmation_method: "automatic";
  latest_charge: string | null;
  last_payment_error: Json | null;
  next_action: Json | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
}

export interface StandInCharge {
  id: string;
  object: "charge";
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  created: number;
  currency: string;
  failure_code: string | null;
  failure_message: string | null;
  livemode: false;
  metadata: Record<string, string>;
  outcome: Json;
  paid: boolean;
  payment_intent: string;
  payment_method: string;
  payment_method_details: {
    type: "card";
    card: {
      brand: string;
      last4: string;
      exp_month: number;
      exp_year: number;
      funding: string;
      country: string;
      network: string;
    };
  };
  refunded: boolean;
  status: "succeeded" | "failed";
}

export interface StandInRefund {
  id: string;
  object: "refund";
  amount: number;
  charge: string;
  created: number;
  currency: string;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: string | null;
  status: "succeeded";
}

export interface RecordedRequest {
  method: string;
  path: string;
  params: Record<string, FormValue>;
  idempotencyKey: string | null;
  stripeVersion: string | null;
  status: number;
  replayed: boolean;
  /** The code of a refusal by the API description (parameter_unknown, ...), if any. */
  refused: string | null;
}

interface Answer {
  status: number;
  body: Json;
  replayed?: boolean;
  refused?: string;
}

interface KeptAnswer {
  endpoint: string;
  fingerprint: string;
  status: number;
  body: Json;
}

/** `only`: "POST /v1/refunds" and the like: the failure waits for the first such request. */
type Failure = { status: number | "network"; afterProcessing: boolean; only?: string | undefined };

export class StripeStandIn {
  readonly intents: StandInIntent[] = [];
  readonly charges: StandInCharge[] = [];
  readonly refunds: StandInRefund[] = [];
  readonly requests: RecordedRequest[] = [];
  /** How long (ms) a new intent is left out of search results: Stripe's index lags writes. */
  searchLagMs = 0;
  /** Search refused, as for an account that has none (Stripe: merchants in India). */
  searchUnavailable = false;
  /** Answers held by hangNext(), until release() (or until their caller gives up). */
  hanging = 0;
  readonly webhookSecret = `whsec_${randomToken(32)}`;

  private readonly kept = new Map<string, KeptAnswer>();
  private readonly paymentMethods = new Map<string, TestPaymentMethod & { id: string }>();
  private readonly createdAtMs = new Map<string, number>();
  private readonly releases: (() => void)[] = [];
  private nextHang: { beforeProcessing: boolean } | undefined;
  private nextFailure: Failure | undefined;

  readonly origin: string;
  readonly secretKey: string;

  constructor(origin = STAND_IN_ORIGIN, secretKey = STAND_IN_SECRET_KEY) {
    this.origin = origin;
    this.secretKey = secretKey;
  }

  /**
   * Answers one request to the stand-in's origin as Stripe would (`signal`: the caller's,
   * so a held answer ends when the caller gives up). stand-in-fetch.ts routes a
   * test isolate's fetches here; scripts/stripe-stand-in-server.ts serves it over HTTP.
   */
  serve(request: Request, signal?: AbortSignal): Promise<Response> {
    return this.answer(request, signal);
  }

  /**
   * The next request is carried out (unless `beforeProcessing`: lost on its way), but its
   * answer is held until release(); a caller that gives up (its signal aborts) gets the
   * abort. What a timeout looks like from the caller's side.
   */
  hangNext(options: { beforeProcessing?: boolean } = {}): void {
    this.nextHang = { beforeProcessing: options.beforeProcessing ?? false };
  }

  /**
   * The next request fails with `status` (a Stripe error body) or, for "network", a lost
   * connection; before it is carried out, or after (`afterProcessing`: the intent or refund
   * is made, then the error answered, and kept under the Idempotency-Key as Stripe keeps a
   * 500 once the endpoint has started).
   */
  failNext(
    status: number | "network",
    options: { afterProcessing?: boolean; only?: string } = {},
  ): void {
    this.nextFailure = {
      status,
      afterProcessing: options.afterProcessing ?? false,
      only: options.only,
    };
  }

  /**
   * Forgets every Idempotency-Key, as Stripe does once a key is 24 hours old: a request
   * sent again under one is carried out anew.
   */
  forgetIdempotencyKeys(): void {
    this.kept.clear();
  }

  /** Answers every held request (those whose caller gave up go nowhere). */
  release(): void {
    for (const release of this.releases.splice(0)) release();
  }

  /** The buyer finishes (or fails) 3-D Secure on an intent waiting for it. */
  completeAction(intentId: string, result: "succeeds" | "fails" = "succeeds"): void {
    const intent = this.intents.find((i) => i.id === intentId);
    if (intent?.status !== "requires_action") {
      throw new Error(`stand-in: ${intentId} is not waiting for an action`);
    }
    intent.next_action = null;
    if (result === "succeeds") {
      const charge = this.makeCharge(intent, "succeeded");
      intent.status = "succeeded";
      intent.amount_received = intent.amount;
      intent.latest_charge = charge.id;
      return;
    }
    intent.status = "requires_payment_method";
    intent.last_payment_error = {
      type: "invalid_request_error",
      code: "payment_intent_authentication_failure",
      message: "The provided PaymentMethod has failed authentication.",
      payment_method: this.paymentMethodView(intent.payment_method ?? ""),
    };
    intent.payment_method = null;
  }

  /** The intent made under an attempt key (metadata attempt_key), if any. */
  intentFor(attemptKey: string): StandInIntent | undefined {
    return this.intents.find((i) => i.metadata.attempt_key === attemptKey);
  }

  /**
   * A webhook event as Stripe sends it: the JSON body and its `Stripe-Signature` header,
   * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>`.
   */
  async signedEvent(
    type: string,
    object: Json,
    options: { timestamp?: number; secret?: string } = {},
  ): Promise<{ body: string; header: string; event: Json }> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const event = {
      id: `evt_${randomToken(24)}`,
      object: "event",
      api_version: "2026-11-18.endive",
      created: timestamp,
      data: { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
    const body = JSON.stringify(event);
    const signature = await hmacHex(options.secret ?? this.webhookSecret, `${timestamp}.${body}`);
    return { body, header: `t=${timestamp},v1=${signature}`, event };
  }

  private async answer(request: Request, signal: AbortSignal | undefined): Promise<Response> {
    const url = new URL(request.url);
    // Decoded by hand: workerd warns when text() reads a body that is not text/*.
    const body = new TextDecoder().decode(await request.arrayBuffer());
    const hang = this.nextHang;
    const pending = this.nextFailure;
    const matches = !pending?.only || pending.only === `${request.method} ${url.pathname}`;
    const failure = matches ? pending : undefined;
    this.nextHang = undefined;
    if (matches) this.nextFailure = undefined;
    if (hang?.beforeProcessing) return this.hold(signal, () => this.networkLost());

    if (failure?.status === "network" && !failure.afterProcessing) this.networkLost();
    const early = failure && !failure.afterProcessing ? failure : undefined;
    const answer = early
      ? errorAnswer(early.status as number, failureError(early.status as number))
      : this.handle(request, url, body, failure);
    this.requests.push({
      method: request.method,
      path: url.pathname,
      params: request.method === "GET" ? parseForm(url.search.slice(1)) : parseForm(body),
      idempotencyKey: request.headers.get("Idempotency-Key"),
      stripeVersion: request.headers.get("Stripe-Version"),
      status: answer.status,
      replayed: answer.replayed ?? false,
      refused: answer.refused ?? null,
    });
    if (failure?.status === "network") this.networkLost();
    const respond = () => toResponse(answer, request);
    return hang ? this.hold(signal, respond) : respond();
  }

  /** Holds an answer until release(); the caller's abort rejects it as fetch would. */
  private hold(signal: AbortSignal | undefined, respond: () => Response): Promise<Response> {
    this.hanging += 1;
    return new Promise<Response>((resolve, reject) => {
      const settle = () => {
        this.hanging -= 1;
      };
      signal?.addEventListener("abort", () => {
        settle();
        reject(signal.reason);
      });
      this.releases.push(() => {
        if (signal?.aborted) return;
        settle();
        try {
          resolve(respond());
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  private networkLost(): never {
    throw new TypeError("Network connection lost.");
  }

  private handle(request: Request, url: URL, body: string, failure: Failure | undefined): Answer {
    const auth = request.headers.get("Authorization") ?? "";
    if (!auth.startsWith("Bearer ")) {
      return errorAnswer(401, {
        type: "invalid_request_error",
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.",
      });
    }
    const key = auth.slice("Bearer ".length);
    if (key !== this.secretKey || !key.startsWith("sk_test_")) {
      return errorAnswer(401, {
        type: "invalid_request_error",
        message: `Invalid API Key provided: ${key.slice(0, 8)}****${key.slice(-4)}`,
      });
    }
    const found = findOperation(request.method, url.pathname);
    if (!found) {
      return errorAnswer(404, {
        type: "invalid_request_error",
        message: `Unrecognized request URL (${request.method}: ${url.pathname}).`,
      });
    }
    if (
      request.method === "POST" &&
      !(request.headers.get("Content-Type") ?? "").startsWith("application/x-www-form-urlencoded")
    ) {
      return errorAnswer(400, {
        type: "invalid_request_error",
        message: "Invalid request: POST bodies are application/x-www-form-urlencoded",
      });
    }
    const params = request.method === "GET" ? parseForm(url.search.slice(1)) : parseForm(body);
    const problem = checkParameters(found.operation, params);
    if (problem) {
      return {
        ...errorAnswer(400, { type: "invalid_request_error", ...problem }),
        refused: problem.code,
      };
    }

    const idempotencyKey =
      request.method === "POST" ? request.headers.get("Idempotency-Key") : null;
    const endpoint = `${request.method} ${url.pathname}`;
    const fingerprint = canonical(params);
    if (idempotencyKey !== null) {
      if (idempotencyKey.length > 255 || idempotencyKey === "") {
        return errorAnswer(400, {
          type: "invalid_request_error",
          message: "Idempotency keys are 1 to 255 characters long.",
        });
      }
      const kept = this.kept.get(idempotencyKey);
      if (kept && kept.endpoint !== endpoint) {
        return errorAnswer(400, {
          type: "idempotency_error",
          message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${kept.endpoint}'). Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
        });
      }
      if (kept && kept.fingerprint !== fingerprint) {
        return errorAnswer(400, {
          type: "idempotency_error",
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
        });
      }
      if (kept) return { status: kept.status, body: kept.body, replayed: true };
    }

    let answer = this.run(found.operation, found.ids, params);
    if (failure?.afterProcessing && failure.status !== "network") {
      answer = errorAnswer(failure.status, failureError(failure.status));
    }
    if (idempotencyKey !== null) {
      this.kept.set(idempotencyKey, { endpoint, fingerprint, ...answer });
    }
    return answer;
  }

  private run(
    operation: OperationDescription,
    ids: Record<string, string>,
    params: Record<string, FormValue>,
  ): Answer {
    const route = `${operation.method} ${operation.path}`;
    switch (route) {
      case "POST /v1/payment_intents":
        return this.createIntent(params);
      case "GET /v1/payment_intents/{intent}":
        return this.retrieveIntent(ids.intent ?? "", params);
      case "GET /v1/payment_intents/search":
        return this.searchIntents(params);
      case "GET /v1/payment_intents":
        return this.listIntents(params);
      case "POST /v1/payment_intents/{intent}/cancel":
        return this.cancelIntent(ids.intent ?? "", params);
      case "POST /v1/refunds":
        return this.createRefund(params);
      case "GET /v1/refunds":
        return this.listRefunds(params);
      default:
        throw new Error(`stand-in: ${route} is described but not implemented`);
    }
  }

  private createIntent(params: Record<string, FormValue>): Answer {
    const expand = expandPaths(params, ["latest_charge", "payment_method"]);
    if (typeof expand === "string") return cannotExpand(expand);
    const pmName = str(params.payment_method);
    const test = pmName ? TEST_PAYMENT_METHODS[pmName] : undefined;
    if (pmName && !test) {
      return errorAnswer(400, {
        type: "invalid_request_error",
        code: "resource_missing",
        param: "payment_method",
        message: `No such PaymentMethod: '${pmName}'`,
      });
    }
    const confirm = params.confirm === "true";
    if (confirm && !test) {
      return errorAnswer(400, {
        type: "invalid_request_error",
        code: "payment_intent_unexpected_state",
        message:
          "You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment method and then confirm it again.",
      });
    }
    const id = `pi_${randomToken(24)}`;
    const allowed = Array.isArray(params.allowed_payment_method_types)
      ? params.allowed_payment_method_types.map(String)
      : ["card"];
    let paymentMethod: string | null = null;
    if (test) {
      // Stripe turns a test PaymentMethod name into a PaymentMethod of its own.
      paymentMethod = `pm_${randomToken(24)}`;
      this.paymentMethods.set(paymentMethod, { ...test, id: paymentMethod });
    }
    const intent: StandInIntent = {
      id,
      object: "payment_intent",
      amount: Number(params.amount),
      amount_received: 0,
      currency: str(params.currency) ?? "",
      status: test ? "requires_confirmation" : "requires_payment_method",
      client_secret: `${id}_secret_${randomToken(24)}`,
      created: nowSeconds(),
      livemode: false,
      metadata: { ...(params.metadata as Record<string, string> | undefined) },
      payment_method: paymentMethod,
      allowed_payment_method_types: allowed,
      payment_method_types: allowed.filter((t) => t === "card"),
      capture_method: str(params.capture_method) ?? "automatic",
      confirmation_method: "automatic",
      latest_charge: null,
      last_payment_error: null,
      next_action: null,
      canceled_at: null,
      cancellation_reason: null,
    };
    this.intents.push(intent);
    this.createdAtMs.set(id, Date.now());
    if (!confirm || !test) return { status: 200, body: this.intentView(intent, expand) };

    switch (test.behaviour.kind) {
      case "succeeds": {
        const charge = this.makeCharge(intent, "succeeded");
        intent.status = "succeeded";
        intent.amount_received = intent.amount;
        intent.latest_charge = charge.id;
        return { status: 200, body: this.intentView(intent, expand) };
      }
      case "requires_action":
        intent.status = "requires_action";
        intent.next_action = {
          type: "use_stripe_sdk",
          use_stripe_sdk: { type: "three_d_secure_redirect", source: `src_${randomToken(24)}` },
        };
        return { status: 200, body: this.intentView(intent, expand) };
      case "declines": {
        const { declineCode, message } = test.behaviour;
        const charge = this.makeCharge(intent, "failed", { code: "card_declined", message });
        const error = {
          type: "card_error",
          code: "card_declined",
          decline_code: declineCode,
          message,
          charge: charge.id,
          doc_url: "https://docs.stripe.com/error-codes/card-declined",
          payment_method: this.paymentMethodView(intent.payment_method ?? ""),
        };
        intent.status = "requires_payment_method";
        intent.latest_charge = charge.id;
        intent.last_payment_error = error;
        // After a failed confirmation Stripe detaches the payment method from the intent.
        intent.payment_method = null;
        return errorAnswer(402, { ...error, payment_intent: this.intentView(intent, []) });
      }
    }
  }

  private retrieveIntent(id: string, params: Record<string, FormValue>): Answer {
    const expand = expandPaths(params, ["latest_charge", "payment_method"]);
    if (typeof expand === "string") return cannotExpand(expand);
    const intent = this.intents.find((i) => i.id === id);
    if (!intent) return missing("intent", `No such payment_intent: '${id}'`);
    return { status: 200, body: this.intentView(intent, expand) };
  }

  private searchIntents(params: Record<string, FormValue>): Answer {
    const expand = itemExpandPaths(params, ["latest_charge", "payment_method"]);
    if (typeof expand === "string") return cannotExpand(expand);
    if (this.searchUnavailable) {
      return errorAnswer(400, {
        type: "invalid_request_error",
        message: "Search is not available for this account. (stand-in: searchUnavailable)",
      });
    }
    const query = str(params.query) ?? "";
    const match = /^metadata\['((?:[^'\\]|\\.)+)'\]:'((?:[^'\\]|\\.)*)'$/.exec(query.trim());
    if (!match) {
      return errorAnswer(400, {
        type: "invalid_request_error",
        param: "query",
        message: `The stand-in reads only queries of the form metadata['key']:'value', got: ${query}`,
      });
    }
    const [, key = "", value = ""] = match.map((part) => part.replace(/\\(.)/g, "$1"));
    const now = Date.now();
    const all = this.intents
      .filter((i) => (this.createdAtMs.get(i.id) ?? 0) + this.searchLagMs <= now)
      .filter((i) => i.metadata[key] === value)
      .reverse();
    const limit = Number(params.limit ?? 10);
    const offset = Number(str(params.page) ?? 0) || 0;
    const page = all.slice(offset, offset + limit);
    const hasMore = all.length > offset + limit;
    return {
      status: 200,
      body: {
        object: "search_result",
        url: "/v1/payment_intents/search",
        has_more: hasMore,
        next_page: hasMore ? String(offset + limit) : null,
        data: page.map((i) => this.intentView(i, expand)),
      },
    };
  }

  private listIntents(params: Record<string, FormValue>): Answer {
    const expand = itemExpandPaths(params, ["latest_charge", "payment_method"]);
    if (typeof expand === "string") return cannotExpand(expand);
    const inRange = createdFilter(params.created);
    const newestFirst = this.intents.filter((i) => inRange(i.created)).reverse();
    return {
      status: 200,
      body: listPage("/v1/payment_intents", newestFirst, params, (i) => this.intentView(i, expand)),
    };
  }

  private cancelIntent(id: string, params: Record<string, FormValue>): Answer {
    const expand = expandPaths(params, ["latest_charge", "payment_method"]);
    if (typeof expand === "string") return cannotExpand(expand);
    const intent = this.intents.find((i) => i.id === id);
    if (!intent) return missing("intent", `No such payment_intent: '${id}'`);
    if (intent.status === "succeeded" || intent.status === "canceled") {
      return errorAnswer(400, {
        type: "invalid_request_error",
        code: "payment_intent_unexpected_state",
        message: `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
        payment_intent: this.intentView(intent, []),
      });
    }
    intent.status = "canceled";
    intent.next_action = null;
    intent.canceled_at = nowSeconds();
    intent.cancellation_reason = str(params.cancellation_reason) ?? null;
    return { status: 200, body: this.intentView(intent, expand) };
  }

  private createRefund(params: Record<string, FormValue>): Answer {
    const intentId = str(params.payment_intent);
    const chargeId = str(params.charge);
    const intent = intentId ? this.intents.find((i) => i.id === intentId) : undefined;
    if (intentId && !intent) {
      return missing("payment_intent", `No such payment_intent: '${intentId}'`);
    }
    const charge = this.charges.find((c) =>
      chargeId ? c.id === chargeId : c.id === intent?.latest_charge,
    );
    if (chargeId && !charge) return missing("charge", `No such charge: '${chargeId}'`);
    if (charge?.status !== "succeeded") {
      return errorAnswer(400, {
        type: "invalid_request_error",
        code: "charge_not_refundable",
        message: `This PaymentIntent (${intentId}) does not have a successful charge to refund.`,
      });
    }
    const left = charge.amount - charge.amount_refunded;
    if (left === 0) {
      return errorAnswer(400, {
        type: "invalid_request_error",
        code: "charge_already_refunded",
        message: `Charge ${charge.id} has already been refunded.`,
      });
    }
    const amount = params.amount === undefined ? left : Number(params.amount);
    if (amount > left) {
      return errorAnswer(400, {
        type: "invalid_request_error",
        code: "amount_too_large",
        param: "amount",
        message: `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
      });
    }
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    const refund: StandInRefund = {
      id: `re_${randomToken(24)}`,
      object: "refund",
      amount,
      charge: charge.id,
      created: nowSeconds(),
      currency: charge.currency,
      metadata: { ...(params.metadata as Record<string, string> | undefined) },
      payment_intent: charge.payment_intent,
      reason: str(params.reason) ?? null,
      status: "succeeded",
    };
    this.refunds.push(refund);
    return { status: 200, body: { ...refund } };
  }

  private listRefunds(params: Record<string, FormValue>): Answer {
    const intentId = str(params.payment_intent);
    const chargeId = str(params.charge);
    const newestFirst = this.refunds
      .filter(
        (r) => (!intentId || r.payment_intent === intentId) && (!chargeId || r.charge === chargeId),
      )
      .reverse();
    return { status: 200, body: listPage("/v1/refunds", newestFirst, params, (r) => ({ ...r })) };
  }

  private makeCharge(
    intent: StandInIntent,
    status: "succeeded" | "failed",
    failure?: { code: string; message: string },
  ): StandInCharge {
    const pm = this.paymentMethods.get(intent.payment_method ?? "");
    const charge: StandInCharge = {
      id: `ch_${randomToken(24)}`,
      object: "charge",
      amount: intent.amount,
      amount_captured: status === "succeeded" ? intent.amount : 0,
      amount_refunded: 0,
      captured: status === "succeeded",
      created: nowSeconds(),
      currency: intent.currency,
      failure_code: failure?.code ?? null,
      failure_message: failure?.message ?? null,
      livemode: false,
      // Stripe copies the intent's metadata to its charges.
      metadata: { ...intent.metadata },
      outcome:
        status === "succeeded"
          ? { network_status: "approved_by_network", type: "authorized", risk_level: "normal" }
          : {
              network_status: "declined_by_network",
              type: "issuer_declined",
              risk_level: "normal",
            },
      paid: status === "succeeded",
      payment_intent: intent.id,
      payment_method: intent.payment_method ?? "",
      payment_method_details: {
        type: "card",
        card: {
          brand: pm?.brand ?? "unknown",
          last4: pm?.last4 ?? "0000",
          exp_month: 12,
          exp_year: new Date().getUTCFullYear() + 3,
          funding: pm?.funding ?? "credit",
          country: "US",
          network: pm?.brand ?? "unknown",
        },
      },
      refunded: false,
      status,
    };
    this.charges.push(charge);
    return charge;
  }

  /** An intent as Stripe shows it (in answers and in events). */
  intentView(intent: StandInIntent, expand: string[] = []): Json {
    const view: Json = { ...structuredClone(intent) };
    if (expand.includes("latest_charge") && intent.latest_charge) {
      view.latest_charge = structuredClone(this.charges.find((c) => c.id === intent.latest_charge));
    }
    if (expand.includes("payment_method") && intent.payment_method) {
      view.payment_method = this.paymentMethodView(intent.payment_method);
    }
    return view;
  }

  private paymentMethodView(id: string): Json {
    const pm = this.paymentMethods.get(id);
    return {
      id,
      object: "payment_method",
      type: "card",
      card: {
        brand: pm?.brand ?? "unknown",
        last4: pm?.last4 ?? "0000",
        exp_month: 12,
        exp_year: new Date().getUTCFullYear() + 3,
        funding: pm?.funding ?? "credit",
        country: "US",
      },
      billing_details: { address: null, email: null, name: null, phone: null },
      customer: null,
      created: nowSeconds(),
      livemode: false,
    };
  }
}

/**
 * A form body or query string read as Stripe reads it: `a[b]=1` is a hash, `a[0]=x` (or
 * `a[]=x`) a list.
 */
export function parseForm(text: string): Record<string, FormValue> {
  const root: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name);
    const segments = match
      ? [match[1] ?? "", ...[...(match[2] ?? "").matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? "")]
      : [name];
    let node: Record<string, unknown> = root;
    for (const [i, segment] of segments.entries()) {
      const key = segment === "" ? String(Object.keys(node).length) : segment;
      if (i === segments.length - 1) {
        node[key] = value;
      } else {
        const next = node[key];
        node[key] = typeof next === "object" && next !== null ? next : {};
        node = node[key] as Record<string, unknown>;
      }
    }
  }
  return listsOf(root) as Record<string, FormValue>;
}

/** Hashes whose keys are 0..n-1 become lists. */
function listsOf(value: unknown, isRoot = true): FormValue {
  if (typeof value !== "object" || value === null) return String(value);
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => [k, listsOf(v, false)] as const,
  );
  const indexed = entries.length > 0 && entries.every(([k], i) => k === String(i));
  if (indexed && !isRoot) return entries.map(([, v]) => v);
  return Object.fromEntries(entries);
}

function canonical(value: FormValue): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k] as FormValue)}`).join(",")}}`;
}

function str(value: FormValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function expandPaths(params: Record<string, FormValue>, allowed: string[]): string[] | string {
  const paths = Array.isArray(params.expand) ? params.expand.map(String) : [];
  return paths.find((p) => !allowed.includes(p)) ?? paths;
}

/** `expand` of a list or search: `data.<path>` for each item. */
function itemExpandPaths(params: Record<string, FormValue>, allowed: string[]): string[] | string {
  const paths = Array.isArray(params.expand) ? params.expand.map(String) : [];
  const bad = paths.find((p) => !p.startsWith("data.") || !allowed.includes(p.slice(5)));
  return bad ?? paths.map((p) => p.slice(5));
}

function cannotExpand(path: string): Answer {
  return errorAnswer(400, {
    type: "invalid_request_error",
    param: "expand",
    message: `This property cannot be expanded (${path}).`,
  });
}

function missing(param: string, message: string): Answer {
  return errorAnswer(404, {
    type: "invalid_request_error",
    code: "resource_missing",
    param,
    message,
  });
}

function createdFilter(created: FormValue | undefined): (at: number) => boolean {
  if (created === undefined) return () => true;
  if (typeof created === "string") return (at) => at === Number(created);
  const bounds = created as Record<string, FormValue>;
  const n = (k: string) => (typeof bounds[k] === "string" ? Number(bounds[k]) : undefined);
  const [gt, gte, lt, lte] = [n("gt"), n("gte"), n("lt"), n("lte")];
  return (at) =>
    (gt === undefined || at > gt) &&
    (gte === undefined || at >= gte) &&
    (lt === undefined || at < lt) &&
    (lte === undefined || at <= lte);
}

function listPage<T extends { id: string }>(
  url: string,
  newestFirst: T[],
  params: Record<string, FormValue>,
  view: (item: T) => Json,
): Json {
  const limit = Number(params.limit ?? 10);
  const after = str(params.starting_after);
  const start = after ? newestFirst.findIndex((item) => item.id === after) + 1 : 0;
  const page = newestFirst.slice(start, start + limit);
  return {
    object: "list",
    url,
    has_more: newestFirst.length > start + limit,
    data: page.map(view),
  };
}

function errorAnswer(status: number, error: Json): Answer {
  return { status, body: { error } };
}

function failureError(status: number): Json {
  if (status === 429) {
    return {
      type: "invalid_request_error",
      code: "rate_limit",
      message: "Too many requests hit the API too quickly.",
    };
  }
  if (status === 409) {
    return {
      type: "invalid_request_error",
      code: "idempotency_key_in_use",
      message: "There is currently another in-progress request using this Idempotency-Key.",
    };
  }
  return { type: "api_error", message: "An unknown error occurred (stand-in: injected failure)." };
}

function toResponse(answer: Answer, request: Request): Response {
  const headers = new Headers({
    "Content-Type": "application/json",
    "Request-Id": `req_${randomToken(14)}`,
  });
  const version = request.headers.get("Stripe-Version");
  if (version) headers.set("Stripe-Version", version);
  const key = request.method === "POST" ? request.headers.get("Idempotency-Key") : null;
  if (key) headers.set("Idempotency-Key", key);
  if (answer.replayed) headers.set("Idempotent-Replayed", "true");
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers });
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
