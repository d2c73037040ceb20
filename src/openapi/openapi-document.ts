import { z } from "zod";
import { rateLimitClasses } from "../limits/rate-limit-classes.ts";
import { type Access, apiRoutes, type ErrorStatus, type RouteDoc } from "./api-routes.ts";
import { errorEnvelopeSchema } from "./response-schemas.ts";

/** The OpenAPI 3.1 document, built from the route list and its zod schemas. */

type JsonObject = { [key: string]: unknown };

const errorResponses: Record<ErrorStatus, { name: string; description: string }> = {
  400: {
    name: "BadRequest",
    description:
      "INVALID_INPUT (details.field, details.reason), SEATS_UNAVAILABLE, SEATS_ALREADY_LOCKED, LOCK_EXPIRED or SHOW_CLOSED",
  },
  401: {
    name: "Unauthenticated",
    description: "UNAUTHENTICATED: no token, or a malformed, expired or wrongly signed one",
  },
  403: { name: "Forbidden", description: "FORBIDDEN: the token's role or subject may not do this" },
  404: { name: "NotFound", description: "NOT_FOUND: no such resource (or not yours)" },
  405: {
    name: "MethodNotAllowed",
    description: "METHOD_NOT_ALLOWED; the Allow header lists the methods",
  },
  409: {
    name: "Conflict",
    description: "BOOKING_EXISTS (details.booking_id) or REQUEST_IN_PROGRESS",
  },
  413: { name: "PayloadTooLarge", description: "PAYLOAD_TOO_LARGE: bodies are limited to 64 KiB" },
  415: {
    name: "UnsupportedMediaType",
    description: "UNSUPPORTED_MEDIA_TYPE: the body must be application/json",
  },
  422: {
    name: "Unprocessable",
    description: "PAYMENT_FAILED (details.reason) or IDEMPOTENCY_KEY_REUSED",
  },
  426: {
    name: "UpgradeRequired",
    description: "UPGRADE_REQUIRED: this endpoint speaks WebSocket only",
  },
  429: { name: "RateLimited", description: "RATE_LIMITED; Retry-After says when to try again" },
  500: { name: "Internal", description: "INTERNAL: unexpected; the request id finds the log line" },
  503: {
    name: "Unavailable",
    description:
      "VIEWERS_LIMIT_REACHED: the show has as many live viewers as it takes; Retry-After",
  },
};

/** zod → JSON Schema 2020-12 (OpenAPI 3.1's dialect), without the noise OpenAPI does not need. */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonObject {
  const converted = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
  }) as JsonObject;
  delete converted.$schema;
  return tidy(converted) as JsonObject;
}

