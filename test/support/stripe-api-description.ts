/**
 * The part of Stripe's REST API (v1) that our Stripe gateway uses, described in our own
 * words from Stripe's published API reference: for each operation, the form parameters it
 * takes and their types. The stand-in (stripe-stand-in.ts) checks every request against
 * this and refuses, as Stripe does, a parameter it does not know (400 `parameter_unknown`),
 * a required one left out (400 `parameter_missing`) or a value of the wrong type, so each
 * request the adapter sends is checked against the published shape, not only against what
 * the stand-in happens to read.
 *
 * The API version is the one the stripe package pins (2026-11-18.endive): on it a
 * PaymentIntent's methods are chosen with `allowed_payment_method_types`, and the older
 * `payment_method_types` is refused (400 `payment_method_types_no_longer_supported`, from
 * 2026-09-30.endive on).
 *
 * Only the parameters the stand-in understands are listed. Stripe takes more on each of
 * these operations (descriptions, customers, shipping, statement descriptors...): those are
 * left out on purpose, so a request that starts using one fails here loudly instead of
 * being half-simulated. Add it here, and to the stand-in, when the adapter needs it.
 *
 * How Stripe reads a request (the rules the stand-in follows):
 * - a secret key in `Authorization: Bearer sk_...`; `Stripe-Version` pins the API version;
 * - POST bodies are `application/x-www-form-urlencoded`, GET parameters are in the query
 *   string; nested values use brackets: `metadata[booking_id]=...`, lists use indexes:
 *   `payment_method_types[0]=card`, `expand[0]=latest_charge`;
 * - an `Idempotency-Key` (at most 255 characters) on a POST: the first answer under a key
 *   is kept (once the endpoint has started work, errors included) and replayed for the same
 *   key with the same parameters (`Idempotent-Replayed: true`); the same key on another
 *   endpoint or with other parameters is refused with 400 `idempotency_error`. Requests
 *   refused before the endpoint starts (authentication, the parameter checks below) keep
 *   nothing. GET requests take no key (one sent is ignored).
 */

/** What a parameter's value may be, as sent in a form body or a query string. */
export type ValueRule =
  /** Text; `pattern` when Stripe documents a format (a currency code, an id prefix). */
  | { kind: "string"; maxLength?: number; pattern?: RegExp; format?: string }
  /** A whole number in decimal digits. */
  | { kind: "integer"; min?: number; max?: number }
  /** `true` or `false`. */
  | { kind: "boolean" }
  /** One of a few documented words. */
  | { kind: "enum"; values: readonly string[] }
  /** A list sent with indexes (`name[0]=...`). */
  | { kind: "list"; of: ValueRule; maxItems?: number }
  /** Stripe's metadata: up to 50 keys of at most 40 characters, values at most 500. */
  | { kind: "metadata" }
  /** A time filter: a unix timestamp, or a hash of `gt`, `gte`, `lt`, `lte` timestamps. */
  | { kind: "time_range" };

export interface ParameterDescription {
  rule: ValueRule;
  required?: boolean;
  /** What it means, in a line. */
  about: string;
}

export interface OperationDescription {
  method: "GET" | "POST";
  /** With `{name}` for an id in the path. */
  path: string;
  about: string;
  parameters: Record<string, ParameterDescription>;
  /** Groups of which at least one parameter must be given (Stripe's "one of"). */
  oneOf?: readonly string[][];
  /**
   * Parameters an earlier API version took and the pinned one refuses with an error of its
   * own (not parameter_unknown).
   */
  retired?: Record<string, { code: string; message: string }>;
}

/** A few of the payment method types Stripe names (cards and some common others). */
const PAYMENT_METHOD_TYPES = [
  "card",
  "link",
  "us_bank_account",
  "sepa_debit",
  "ideal",
  "upi",
  "paypal",
] as const;

const expand: ParameterDescription = {
  rule: { kind: "list", of: { kind: "string", maxLength: 5000 } },
  about: "related objects to include in full instead of by id (paths such as latest_charge)",
};

const expandInList: ParameterDescription = {
  rule: { kind: "list", of: { kind: "string", maxLength: 5000 } },
  about: "related objects of each listed item to include in full (data.latest_charge)",
};

