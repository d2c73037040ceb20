import { hmacHex, randomToken } from "./stand-in-crypto.ts";
/**
 * A stand-in for Razorpay's REST API (v1) for tests, "at" STAND_IN_ORIGIN: the code under
 * test runs in the tests' isolate, so its fetch() of that origin is answered here
 * (stand-in-fetch.ts), the way stripe-stand-in.ts answers for Stripe. Erasable
 * TypeScript only, no imports: Node's type stripping can run it in a server of its own.
 *
 * What it does, as Razorpay documents it (razorpay.com/docs/api):
 * - Basic auth `key_id:key_secret` (401 with Razorpay's error body otherwise); JSON bodies;
 *   every failure as `{"error": {"code", "description", "source", "step", "reason",
 *   "metadata", "field"}}`; an unknown id is a 400 "The id provided does not exist";
 * - POST /v1/orders (amount in subunits, at least 100; currency; receipt of 40 characters
 *   at most; notes of 15 pairs at most, 256 characters each; other fields refused);
 *   GET /v1/orders (receipt, from, to, count, skip, authorized, expand[] payments and
 *   payments.card; newest first); GET /v1/orders/{id}; GET /v1/orders/{id}/payments;
 * - GET /v1/payments/{id} (expand[]=card); POST /v1/payments/{id}/refund (captured payments
 *   only; an amount of at least 100, refund_status "partial" until the refunds add up to
 *   the payment, then "full" and the payment `refunded`; no amount = the rest of the
 *   payment; more than is left is refused; any refund of a payment refunded in full is
 *   refused with "The payment has been fully refunded already"); `X-Refund-Idempotency`
 *   (10 or more of [A-Za-z0-9_-]): the same key and body answer the first refund again,
 *   another body under the key is a 409; GET /v1/payments/{id}/refunds.
 *
 * For tests: `pay(orderId, {result})` (the buyer in Checkout: a captured, failed or
 * authorised payment), `capture(paymentId)` (a late capture), `hangNext()` + `release()`,
 * `forgetIdempotencyKeys()` (keys older than Razorpay keeps them),
 * `failNext(status | "network")`, the ledger (`orders`, `payments`, `refunds`, `requests`)
 * and `signedEvent(type, payload)`: a webhook as Razorpay signs it.
 */

export const STAND_IN_ORIGIN = "http://127.0.0.1:12113";
export const STAND_IN_KEY_ID = "rzp_test_StandInKey0001";
export const STAND_IN_KEY_SECRET = "stand_in_key_secret_not_real";

type Json = { [key: string]: unknown };

export interface StandInOrder {
  id: string;
  entity: "order";
  amount: number;
  amount_paid: number;
  amount_due: number;
  currency: string;
  receipt: string | null;
  offer_id: null;
  status: "created" | "attempted" | "paid";
  attempts: number;
  notes: Record<string, string>;
  created_at: number;
}

export interface StandInCard {
  id: string;
  entity: "card";
  name: string;
  last4: string;
  network: string;
  type: "credit" | "debit";
  issuer: string | null;
  international: boolean;
  emi: boolean;
  sub_type: "consumer" | "business";
}

export interface StandInPayment {
  id: string;
  entity: "payment";
  amount: number;
  currency: string;
  status: "created" | "authorized" | "captured" | "refunded" | "failed";
  order_id: string;
  invoice_id: null;
  international: boolean;
  method: string;
  amount_refunded: number;
  refund_status: "partial" | "full" | null;
  captured: boolean;
  description: null;
  card_id: string | null;
  bank: string | null;
  wallet: string | null;
  vpa: string | null;
  email: string;
  contact: string;
  notes: Record<string, string>;
  fee: number | null;
  tax: number | null;
  error_code: string | null;
  error_description: string | null;
  error_source: string | null;
  error_step: string | null;
  error_reason: string | null;
  created_at: number;
}

export interface StandInRefund {
  id: string;
  entity: "refund";
  amount: number;
  currency: string;
  payment_id: string;
  notes: Record<string, string>;
  receipt: string | null;
  acquirer_data: { arn: string | null };
  created_at: number;
  batch_id: null;
  status: "processed";
  speed_processed: "normal";
  speed_requested: "normal";
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  body: unknown;
  /** The `X-Refund-Idempotency` header, if sent. */
  refundIdempotencyKey: string | null;
  status: number;
  /** The error's description, when the answer is an error. */
  error: string | null;
  /** A refund answered again under its idempotency key. */
  replayed: boolean;
}

