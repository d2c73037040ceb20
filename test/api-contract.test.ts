import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { app, openApiDocument } from "../src/app.ts";
import { newShowScopedId } from "../src/contract/scoped-ids.ts";
import { adminToken, BASE, expectError, lockedSeats, tokenFor } from "./support/helpers.ts";

/**
 * Every documented operation, called: what the document says of its security, rate-limit
 * class and Idempotency-Key is what the route does. The document is generated from the same
 * declarations as the routes' middleware; these calls check the pair from the outside.
 */

interface Operation {
  method: string;
  path: string;
  security: unknown[];
  "x-access": string;
  "x-rate-limit-class"?: string;
  "x-idempotency-key"?: "required" | "optional";
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

function operations(): Operation[] {
  const { paths } = openApiDocument() as { paths: Record<string, Record<string, Operation>> };
  return Object.entries(paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
  );
}

let ids: Record<string, string>;
let userToken: string;
let admin: string;

beforeAll(async () => {
  const ctx = await lockedSeats(1, "user_contract");
  const showId = ctx.showId;
  userToken = ctx.token;
  admin = await adminToken();
  ids = {
    show_id: showId,
    event_id: "event_contract_missing",
    venue_id: "venue_contract_missing",
    lock_id: ctx.lock.lock_id,
    booking_id: newShowScopedId("booking", showId),
    ticket_id: newShowScopedId("ticket", showId),
    webhook_id: "wh_contractmissing00000",
    hold_id: "hold_contractmissing",
    org_id: "org_demo",
    access_code_id: "code_contractmissing",
    allocation_id: "alloc_contractmissing",
  };
});

function urlOf(op: Operation): string {
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const id = ids[name];
    if (!id) throw new Error(`no id for {${name}}`);
    return id;
  });
}

let ip = 0;

/** Calls the app as a client would; rate limiting on, with its own address each time. */
async function request(
  op: Operation,
  options: { token?: string; headers?: Record<string, string>; limits?: boolean } = {},
): Promise<Response> {
  const headers = new Headers(options.headers);
  headers.set("CF-Connecting-IP", `198.51.100.${++ip % 250}`);
  if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
  if (op.requestBody) headers.set("Content-Type", "application/json");
  const ctx = createExecutionContext();
  const res = await app.request(
    `${BASE}${urlOf(op)}`,
    { method: op.method, headers, body: op.requestBody ? "{}" : undefined },
    { ...env, RATE_LIMITS_ENABLED: options.limits ? "true" : "false" },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

/** Routes a user token is refused on (403): an admin token passes them. */
const needsRole = (op: Operation) =>
  [
    "admin",
    "organizer (own organization) or admin",
    "scanner, organizer (own organization) or admin",
  ].includes(op["x-access"]);
const tokenOf = (op: Operation) => (needsRole(op) ? admin : userToken);

describe("every documented operation", () => {
  it("is in the document with its access, and there are enough of them to mean something", () => {
    const all = operations();
    expect(all.length).toBeGreaterThanOrEqual(20);
    for (const op of all) expect(op["x-access"], `${op.method} ${op.path}`).toBeTypeOf("string");
  });

  it("answers 401 without a token exactly where the document names the bearer scheme", async () => {
    for (const op of operations()) {
      const name = `${op.method} ${op.path}`;
      const res = await request(op);
      if (op.security.length > 0) {
        await expectError(res, 401, "UNAUTHENTICATED");
        expect(op.responses["401"], name).toBeDefined();
      } else {
        expect(res.status, name).not.toBe(401);
        expect(op.responses["401"], name).toBeUndefined();
      }
    }
  });

  it("answers 403 to a user token where the document asks for an admin", async () => {
    const adminOnly = operations().filter(needsRole);
    expect(adminOnly.length).toBeGreaterThanOrEqual(3);
    for (const op of adminOnly) {
      await expectError(await request(op, { token: userToken }), 403, "FORBIDDEN");
    }
  });

  it("answers 403 to a scanner token, before the body is read, wherever a buyer acts", async () => {
    const scanner = await tokenFor("gate_contract", "scanner");
    const buyerOnly = operations().filter((op) =>
      ["user", "owner", "owner, organizer (own organization) or admin"].includes(op["x-access"]),
    );
    expect(buyerOnly.length).toBeGreaterThanOrEqual(8);
    for (const op of buyerOnly) {
      // The body sent is "{}", invalid everywhere: a 403 means the role was decided first.
      await expectError(await request(op, { token: scanner }), 403, "FORBIDDEN");
      expect(op.responses["403"], `${op.method} ${op.path}`).toBeDefined();
    }
  });

  it("counts the request in the documented rate-limit class, and only where one is documented", async () => {
    for (const op of operations()) {
      const name = `${op.method} ${op.path}`;
      const res = await request(op, { token: tokenOf(op), limits: true });
      const limitClass = op["x-rate-limit-class"];
      if (limitClass) {
        expect(res.headers.get("RateLimit-Policy"), name).toMatch(
          new RegExp(`^"${limitClass}";q=\\d+;w=60$`),
        );
        expect(op.responses["429"], name).toBeDefined();
      } else {
        expect(res.headers.get("RateLimit-Policy"), name).toBeNull();
        expect(op.responses["429"], name).toBeUndefined();
      }
    }
  });

  it("refuses a missing Idempotency-Key exactly where the document requires one", async () => {
    const keyed = operations().filter((op) => op["x-idempotency-key"]);
    expect(keyed.map((op) => `${op.method} ${op.path}`).sort()).toEqual([
      "POST /v1/bookings",
      "POST /v1/payments",
      "POST /v1/seats/lock",
      "POST /v1/tickets/{ticket_id}/resale",
      "POST /v1/tickets/{ticket_id}/transfer",
    ]);
    for (const op of operations()) {
      const name = `${op.method} ${op.path}`;
      const res = await request(op, { token: tokenOf(op) });
      const body = (await res.json().catch(() => ({}))) as {
        error?: { details?: { field?: string } };
      };
      const missingKey = res.status === 400 && body.error?.details?.field === "Idempotency-Key";
      expect(missingKey, name).toBe(op["x-idempotency-key"] === "required");
    }
  });

  it("refuses a malformed Idempotency-Key wherever the document takes one", async () => {
    for (const op of operations().filter((op) => op["x-idempotency-key"])) {
      const res = await request(op, {
        token: tokenOf(op),
        headers: { "Idempotency-Key": "has spaces in it" },
      });
      const error = await expectError(res, 400, "INVALID_INPUT");
      expect(error.details?.field).toBe("Idempotency-Key");
    }
  });
});

describe("a user token of another user", () => {
  it("gets 404, not someone else's lock, on the owner-only lock routes", async () => {
    const stranger = await tokenFor("user_stranger");
    for (const op of operations().filter((op) => op.path === "/v1/seats/lock/{lock_id}")) {
      await expectError(await request(op, { token: stranger }), 404, "NOT_FOUND");
    }
  });
});