const limit: ParameterDescription = {
  rule: { kind: "integer", min: 1, max: 100 },
  about: "how many objects one page holds (10 when not given)",
};

export const STRIPE_OPERATIONS: readonly OperationDescription[] = [
  {
    method: "POST",
    path: "/v1/payment_intents",
    about:
      "Creates a PaymentIntent; with confirm=true it also tries the payment at once, so the answer is succeeded, requires_action or (for a declined card) a 402 card_error",
    parameters: {
      amount: {
        rule: { kind: "integer", min: 1, max: 99_999_999 },
        required: true,
        about: "the amount in the currency's smallest unit (cents, paise)",
      },
      currency: {
        rule: {
          kind: "string",
          pattern: /^[a-z]{3}$/,
          format: "a three-letter ISO code, lowercase",
        },
        required: true,
        about: "the currency, a three-letter ISO code in lowercase",
      },
      payment_method: {
        rule: { kind: "string", maxLength: 5000, pattern: /^pm_\w+$/, format: "pm_..." },
        about: "the PaymentMethod to charge (made in the browser by Stripe's card field)",
      },
      confirm: {
        rule: { kind: "boolean" },
        about: "true: confirm at creation (create and pay in one call)",
      },
      allowed_payment_method_types: {
        rule: { kind: "list", of: { kind: "enum", values: PAYMENT_METHOD_TYPES } },
        about:
          "the kinds of payment method this intent may use (card); Stripe keeps the ones that fit the amount and currency; not with automatic_payment_methods",
      },
      capture_method: {
        rule: { kind: "enum", values: ["automatic", "automatic_async", "manual"] },
        about: "when the funds are captured (automatic by default)",
      },
      metadata: {
        rule: { kind: "metadata" },
        about: "key-value pairs of ours kept on the object, searchable",
      },
      expand,
    },
    retired: {
      payment_method_types: {
        code: "payment_method_types_no_longer_supported",
        message:
          "payment_method_types cannot be set on this API version (from 2026-09-30.endive): use allowed_payment_method_types or excluded_payment_method_types",
      },
    },
  },
  {
    method: "GET",
    path: "/v1/payment_intents/search",
    about:
      "Finds PaymentIntents with Stripe's search query language; the index lags writes (under a minute normally, longer during incidents)",
    parameters: {
      query: {
        rule: { kind: "string", maxLength: 5000 },
        required: true,
        about: "a search query, such as metadata['attempt_key']:'value'",
      },
      limit,
      page: {
        rule: { kind: "string", maxLength: 5000 },
        about: "the cursor of the next page, from a previous answer's next_page",
      },
      expand: expandInList,
    },
  },
  {
    method: "GET",
    path: "/v1/payment_intents",
    about: "Lists PaymentIntents, newest first; read straight from the store (no lag)",
    parameters: {
      created: {
        rule: { kind: "time_range" },
        about: "only intents created in this range (unix seconds)",
      },
      limit,
      starting_after: {
        rule: { kind: "string", maxLength: 5000 },
        about: "the cursor: the id of the last object of the previous page",
      },
      ending_before: {
        rule: { kind: "string", maxLength: 5000 },
        about: "the cursor backwards: the id of the first object of the next page",
      },
      expand: expandInList,
    },
  },
  {
    method: "GET",
    path: "/v1/payment_intents/{intent}",
    about: "Reads one PaymentIntent",
    parameters: {
      client_secret: {
        rule: { kind: "string", maxLength: 5000 },
        about: "required only with a publishable key; not used with a secret key",
      },
      expand,
    },
  },
  {
    method: "POST",
    path: "/v1/payment_intents/{intent}/cancel",
    about:
      "Cancels a PaymentIntent that has not succeeded (waiting for a payment method, for confirmation, for the buyer's action, for capture, or processing); nothing can be charged through it after",
    parameters: {
      cancellation_reason: {
        rule: {
          kind: "enum",
          values: ["abandoned", "duplicate", "fraudulent", "requested_by_customer"],
        },
        about: "why, for the records",
      },
      expand,
    },
  },
  {
    method: "POST",
    path: "/v1/refunds",
    about:
      "Refunds a succeeded payment, in full unless an amount is given; a payment already refunded in full is refused (400 charge_already_refunded)",
    parameters: {
      payment_intent: {
        rule: { kind: "string", maxLength: 5000, pattern: /^pi_\w+$/, format: "pi_..." },
        about: "the PaymentIntent whose charge to refund",
      },
      charge: {
        rule: { kind: "string", maxLength: 5000, pattern: /^ch_\w+$/, format: "ch_..." },
        about: "the charge to refund",
      },
      amount: {
        rule: { kind: "integer", min: 1 },
        about: "how much, in the smallest unit (all that is left when not given)",
      },
      reason: {
        rule: { kind: "enum", values: ["duplicate", "fraudulent", "requested_by_customer"] },
        about: "why, for the records",
      },
      metadata: { rule: { kind: "metadata" }, about: "key-value pairs of ours" },
      expand,
    },
    oneOf: [["charge", "payment_intent"]],
  },
  {
    method: "GET",
    path: "/v1/refunds",
    about: "Lists refunds, newest first",
    parameters: {
      payment_intent: {
        rule: { kind: "string", maxLength: 5000 },
        about: "only the refunds of this PaymentIntent",
      },
      charge: {
        rule: { kind: "string", maxLength: 5000 },
        about: "only the refunds of this charge",
      },
      limit,
      starting_after: {
        rule: { kind: "string", maxLength: 5000 },
        about: "the cursor: the id of the last object of the previous page",
      },
      expand: expandInList,
    },
  },
];