export interface PayOptions {
  result: "captured" | "failed" | "authorized";
  /** "card" (default), "upi", "netbanking", "wallet". */
  method?: string;
  card?: { network: string; last4: string };
  /** A failed payment's error_reason (default "payment_failed"). */
  errorReason?: string;
}

interface Answer {
  status: number;
  body: unknown;
  replayed?: boolean;
}

type Failure = { status: number | "network"; afterProcessing: boolean; on: string | undefined };
type Hang = { beforeProcessing: boolean; on: string | undefined };

export class RazorpayStandIn {
  readonly orders: StandInOrder[] = [];
  readonly payments: StandInPayment[] = [];
  readonly refunds: StandInRefund[] = [];
  readonly cards = new Map<string, StandInCard>();
  readonly requests: RecordedRequest[] = [];
  /** Answers held by hangNext(), until release() (or until their caller gives up). */
  hanging = 0;
  readonly origin: string;
  readonly keyId: string;
  readonly keySecret: string;
  readonly webhookSecret: string;

  private readonly kept = new Map<string, { fingerprint: string; answer: Answer }>();
  private readonly releases: (() => void)[] = [];
  private nextHang: Hang | undefined;
  private nextFailure: Failure | undefined;

  constructor(
    options: { origin?: string; keyId?: string; keySecret?: string; webhookSecret?: string } = {},
  ) {
    this.origin = options.origin ?? STAND_IN_ORIGIN;
    this.keyId = options.keyId ?? STAND_IN_KEY_ID;
    this.keySecret = options.keySecret ?? STAND_IN_KEY_SECRET;
    this.webhookSecret = options.webhookSecret ?? `whsec_rzp_${randomToken(24)}`;
  }

  /** Answers one request to the stand-in's origin as Razorpay would (`signal`: the caller's). */
  serve(request: Request, signal?: AbortSignal): Promise<Response> {
    return this.answer(request, signal);
  }

  /**
   * The next request (of route `on`, e.g. "POST /v1/orders", if given) is carried out
   * (unless `beforeProcessing`: lost on its way), its answer held until release(); a caller
   * that gives up gets the abort. A timeout, seen from the caller.
   */
  hangNext(options: { beforeProcessing?: boolean; on?: string } = {}): void {
    this.nextHang = { beforeProcessing: options.beforeProcessing ?? false, on: options.on };
  }

  /**
   * The next request (of route `on`, if given: "POST /v1/payments/{pay}/refund") fails with
   * `status` or a lost connection, before it is carried out or after.
   */
  failNext(
    status: number | "network",
    options: { afterProcessing?: boolean; on?: string } = {},
  ): void {
    this.nextFailure = {
      status,
      afterProcessing: options.afterProcessing ?? false,
      on: options.on,
    };
  }

  /**
   * Forgets every X-Refund-Idempotency key, as Razorpay does once its time is up: a refund
   * sent again under one is carried out anew.
   */
  forgetIdempotencyKeys(): void {
    this.kept.clear();
  }

  /** Answers every held request (those whose caller gave up go nowhere). */
  release(): void {
    for (const release of this.releases.splice(0)) release();
  }

  /** The order made under an attempt key (notes.attempt_key), the newest if several. */
  orderFor(attemptKey: string): StandInOrder | undefined {
    return this.orders.findLast((o) => o.notes.attempt_key === attemptKey);
  }

