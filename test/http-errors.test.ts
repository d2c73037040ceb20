import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { describe, expect, it, vi } from "vitest";
import { MAX_BODY_BYTES } from "../src/app.ts";
import { errorEnvelope, idempotencyKeyReused } from "../src/contract/api-failure.ts";
import { ApiError } from "../src/http/api-error.ts";
import type { AppEnv } from "../src/http/app-env.ts";
import { handleError } from "../src/http/error-handler.ts";
import { errorEnvelopeSchema } from "../src/openapi/response-schemas.ts";
import { adminToken, call, expectError, tokenFor } from "./support/helpers.ts";

describe("request ids", () => {
  it("gives every response an X-Request-Id, generated when the client sent none", async () => {
    const res = await call("GET", "/v1/events");
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Request-Id")).toMatch(/^req_[0-9a-z]{20}$/);
  });

  it("keeps a valid incoming X-Request-Id and echoes it in errors", async () => {
    const res = await call("GET", "/v1/events/event_missing", {
      headers: { "X-Request-Id": "client-trace-42" },
    });
    expect(res.headers.get("X-Request-Id")).toBe("client-trace-42");
    const error = await expectError(res, 404, "NOT_FOUND");
    expect(error.request_id).toBe("client-trace-42");
  });

  it("replaces an incoming X-Request-Id that holds unsafe characters", async () => {
    const res = await call("GET", "/v1/events", {
      headers: { "X-Request-Id": "bad id<script>" },
    });
    expect(res.headers.get("X-Request-Id")).toMatch(/^req_/);
  });
});

describe("the error envelope", () => {
  it("answers an unknown route with 404 NOT_FOUND", async () => {
    const error = await expectError(await call("GET", "/v1/no-such-thing"), 404, "NOT_FOUND");
    expect(error.message).toContain("/v1/no-such-thing");
  });

  it("answers paths outside /v1 with 404 NOT_FOUND too", async () => {
    await expectError(await call("GET", "/events"), 404, "NOT_FOUND");
  });

  it("answers a wrong method with 405 and the allowed methods", async () => {
    const res = await call("DELETE", "/v1/events");
    expect(res.headers.get("Allow")).toBe("POST, GET, HEAD");
    const error = await expectError(res, 405, "METHOD_NOT_ALLOWED");
    expect(error.details).toEqual({ allowed: ["POST", "GET", "HEAD"] });
  });

  it("answers a wrong method on a path with parameters with 405", async () => {
    const res = await call("PUT", "/v1/shows/show_abc");
    await expectError(res, 405, "METHOD_NOT_ALLOWED");
  });

  it("answers malformed JSON with 400 INVALID_INPUT and writes nothing", async () => {
    const token = await adminToken();
    const before = await countEvents();
    const res = await call("POST", "/v1/events", {
      token,
      rawBody: '{"name": "Broken',
      headers: { "Content-Type": "application/json" },
    });
    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details).toEqual({ field: "body", reason: "Malformed JSON in request body" });
    expect(await countEvents()).toBe(before);
  });

  it("answers a body that is not JSON with 415", async () => {
    const res = await call("POST", "/v1/events", {
      token: await adminToken(),
      rawBody: "name=Concert",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    const error = await expectError(res, 415, "UNSUPPORTED_MEDIA_TYPE");
    expect(error.details?.field).toBe("Content-Type");
  });

  it("answers an oversize body with 413 before reading it", async () => {
    const res = await call("POST", "/v1/events", {
      token: await adminToken(),
      body: { name: "x", description: "y".repeat(MAX_BODY_BYTES) },
    });
    const error = await expectError(res, 413, "PAYLOAD_TOO_LARGE");
    expect(error.details).toEqual({ limit_bytes: MAX_BODY_BYTES });
  });

  it("answers an unexpected failure with 500 INTERNAL and no internals", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    // The app's own error handler on a route that fails the way a bug would.
    const app = new Hono<AppEnv>()
      .use(requestId())
      .get("/boom", () => {
        throw new TypeError("cannot read secretColumn of undefined at /src/db.ts:12");
      })
      .onError(handleError);
    const res = await app.request("/boom");
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      error: {
        code: "INTERNAL",
        message: "An unexpected error occurred",
        details: {},
        request_id: res.headers.get("X-Request-Id"),
      },
    });
    expect(text).not.toContain("secretColumn");
    expect(text).not.toContain("db.ts");
    // Operators get the details in the log, under the request id.
    expect(String(logged.mock.calls[0]?.[0])).toContain(
      res.headers.get("X-Request-Id") ?? "missing",
    );
    logged.mockRestore();
  });
});

