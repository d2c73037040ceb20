import { PaymentOutcomeUnknown } from "./payment-gateway.ts";
import { providerOrigin } from "./provider-origin.ts";

/**
 * Razorpay's REST API (v1) as the Razorpay gateway uses it: JSON over plain fetch, Basic
 * auth with the key id and secret, and what a failed call means for a payment. No SDK: the
 * official package is written for Node (its HTTP client, its crypto), and the gateway needs
 * only a few routes.
 *
 * Razorpay answers every failure with `{"error": {"code", "description", "source", "step",
 * "reason", "metadata", "field"}}`. What a failure means:
 * - the outcome is unknown: a timeout, a connection lost after the request left, a 5xx, a
 *   429, a 409 (a refund under the same idempotency key still running, or that key used
 *   before with another body): the request may have been carried out;
 * - the request was refused before anything was made (401 a wrong key, a 400 that is not
 *   about a missing id): our configuration or our code is wrong, asking again won't help.
 */

/** Razorpay refused the request before doing anything: a wrong key, a bad parameter, a bug. */
export class RazorpayRequestRefused extends Error {
  /** The HTTP status; undefined for a request refused here, before it was sent. */
  readonly status: number | undefined;
  /** Razorpay's error code (`BAD_REQUEST_ERROR`, ...) and description, as answered. */
  readonly code: string | undefined;
  readonly description: string;
  constructor(status: number | undefined, error: RazorpayErrorBody, message: string) {
    super(message);
    this.name = "RazorpayRequestRefused";
    this.status = status;
    this.code = error.code;
    this.description = error.description ?? "";
  }
}

export interface RazorpayErrorBody {
  code?: string;
  description?: string;
  field?: string | null;
  source?: string;
  step?: string;
  reason?: string;
}

export interface RazorpayOrder {
  id: string;
  entity: "order";
  amount: number;
  amount_paid: number;
  amount_due: number;
  currency: string;
  receipt: string | null;
  status: "created" | "attempted" | "paid";
  attempts: number;
  /** An object, or `[]` when empty (Razorpay's answers show both). */
  notes: Record<string, string> | [];
  created_at: number;
  /** With `expand[]=payments` (or `payments.card`) on the list of orders. */
  payments?: RazorpayCollection<RazorpayPayment>;
}

export interface RazorpayCard {
  last4: string | number;
  /** Visa, MasterCard, RuPay, American Express, Diners Club, Maestro, Unknown. */
  network: string;
  type?: string;
}

export interface RazorpayPayment {
  id: string;
  entity: "payment";
  amount: number;
  currency: string;
  status: "created" | "authorized" | "captured" | "refunded" | "failed";
  order_id: string | null;
  method: string;
  captured: boolean;
  amount_refunded: number;
  refund_status: "partial" | "full" | null;
  card_id: string | null;
  /** With `expand[]=card` (a payment) or `expand[]=payments.card` (orders). */
  card?: RazorpayCard | null;
  notes: Record<string, string> | [];
  error_code: string | null;
  error_reason: string | null;
  error_description: string | null;
  created_at: number;
}

export interface RazorpayRefund {
  id: string;
  entity: "refund";
  amount: number;
  currency: string;
  payment_id: string;
  notes: Record<string, string> | [];
  receipt: string | null;
  status: "pending" | "processed" | "failed";
  created_at: number;
}

export interface RazorpayCollection<T> {
  entity: "collection";
  count: number;
  items: T[];
}

export interface RazorpayClientConfig {
  keyId: string;
  keySecret: string;
  /** An origin, no path. */
  apiBase: string;
  timeoutMs: number;
}

type Query = Record<string, string | string[]>;

export class RazorpayClient {
  private readonly origin: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;

  constructor(config: RazorpayClientConfig) {
    this.origin = checkedOrigin(config.apiBase);
    this.authorization = `Basic ${btoa(`${config.keyId}:${config.keySecret}`)}`;
    this.timeoutMs = config.timeoutMs;
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.send<T>("GET", `${path}${queryString(query)}`);
  }

  post<T>(path: string, body: object, headers: Record<string, string> = {}): Promise<T> {
    return this.send<T>("POST", path, JSON.stringify(body), headers);
  }

  /**
   * One call, answer body included, within the timeout. Throws PaymentOutcomeUnknown when
   * the request may have been carried out, RazorpayRequestRefused when it surely was not.
   */
  private async send<T>(
    method: string,
    pathAndQuery: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await fetch(`${this.origin}${pathAndQuery}`, {
        method,
        headers: {
          Authorization: this.authorization,
          Accept: "application/json",
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
          ...headers,
        },
        body,
        signal,
      });
      status = response.status;
      text = await response.text();
    } catch (err) {
      const timedOut = signal.aborted || (err instanceof Error && err.name === "TimeoutError");
      throw new PaymentOutcomeUnknown(timedOut ? "timeout" : "provider_error");
    }
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(text) as T;
      } catch {
        // A 2xx we cannot read: whatever it did is not known from here.
        throw new PaymentOutcomeUnknown("provider_error");
      }
    }
    throw failureOf(status, errorBodyOf(text), `${method} ${pathAndQuery.split("?")[0]}`);
  }
}

/** The error a non-2xx answer stands for. */
function failureOf(status: number, error: RazorpayErrorBody, call: string): Error {
  if (status === 409 || status === 429 || status >= 500) {
    return new PaymentOutcomeUnknown("provider_error");
  }
  const description = error.description ?? "no description";
  if (status === 401) {
    return new RazorpayRequestRefused(
      status,
      error,
      `Razorpay refused the API key on ${call} (401: ${description}): check RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET, and that both are of the same mode (test or live)`,
    );
  }
  return new RazorpayRequestRefused(
    status,
    error,
    `Razorpay refused ${call} (${status} ${error.code ?? "?"}: ${description})`,
  );
}

/** A refusal saying the id asked for is not Razorpay's (or not this account's). */
export function isMissing(err: unknown): boolean {
  if (!(err instanceof RazorpayRequestRefused)) return false;
  if (err.status === 404) return true;
  return err.status === 400 && /does not exist|is not a valid id/i.test(err.description);
}

function errorBodyOf(text: string): RazorpayErrorBody {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    return typeof parsed.error === "object" && parsed.error !== null
      ? (parsed.error as RazorpayErrorBody)
      : {};
  } catch {
    return {};
  }
}

function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, one);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Notes as a record of strings (Razorpay shows empty notes as `[]`). */
export function notesOf(notes: unknown): Record<string, string> {
  if (typeof notes !== "object" || notes === null || Array.isArray(notes)) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(notes)) {
    if (typeof value === "string") out[key] = value;
  }
  return out;
}

/** Lowercase hex SHA-256 of a text. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function checkedOrigin(apiBase: string): string {
  return providerOrigin("RazorpayGateway", apiBase).origin;
}