/** Drops zod's long date-time pattern where `format: date-time` already says it. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (node === null || typeof node !== "object") return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "pattern" && (node as JsonObject).format === "date-time") continue;
    out[key] = tidy(value);
  }
  return out;
}

function parameters(route: RouteDoc): JsonObject[] {
  const list: JsonObject[] = [];
  for (const [location, schema] of [
    ["path", route.params],
    ["query", route.query],
  ] as const) {
    if (!schema) continue;
    const converted = jsonSchema(schema, "input");
    const properties = (converted.properties ?? {}) as Record<string, JsonObject>;
    const required = new Set((converted.required as string[] | undefined) ?? []);
    for (const [name, property] of Object.entries(properties)) {
      list.push({
        name,
        in: location,
        required: location === "path" || required.has(name),
        schema: property,
      });
    }
  }
  if (route.idempotencyKey) {
    list.push({
      $ref: `#/components/parameters/IdempotencyKey${route.idempotencyKey === "required" ? "Required" : ""}`,
    });
  }
  if (route.extraResponses?.some((r) => r.status === 304)) {
    list.push({ name: "If-None-Match", in: "header", required: false, schema: { type: "string" } });
  }
  return list;
}

function security(access: Access): JsonObject[] {
  return access === "public" ? [] : [{ bearerAuth: [] }];
}

function accessNote(access: Access, rateLimit: RouteDoc["rateLimit"]): string {
  const who = {
    public: "No token needed.",
    user: "Any user token.",
    admin: "An admin token.",
    owner: "A user token; only the owner sees or changes it (others get 404).",
    "owner or admin": "A user token of the owner, or an admin token (others get 404).",
  }[access];
  const limit = rateLimit
    ? ` Rate limit class \`${rateLimit}\` (${rateLimitClasses[rateLimit].fallback}/min by default).`
    : "";
  return `${who}${limit}`;
}

export function buildOpenApiDocument(): JsonObject {
  const schemas: Record<string, JsonObject> = { Error: jsonSchema(errorEnvelopeSchema, "output") };
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of apiRoutes) {
    const responses: Record<string, unknown> = {};
    const success: JsonObject = { description: route.success.description };
    if (route.success.schema && route.success.name) {
      schemas[route.success.name] = jsonSchema(route.success.schema, "output");
      success.content = {
        "application/json": { schema: { $ref: `#/components/schemas/${route.success.name}` } },
      };
    } else if (route.path.endsWith("openapi.json")) {
      success.content = { "application/json": { schema: { type: "object" } } };
    }
    if (route.rateLimit) success.headers = rateLimitHeaderRefs();
    responses[String(route.success.status)] = success;
    for (const extra of route.extraResponses ?? [])
      responses[String(extra.status)] = { description: extra.description };
    for (const status of route.errors) {
      responses[String(status)] = { $ref: `#/components/responses/${errorResponses[status].name}` };
    }
    const operation: JsonObject = {
      operationId: `${route.method}${route.path.replace(/[{}]/g, "").replace(/[/._-](\w)/g, (_, ch: string) => ch.toUpperCase())}`,
      summary: route.summary,
      description: [route.description, accessNote(route.access, route.rateLimit)]
        .filter(Boolean)
        .join("\n\n"),
      tags: [route.tag],
      security: security(route.access),
      parameters: parameters(route),
      responses,
    };
    if (route.body) {
      schemas[route.body.name] = jsonSchema(route.body.schema, "input");
      operation.requestBody = {
        required: true,
        content: {
          "application/json": { schema: { $ref: `#/components/schemas/${route.body.name}` } },
        },
      };
    }
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, JsonObject>)[route.method] = operation;
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "Edge ticket booking API",
      version: "1.0.0",
      description:
        "Seat maps, all-or-nothing seat locks, bookings and payments with exactly-once effects. Every error is the envelope `{error: {code, message, details, request_id}}`.",
    },
    servers: [{ url: "/" }],
    tags: [
      { name: "Catalog", description: "Events, venues and shows" },
      { name: "Seats", description: "Seat maps and seat locks" },
      { name: "Bookings", description: "Bookings made from locks" },
      { name: "Payments", description: "Paying pending bookings" },
      { name: "Meta", description: "Health, this document, local tokens" },
    ],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "HS256 tokens signed with JWT_SECRET (claims sub, role, exp), or RS256/ES256 tokens of the identity provider at JWKS_URL.",
        },
      },
      parameters: {
        IdempotencyKeyRequired: idempotencyParameter(true),
        IdempotencyKey: idempotencyParameter(false),
      },
      headers: {
        "X-RateLimit-Limit": {
          description: "Requests allowed in the window",
          schema: { type: "integer" },
        },
        "X-RateLimit-Remaining": {
          description: "Requests left in the window",
          schema: { type: "integer" },
        },
        "X-RateLimit-Reset": {
          description: "End of the window, epoch seconds",
          schema: { type: "integer" },
        },
        RateLimit: {
          description: 'IETF: `"<class>";r=<remaining>;t=<seconds to reset>`',
          schema: { type: "string" },
        },
        "RateLimit-Policy": {
          description: 'IETF: `"<class>";q=<limit>;w=60`',
          schema: { type: "string" },
        },
        "Retry-After": {
          description: "Seconds until the window resets",
          schema: { type: "integer" },
        },
      },
      responses: Object.fromEntries(
        Object.entries(errorResponses).map(([status, { name, description }]) => [
          name,
          {
            description,
            ...(status === "429"
              ? {
                  headers: {
                    ...rateLimitHeaderRefs(),
                    "Retry-After": { $ref: "#/components/headers/Retry-After" },
                  },
                }
              : {}),
            content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
          },
        ]),
      ),
    },
  };
}

function idempotencyParameter(required: boolean): JsonObject {
  return {
    name: "Idempotency-Key",
    in: "header",
    required,
    description:
      "1-255 printable characters. The first answer is replayed byte for byte (Idempotent-Replayed: true) for 24 h; the same key with another body is 422.",
    schema: { type: "string", minLength: 1, maxLength: 255 },
  };
}

function rateLimitHeaderRefs(): JsonObject {
  return Object.fromEntries(
    [
      "X-RateLimit-Limit",
      "X-RateLimit-Remaining",
      "X-RateLimit-Reset",
      "RateLimit",
      "RateLimit-Policy",
    ].map((name) => [name, { $ref: `#/components/headers/${name}` }]),
  );
}