describe("details in every error envelope", () => {
  /** The raw envelope, so a missing key is seen as missing (not as undefined). */
  async function envelope(res: Response): Promise<Record<string, unknown>> {
    return ((await res.json()) as { error: Record<string, unknown> }).error;
  }

  it("carries details on 401 without a token and on 403 for the wrong role", async () => {
    const unauthenticated = await envelope(
      await call("POST", "/v1/events", { body: { name: "No token" } }),
    );
    expect(unauthenticated).toMatchObject({ code: "UNAUTHENTICATED", details: {} });
    const forbidden = await envelope(
      await call("POST", "/v1/events", { token: await tokenFor("user_e"), body: { name: "x" } }),
    );
    expect(forbidden).toMatchObject({ code: "FORBIDDEN", details: {} });
  });

  it("carries details on 404 for an unknown route", async () => {
    const error = await envelope(await call("GET", "/v1/no-such-route"));
    expect(error).toMatchObject({ code: "NOT_FOUND" });
    expect(error.details).toEqual({});
  });

  it.each([401, 403, 404, 405, 409, 413])(
    "gives a bare HTTPException %i from middleware an object as details",
    async (status) => {
      const app = new Hono<AppEnv>()
        .use(requestId())
        .get("/bare", () => {
          throw new HTTPException(status as 401, { message: "refused by middleware" });
        })
        .onError(handleError);
      const res = await app.request("/bare");
      expect(res.status).toBe(status);
      const error = await envelope(res);
      expect(error.details).toEqual({});
      expect(errorEnvelopeSchema.safeParse({ error }).success).toBe(true);
    },
  );

  it.each([
    [409, "INVALID_INPUT"],
    [422, "INVALID_INPUT"],
    [426, "UPGRADE_REQUIRED"],
    [429, "RATE_LIMITED"],
  ])(
    "gives a bare HTTPException %i a client-error code (%s), never INTERNAL",
    async (status, code) => {
      const app = new Hono<AppEnv>()
        .use(requestId())
        .get("/bare", () => {
          throw new HTTPException(status as 409, { message: "refused by middleware" });
        })
        .onError(handleError);
      const res = await app.request("/bare");
      expect(res.status).toBe(status);
      expect(await envelope(res)).toEqual({
        code,
        message: "refused by middleware",
        details: {},
        request_id: res.headers.get("X-Request-Id"),
      });
    },
  );

  it("builds an ApiError from a failure, with the same envelope", () => {
    const error = ApiError.from(idempotencyKeyReused());
    expect(error).toBeInstanceOf(ApiError);
    expect(error.failure).toEqual(idempotencyKeyReused());
    expect(error.toEnvelope("req_2")).toEqual(errorEnvelope(idempotencyKeyReused(), "req_2"));
  });

  it("puts {} as the details of an ApiError made without any", () => {
    const conflict = new ApiError(409, "REQUEST_IN_PROGRESS", "Still running");
    expect(conflict.toEnvelope("req_1")).toEqual({
      error: {
        code: "REQUEST_IN_PROGRESS",
        message: "Still running",
        details: {},
        request_id: "req_1",
      },
    });
  });

  it("documents details as required in the OpenAPI error schema", () => {
    const withoutDetails = { error: { code: "NOT_FOUND", message: "x", request_id: "req_1" } };
    expect(errorEnvelopeSchema.safeParse(withoutDetails).success).toBe(false);
    const withDetails = { error: { ...withoutDetails.error, details: {} } };
    expect(errorEnvelopeSchema.safeParse(withDetails).success).toBe(true);
  });
});

async function countEvents(): Promise<number> {
  const { env } = await import("cloudflare:workers");
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM events").first<{ n: number }>();
  return row?.n ?? 0;
}

describe("GET /health", () => {
  it("answers ok without touching any state", async () => {
    const res = await call("GET", "/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});