/** The operation a method and path name, with the ids in the path; undefined when none. */
export function findOperation(
  method: string,
  path: string,
): { operation: OperationDescription; ids: Record<string, string> } | undefined {
  // A fixed segment wins over an id (…/search is not the intent "search").
  const candidates = STRIPE_OPERATIONS.filter((op) => op.method === method)
    .map((operation) => ({ operation, ids: matchPath(operation.path, path) }))
    .filter((c): c is { operation: OperationDescription; ids: Record<string, string> } =>
      Boolean(c.ids),
    )
    .sort((a, b) => Object.keys(a.ids).length - Object.keys(b.ids).length);
  return candidates[0];
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const ids: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? "";
    const g = decodeURIComponent(got[i] ?? "");
    if (w.startsWith("{") && w.endsWith("}")) {
      if (g === "") return undefined;
      ids[w.slice(1, -1)] = g;
    } else if (w !== g) {
      return undefined;
    }
  }
  return ids;
}

/** A form value once its bracketed names are read: text, a list or a hash. */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };

/** Why a request's parameters do not fit its operation, as Stripe words the error. */
export interface ParameterProblem {
  code:
    | "parameter_unknown"
    | "parameter_missing"
    | "parameter_invalid_integer"
    | "parameter_invalid_empty"
    | "parameter_invalid_string"
    | "parameter_invalid"
    | (string & {});
  param: string;
  message: string;
}

/** The first problem of `params` against the operation, or undefined when they fit. */
export function checkParameters(
  operation: OperationDescription,
  params: Record<string, FormValue>,
): ParameterProblem | undefined {
  for (const [name, value] of Object.entries(params)) {
    const retired = operation.retired?.[name];
    if (retired) return { code: retired.code, param: name, message: retired.message };
    const described = operation.parameters[name];
    if (!described) {
      return {
        code: "parameter_unknown",
        param: name,
        message: `Received unknown parameter: ${name}`,
      };
    }
    const problem = checkValue(name, described.rule, value);
    if (problem) return problem;
  }
  for (const [name, described] of Object.entries(operation.parameters)) {
    if (described.required && !(name in params)) {
      return {
        code: "parameter_missing",
        param: name,
        message: `Missing required param: ${name}.`,
      };
    }
  }
  for (const group of operation.oneOf ?? []) {
    if (!group.some((name) => name in params)) {
      return {
        code: "parameter_missing",
        param: group[0] ?? "",
        message: `One of the following params should be provided for this request: ${group.join(" or ")}.`,
      };
    }
  }
  return undefined;
}

