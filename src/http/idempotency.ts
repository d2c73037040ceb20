import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { idempotencyKeyReused } from "../contract/api-failure.ts";
import type { IdempotencyKey } from "../contract/show-rpc.ts";
import { hmacKey } from "../lib/hmac-keys.ts";
import { ApiError } from "./api-error.ts";
import type { AppEnv } from "./app-env.ts";

/**
 * Idempotency-Key handling in the Worker: the fast replay path. A finished request's reply
 * is kept in KV for 24 h, keyed by user, endpoint and key, and replayed byte for byte with
 * `Idempotent-Replayed: true`. KV is eventually consistent, so it is not the guard against
 * two requests racing with one key: the show object's operation log is (see operation-log.ts),
 * and this middleware hands it the scope and the request's hash.
 */

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

interface StoredReply {
  hash: string;
  status: number;
  body: string;
}

/** An Idempotency-Key: 1-255 printable ASCII characters (a UUID v4 is the usual choice). */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, "must be 1-255 printable ASCII characters")
  .meta({
    description:
      "1-255 printable characters. The first answer is replayed byte for byte (Idempotent-Replayed: true) for 24 h; the same key with another body is 422.",
    example: "5f0c7f5e-2b1d-4c4e-9a57-0d6f3b8e9a11",
  });

/** Sorted keys, so the same request written differently hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * A keyed hash (HMAC-SHA-256) of the request: bodies can hold card numbers, and an unkeyed
 * hash of a card number can be brute-forced, so only this keyed digest is ever stored.
 */
async function requestHash(secret: string, endpoint: string, body: unknown): Promise<string> {
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret, "idempotency"),
    new TextEncoder().encode(`${endpoint}\n${canonicalJson(body)}`),
  );
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function kvKey(scope: string): string {
  return `idem:${scope}`;
}

/**
 * For POST endpoints with Idempotency-Key. Runs after authentication and the JSON guard, before
 * the body's schema is checked (route middleware precedes validators in @hono/zod-openapi).
 * Puts the key's scope and hash on the context as `idempotency` for the route to pass on.
 */
export function idempotency(endpoint: string, options: { required: boolean }) {
  return createMiddleware<AppEnv>(async function idempotency(c, next) {
    const key = c.req.header("Idempotency-Key");
    if (key === undefined) {
      if (options.required) {
        throw new ApiError(400, "INVALID_INPUT", "Idempotency-Key: this request needs one", {
          field: "Idempotency-Key",
          reason: "required",
        });
      }
      return next();
    }
    if (!idempotencyKeySchema.safeParse(key).success) {
      throw new ApiError(
        400,
        "INVALID_INPUT",
        "Idempotency-Key: must be 1-255 printable characters",
        {
          field: "Idempotency-Key",
          reason: "must be 1-255 printable ASCII characters",
        },
      );
    }
    // Each caller's own keys; an organization's staff, within their organization's.
    const { userId, orgId } = c.get("principal");
    const scope = `${orgId ? `${orgId}/` : ""}${userId}:${endpoint}:${key}`;
    const hash = await requestHash(c.env.JWT_SECRET, endpoint, await c.req.json());
    const stored = await c.env.IDEMPOTENCY.get<StoredReply>(kvKey(scope), "json");
    if (stored) {
      if (stored.hash !== hash) {
        throw ApiError.from(idempotencyKeyReused());
      }
      return replayResponse(c, stored.status, stored.body);
    }
    c.set("idempotency", { scope, hash } satisfies IdempotencyKey);
    await next();
  });
}

export function replayResponse(c: Context<AppEnv>, status: number, body: string): Response {
  return c.body(body, status as ContentfulStatusCode, {
    "Content-Type": "application/json",
    "Idempotent-Replayed": "true",
  });
}

/** Keeps a reply the show object kept, so later retries are answered without reaching it. */
export function rememberReply(c: Context<AppEnv>, status: number, body: string): void {
  const scope = c.get("idempotency");
  if (!scope) return;
  const record: StoredReply = { hash: scope.hash, status, body };
  c.executionCtx.waitUntil(
    c.env.IDEMPOTENCY.put(kvKey(scope.scope), JSON.stringify(record), {
      expirationTtl: IDEMPOTENCY_TTL_SECONDS,
    }),
  );
}