  /** The buyer pays the order in Checkout (with automatic capture, unless "authorized"). */
  pay(orderId: string, options: PayOptions): StandInPayment {
    const order = this.orders.find((o) => o.id === orderId);
    if (!order) throw new Error(`stand-in: no order ${orderId}`);
    const open = this.payments.some((p) => p.order_id === orderId && p.status === "authorized");
    if (order.status === "paid" || open) {
      throw new Error(`stand-in: ${orderId} takes no further payment`);
    }
    const method = options.method ?? "card";
    let cardId: string | null = null;
    if (method === "card") {
      cardId = `card_${randomToken(14)}`;
      this.cards.set(cardId, {
        id: cardId,
        entity: "card",
        name: "",
        last4: options.card?.last4 ?? "1111",
        network: options.card?.network ?? "Visa",
        type: "credit",
        issuer: null,
        international: false,
        emi: false,
        sub_type: "consumer",
      });
    }
    const failed = options.result === "failed";
    const payment: StandInPayment = {
      id: `pay_${randomToken(14)}`,
      entity: "payment",
      amount: order.amount,
      currency: order.currency,
      status: options.result,
      order_id: orderId,
      invoice_id: null,
      international: false,
      method,
      amount_refunded: 0,
      refund_status: null,
      captured: options.result === "captured",
      description: null,
      card_id: cardId,
      bank: method === "netbanking" ? "HDFC" : null,
      wallet: method === "wallet" ? "payzapp" : null,
      vpa: method === "upi" ? "success@razorpay" : null,
      email: "void@razorpay.com",
      contact: "+919999999999",
      notes: {},
      fee: options.result === "captured" ? 2 : null,
      tax: options.result === "captured" ? 0 : null,
      error_code: failed ? "BAD_REQUEST_ERROR" : null,
      error_description: failed ? "Payment failed" : null,
      error_source: failed ? "bank" : null,
      error_step: failed ? "payment_authorization" : null,
      error_reason: failed ? (options.errorReason ?? "payment_failed") : null,
      created_at: nowSeconds(),
    };
    this.payments.push(payment);
    order.attempts += 1;
    order.status = "attempted";
    if (payment.captured) this.markPaid(order);
    return payment;
  }

  /** An authorised payment captured late (as Razorpay's automatic capture does). */
  capture(paymentId: string): void {
    const payment = this.payments.find((p) => p.id === paymentId);
    if (payment?.status !== "authorized") throw new Error(`stand-in: ${paymentId} not authorized`);
    payment.status = "captured";
    payment.captured = true;
    const order = this.orders.find((o) => o.id === payment.order_id);
    if (order) this.markPaid(order);
  }

  /**
   * A webhook as Razorpay sends it: the event body, `X-Razorpay-Signature` (hex HMAC-SHA256
   * of the body with the webhook secret) and `X-Razorpay-Event-Id`. `payload` maps entity
   * names to entities: `{payment: this.paymentView(p), order: this.orderView(o)}`.
   */
  async signedEvent(
    type: string,
    payload: Record<string, unknown>,
    options: { secret?: string; eventId?: string } = {},
  ): Promise<{ body: string; headers: Record<string, string>; eventId: string }> {
    const event = {
      entity: "event",
      account_id: "acc_StandIn0000001",
      event: type,
      contains: Object.keys(payload),
      payload: Object.fromEntries(
        Object.entries(payload).map(([name, entity]) => [name, { entity }]),
      ),
      created_at: nowSeconds(),
    };
    const body = JSON.stringify(event);
    const eventId = options.eventId ?? randomToken(14);
    const signature = await hmacHex(options.secret ?? this.webhookSecret, body);
    return {
      body,
      eventId,
      headers: {
        "Content-Type": "application/json",
        "X-Razorpay-Signature": signature,
        "X-Razorpay-Event-Id": eventId,
      },
    };
  }

  orderView(order: StandInOrder, expand: string[] = []): Json {
    const view: Json = { ...structuredClone(order) };
    // Razorpay shows empty notes as an empty list.
    if (Object.keys(order.notes).length === 0) view.notes = [];
    if (expand.includes("payments") || expand.includes("payments.card")) {
      const card = expand.includes("payments.card");
      view.payments = collection(this.paymentsOf(order.id).map((p) => this.paymentView(p, card)));
    }
    return view;
  }

  paymentView(payment: StandInPayment, withCard = false): Json {
    const view: Json = { ...structuredClone(payment) };
    if (Object.keys(payment.notes).length === 0) view.notes = [];
    if (withCard && payment.card_id) view.card = structuredClone(this.cards.get(payment.card_id));
    return view;
  }

  private markPaid(order: StandInOrder): void {
    order.status = "paid";
    order.amount_paid = order.amount;
    order.amount_due = 0;
  }

  private paymentsOf(orderId: string): StandInPayment[] {
    return this.payments.filter((p) => p.order_id === orderId);
  }

