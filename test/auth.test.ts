import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { call, expectError, tokenFor } from "./helpers.ts";

const now = () => Math.floor(Date.now() / 1000);

function base64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** An admin-only write, so each token problem shows on the same request. */
function createEvent(authorization?: string) {
  return call("POST", "/v1/events", {
    body: { name: "Auth probe" },
    headers: authorization ? { Authorization: authorization } : {},
  });
}

describe("bearer tokens", () => {
  it("accepts a valid admin token", async () => {
    const res = await createEvent(`Bearer ${await tokenFor("admin_1", "admin")}`);
    expect(res.status).toBe(201);
  });

  it("refuses a request without a token with 401 and a WWW-Authenticate header", async () => {
    const res = await createEvent();
    expect(res.headers.get("WWW-Authenticate")).toContain("Bearer");
    await expectError(res, 401, "UNAUTHENTICATED");
  });

  it("refuses an Authorization header that is not a bearer token", async () => {
    await expectError(await createEvent("Basic YWRtaW46YWRtaW4="), 401, "UNAUTHENTICATED");
  });

  it("refuses a malformed token", async () => {
    await expectError(await createEvent("Bearer not.a.jwt"), 401, "UNAUTHENTICATED");
    await expectError(await createEvent("Bearer abc"), 401, "UNAUTHENTICATED");
  });

  it("refuses an expired token", async () => {
    const token = await sign(
      { sub: "admin_1", role: "admin", exp: now() - 10 },
      env.JWT_SECRET,
      "HS256",
    );
    await expectError(await createEvent(`Bearer ${token}`), 401, "UNAUTHENTICATED");
  });

  it("refuses a token without exp", async () => {
    const token = await sign({ sub: "admin_1", role: "admin" }, env.JWT_SECRET, "HS256");
    await expectError(await createEvent(`Bearer ${token}`), 401, "UNAUTHENTICATED");
  });

  it("refuses a token signed with another secret", async () => {
    const token = await sign(
      { sub: "admin_1", role: "admin", exp: now() + 600 },
      "someone-elses-secret",
      "HS256",
    );
    await expectError(await createEvent(`Bearer ${token}`), 401, "UNAUTHENTICATED");
  });

  it("refuses an unsigned token with alg none", async () => {
    const header = base64url({ alg: "none", typ: "JWT" });
    const payload = base64url({ sub: "admin_1", role: "admin", exp: now() + 600 });
    await expectError(await createEvent(`Bearer ${header}.${payload}.`), 401, "UNAUTHENTICATED");
  });

  it("refuses a token signed with another HMAC algorithm", async () => {
    const token = await sign(
      { sub: "admin_1", role: "admin", exp: now() + 600 },
      env.JWT_SECRET,
      "HS512",
    );
    await expectError(await createEvent(`Bearer ${token}`), 401, "UNAUTHENTICATED");
  });

  it("refuses a token with an unknown role", async () => {
    const token = await sign(
      { sub: "admin_1", role: "superuser", exp: now() + 600 },
      env.JWT_SECRET,
      "HS256",
    );
    await expectError(await createEvent(`Bearer ${token}`), 401, "UNAUTHENTICATED");
  });

  it("refuses a user token on an admin route with 403 FORBIDDEN", async () => {
    const res = await createEvent(`Bearer ${await tokenFor("user_1", "user")}`);
    await expectError(res, 403, "FORBIDDEN");
  });

  it("lets anyone read the catalog without a token", async () => {
    expect((await call("GET", "/v1/events")).status).toBe(200);
  });
});