function checkValue(name: string, rule: ValueRule, value: FormValue): ParameterProblem | undefined {
  const invalid = (code: ParameterProblem["code"], message: string): ParameterProblem => ({
    code,
    param: name,
    message,
  });
  switch (rule.kind) {
    case "string": {
      if (typeof value !== "string")
        return invalid("parameter_invalid", `Invalid ${name}: must be a string`);
      if (value === "") {
        return invalid(
          "parameter_invalid_empty",
          `You passed an empty string for '${name}'. We assume empty values are an attempt to unset a parameter; however '${name}' cannot be unset.`,
        );
      }
      if (rule.maxLength !== undefined && value.length > rule.maxLength) {
        return invalid(
          "parameter_invalid_string",
          `Invalid ${name}: must be at most ${rule.maxLength} characters`,
        );
      }
      if (rule.pattern && !rule.pattern.test(value)) {
        return invalid(
          "parameter_invalid_string",
          `Invalid ${name}: must be ${rule.format ?? rule.pattern}`,
        );
      }
      return undefined;
    }
    case "integer": {
      if (typeof value !== "string" || !/^-?\d+$/.test(value)) {
        return invalid("parameter_invalid_integer", `Invalid integer: ${String(value)}`);
      }
      const n = Number(value);
      if ((rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max)) {
        return invalid(
          "parameter_invalid_integer",
          `Invalid ${name}: must be between ${rule.min ?? "-∞"} and ${rule.max ?? "∞"}`,
        );
      }
      return undefined;
    }
    case "boolean":
      return value === "true" || value === "false"
        ? undefined
        : invalid("parameter_invalid", `Invalid boolean: ${String(value)}`);
    case "enum":
      return typeof value === "string" && rule.values.includes(value)
        ? undefined
        : invalid("parameter_invalid", `Invalid ${name}: must be one of ${rule.values.join(", ")}`);
    case "list": {
      if (!Array.isArray(value)) return invalid("parameter_invalid", `Invalid array: ${name}`);
      if (rule.maxItems !== undefined && value.length > rule.maxItems) {
        return invalid("parameter_invalid", `Invalid ${name}: at most ${rule.maxItems} items`);
      }
      for (const [i, item] of value.entries()) {
        const problem = checkValue(`${name}[${i}]`, rule.of, item);
        if (problem) return problem;
      }
      return undefined;
    }
    case "metadata": {
      if (typeof value !== "object" || Array.isArray(value)) {
        return invalid("parameter_invalid", `Invalid object: ${name} must be a hash of strings`);
      }
      const entries = Object.entries(value);
      if (entries.length > 50)
        return invalid("parameter_invalid", `Invalid ${name}: at most 50 keys`);
      for (const [key, text] of entries) {
        const param = `${name}[${key}]`;
        if (key.length > 40) {
          return {
            code: "parameter_invalid",
            param,
            message: `Invalid ${name}: keys are at most 40 characters`,
          };
        }
        if (typeof text !== "string") {
          return {
            code: "parameter_invalid",
            param,
            message: `Invalid ${param}: must be a string`,
          };
        }
        if (text.length > 500) {
          return {
            code: "parameter_invalid",
            param,
            message: `Invalid ${param}: at most 500 characters`,
          };
        }
      }
      return undefined;
    }
    case "time_range": {
      if (typeof value === "string") {
        return /^\d+$/.test(value)
          ? undefined
          : invalid("parameter_invalid_integer", `Invalid integer: ${value}`);
      }
      if (Array.isArray(value))
        return invalid("parameter_invalid", `Invalid ${name}: a timestamp or a range`);
      for (const [key, bound] of Object.entries(value)) {
        const param = `${name}[${key}]`;
        if (!["gt", "gte", "lt", "lte"].includes(key)) {
          return {
            code: "parameter_unknown",
            param,
            message: `Received unknown parameter: ${param}`,
          };
        }
        if (typeof bound !== "string" || !/^\d+$/.test(bound)) {
          return {
            code: "parameter_invalid_integer",
            param,
            message: `Invalid integer: ${String(bound)}`,
          };
        }
      }
      return undefined;
    }
  }
}