  private async answer(request: Request, signal: AbortSignal | undefined): Promise<Response> {
    const url = new URL(request.url);
    const text = new TextDecoder().decode(await request.arrayBuffer());
    const route = routeOf(request.method, url.pathname);
    const hang = this.nextHang && (this.nextHang.on ?? route) === route ? this.nextHang : undefined;
    const failure =
      this.nextFailure && (this.nextFailure.on ?? route) === route ? this.nextFailure : undefined;
    if (hang) this.nextHang = undefined;
    if (failure) this.nextFailure = undefined;
    if (hang?.beforeProcessing) return this.hold(signal, () => networkLost());
    if (failure?.status === "network" && !failure.afterProcessing) networkLost();

    let body: unknown = null;
    let answer: Answer;
    if (failure && !failure.afterProcessing) {
      answer = injected(failure.status as number);
    } else {
      try {
        body = text ? JSON.parse(text) : null;
        answer = this.handle(request, url, route, body);
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
        answer = refusal(400, "The request body is not valid JSON");
      }
      if (failure?.afterProcessing && failure.status !== "network") {
        answer = injected(failure.status);
      }
    }
    const query: Record<string, string[]> = {};
    for (const name of new Set(url.searchParams.keys())) {
      query[name] = url.searchParams.getAll(name);
    }
    this.requests.push({
      method: request.method,
      path: url.pathname,
      query,
      body,
      refundIdempotencyKey: request.headers.get("X-Refund-Idempotency"),
      status: answer.status,
      error: descriptionOf(answer.body),
      replayed: answer.replayed ?? false,
    });
    if (failure?.status === "network") networkLost();
    const respond = () =>
      new Response(JSON.stringify(answer.body), {
        status: answer.status,
        headers: { "Content-Type": "application/json" },
      });
    return hang ? this.hold(signal, respond) : respond();
  }

  private hold(signal: AbortSignal | undefined, respond: () => Response): Promise<Response> {
    this.hanging += 1;
    return new Promise<Response>((resolve, reject) => {
      signal?.addEventListener("abort", () => {
        this.hanging -= 1;
        reject(signal.reason);
      });
      this.releases.push(() => {
        if (signal?.aborted) return;
        this.hanging -= 1;
        try {
          resolve(respond());
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  private handle(request: Request, url: URL, route: string, body: unknown): Answer {
    const auth = this.checkAuth(request.headers.get("Authorization"));
    if (auth) return auth;
    if (request.method === "POST") {
      const type = request.headers.get("Content-Type") ?? "";
      if (!type.startsWith("application/json")) {
        return refusal(400, "Content-Type must be application/json (stand-in: JSON only)");
      }
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        return refusal(400, "The request body must be a JSON object");
      }
    }
    const fields = (body ?? {}) as Json;
    const q = url.searchParams;
    const id = /\/((?:order|pay)_[^/]+)/.exec(url.pathname)?.[1] ?? "";
    switch (route) {
      case "POST /v1/orders":
        return this.createOrder(fields);
      case "GET /v1/orders":
        return this.listOrders(q);
      case "GET /v1/orders/{order}":
        return this.withOrder(id, (o) => ok(this.orderView(o)));
      case "GET /v1/orders/{order}/payments":
        return this.withOrder(id, (o) =>
          ok(collection(this.paymentsOf(o.id).map((p) => this.paymentView(p)))),
        );
      case "GET /v1/payments/{pay}":
        return this.withPayment(id, (p) => {
          const expand = q.getAll("expand[]");
          const bad = expand.find((e) => !["card", "emi", "offers"].includes(e));
          if (bad) return refusal(400, `${bad} is not a valid expand value`, "expand");
          return ok(this.paymentView(p, expand.includes("card")));
        });
      case "POST /v1/payments/{pay}/refund":
        return this.withPayment(id, (p) =>
          this.createRefund(p, fields, request.headers.get("X-Refund-Idempotency")),
        );
      case "GET /v1/payments/{pay}/refunds":
        return this.withPayment(id, (p) =>
          ok(page(this.refunds.filter((r) => r.payment_id === p.id).reverse(), q)),
        );
      default:
        return refusal(400, "The requested URL was not found on the server.");
    }
  }

  private checkAuth(header: string | null): Answer | undefined {
    if (!header?.startsWith("Basic ")) {
      return refusal(401, "Please provide your api key for authentication purposes.");
    }
    let decoded = "";
    try {
      decoded = atob(header.slice("Basic ".length));
    } catch {
      return refusal(401, "Authentication failed");
    }
    const colon = decoded.indexOf(":");
    const [keyId, secret] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    if (colon < 0 || keyId !== this.keyId) return refusal(401, "The api key provided is invalid");
    if (secret !== this.keySecret) return refusal(401, "Authentication failed");
    return undefined;
  }

  private createOrder(fields: Json): Answer {
    const allowed = ["amount", "currency", "receipt", "notes", "partial_payment"];
    const extra = Object.keys(fields).filter((k) => !allowed.includes(k));
    if (extra.length > 0) {
      return refusal(400, `${extra.join(", ")} is/are not required and should not be sent`);
    }
    const { amount, currency, receipt, notes } = fields;
    if (amount === undefined) return refusal(400, "The amount field is required.", "amount");
    if (typeof amount !== "number" || !Number.isInteger(amount)) {
      return refusal(400, "The amount must be an integer.", "amount");
    }
    if (
      typeof currency !== "string" ||
      currency.length !== 3 ||
      currency !== currency.toUpperCase()
    ) {
      return refusal(
        400,
        "The currency field is required and must be a 3 letter ISO code.",
        "currency",
      );
    }
    if (amount < 100) {
      return refusal(400, `The amount must be at least ${currency} 1.00`, "amount");
    }
    if (receipt !== undefined && (typeof receipt !== "string" || receipt.length > 40)) {
      return refusal(400, "The receipt may not be greater than 40 characters.", "receipt");
    }
    const noteProblem = checkNotes(notes);
    if (noteProblem) return refusal(400, noteProblem, "notes");
    const order: StandInOrder = {
      id: `order_${randomToken(14)}`,
      entity: "order",
      amount,
      amount_paid: 0,
      amount_due: amount,
      currency,
      receipt: (receipt as string | undefined) ?? null,
      offer_id: null,
      status: "created",
      attempts: 0,
      notes: { ...((notes as Record<string, string> | undefined) ?? {}) },
      created_at: nowSeconds(),
    };
    this.orders.push(order);
    return ok(this.orderView(order));
  }

  private listOrders(q: URLSearchParams): Answer {
    const expand = q.getAll("expand[]");
    const bad = expand.find((e) => !["payments", "payments.card", "transfers"].includes(e));
    if (bad) return refusal(400, `${bad} is not a valid expand value`, "expand");
    const count = Number(q.get("count") ?? 10);
    if (!Number.isInteger(count) || count < 1 || count > 100) {
      return refusal(400, "The count must be between 1 and 100.", "count");
    }
    const receipt = q.get("receipt");
    const from = q.has("from") ? Number(q.get("from")) : undefined;
    const to = q.has("to") ? Number(q.get("to")) : undefined;
    const authorized = q.get("authorized");
    const matches = [...this.orders].reverse().filter((o) => {
      const paidOrAuthorized = this.paymentsOf(o.id).some((p) => p.status !== "failed");
      return (
        (receipt === null || o.receipt === receipt) &&
        (from === undefined || o.created_at >= from) &&
        (to === undefined || o.created_at <= to) &&
        (authorized === null || paidOrAuthorized === (authorized === "1"))
      );
    });
    return ok(page(matches, q, (o) => this.orderView(o, expand)));
  }

  private createRefund(payment: StandInPayment, fields: Json, key: string | null): Answer {
    if (key !== null) {
      if (key.length < 10) {
        return refusal(400, "The idempotency key must be at least 10 characters long.");
      }
      if (!/^[A-Za-z0-9_-]+$/.test(key)) {
        return refusal(
          400,
          "The idempotency key must only contain alphanumeric characters, underscores, and hyphens",
        );
      }
      const kept = this.kept.get(key);
      const fingerprint = `${payment.id} ${JSON.stringify(fields)}`;
      if (kept && kept.fingerprint !== fingerprint) {
        return refusal(
          409,
          "Different request with the same idempotency key has already been processed.",
        );
      }
      if (kept) return { ...kept.answer, replayed: true };
      const answer = this.refund(payment, fields);
      this.kept.set(key, { fingerprint, answer });
      return answer;
    }
    return this.refund(payment, fields);
  }

  private refund(payment: StandInPayment, fields: Json): Answer {
    const allowed = ["amount", "speed", "notes", "receipt"];
    const extra = Object.keys(fields).filter((k) => !allowed.includes(k));
    if (extra.length > 0) {
      return refusal(400, `${extra.join(", ")} is/are not required and should not be sent`);
    }
    if (!payment.captured) {
      return refusal(400, "The payment has not been captured, so it cannot be refunded.");
    }
    const left = payment.amount - payment.amount_refunded;
    if (left === 0) return refusal(400, "The payment has been fully refunded already.");
    const amount = fields.amount ?? left;
    if (typeof amount !== "number" || !Number.isInteger(amount) || amount < 100) {
      return refusal(400, `The amount must be at least ${payment.currency} 1.00`, "amount");
    }
    if (amount > left) {
      return refusal(400, "The refund amount provided is greater than amount captured.", "amount");
    }
    const noteProblem = checkNotes(fields.notes);
    if (noteProblem) return refusal(400, noteProblem, "notes");
    const refund: StandInRefund = {
      id: `rfnd_${randomToken(14)}`,
      entity: "refund",
      amount,
      currency: payment.currency,
      payment_id: payment.id,
      notes: { ...((fields.notes as Record<string, string> | undefined) ?? {}) },
      receipt: typeof fields.receipt === "string" ? fields.receipt : null,
      acquirer_data: { arn: null },
      created_at: nowSeconds(),
      batch_id: null,
      // Test mode processes a normal refund at once.
      status: "processed",
      speed_processed: "normal",
      speed_requested: "normal",
    };
    this.refunds.push(refund);
    payment.amount_refunded += amount;
    payment.refund_status = payment.amount_refunded === payment.amount ? "full" : "partial";
    if (payment.refund_status === "full") payment.status = "refunded";
    return ok(structuredClone(refund));
  }

  private withOrder(id: string, then: (order: StandInOrder) => Answer): Answer {
    if (!/^order_[A-Za-z0-9]{14}$/.test(id)) return refusal(400, `${id} is not a valid id`);
    const order = this.orders.find((o) => o.id === id);
    return order ? then(order) : refusal(400, "The id provided does not exist");
  }

  private withPayment(id: string, then: (payment: StandInPayment) => Answer): Answer {
    if (!/^pay_[A-Za-z0-9]{14}$/.test(id)) return refusal(400, `${id} is not a valid id`);
    const payment = this.payments.find((p) => p.id === id);
    return payment ? then(payment) : refusal(400, "The id provided does not exist");
  }
}

/** "GET /v1/orders/{order}/payments": the method and path, ids in braces. */
function routeOf(method: string, path: string): string {
  return `${method} ${path.replace(/\/(order|pay)_[^/]+/, "/{$1}")}`;
}

function checkNotes(notes: unknown): string | undefined {
  if (notes === undefined) return undefined;
  if (typeof notes !== "object" || notes === null || Array.isArray(notes)) {
    return "The notes field must be an object.";
  }
  const entries = Object.entries(notes);
  if (entries.length > 15) return "The notes may not have more than 15 items.";
  const long = entries.find(([, v]) => typeof v !== "string" || v.length > 256);
  return long ? `The notes.${long[0]} may not be greater than 256 characters.` : undefined;
}

function collection(items: unknown[]): Json {
  return { entity: "collection", count: items.length, items };
}

function page<T>(items: T[], q: URLSearchParams, view: (item: T) => unknown = (i) => i): Json {
  const count = Number(q.get("count") ?? 10);
  const skip = Number(q.get("skip") ?? 0);
  return collection(items.slice(skip, skip + count).map(view));
}

function ok(body: unknown): Answer {
  return { status: 200, body };
}

/** Razorpay's error body; source, step and reason are "NA" outside a payment's steps. */
function refusal(status: number, description: string, field?: string): Answer {
  const error: Json = {
    code: status >= 500 ? "SERVER_ERROR" : "BAD_REQUEST_ERROR",
    description,
    source: "NA",
    step: "NA",
    reason: "NA",
    metadata: {},
  };
  if (field) error.field = field;
  return { status, body: { error } };
}

function descriptionOf(body: unknown): string | null {
  const error = (body as { error?: { description?: unknown } } | null)?.error;
  return typeof error?.description === "string" ? error.description : null;
}

function injected(status: number): Answer {
  if (status === 429) return refusal(429, "Too many requests");
  return refusal(status, "The server encountered an error. (stand-in: injected failure)");
}

function networkLost(): never {
  throw new TypeError("Network connection lost.");
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
