import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { app } from "../src/app.ts";
import { clearJwksCache } from "../src/auth/identity-provider.ts";
import { call, expectError, tokenFor } from "./support/helpers.ts";

async function request(
  path: string,
  init: RequestInit,
  overrides: Partial<Env>,
): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.request(`https://api.test${path}`, init, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("security headers", () => {
  it("sends them on API answers and errors alike", async () => {
    for (const res of [await call("GET", "/v1/events"), await call("GET", "/v1/nowhere")]) {
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(res.headers.get("X-Frame-Options")).toBe("DENY");
      expect(res.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
      expect(res.headers.get("Strict-Transport-Security")).toContain("max-age=");
      expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    }
  });
});

describe("CORS", () => {
  const origins = { CORS_ORIGINS: "https://app.example, https://admin.example" };

  it("answers a preflight from an allowed origin, naming the headers clients need", async () => {
    const res = await request(
      "/v1/seats/lock",
      {
        method: "OPTIONS",
        headers: {
          Origin: "https://app.example",
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
      },
      origins,
    );
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example");
    expect(res.headers.get("Access-Control-Allow-Headers")).toContain("Idempotency-Key");
    expect(res.headers.get("Access-Control-Allow-Methods")).toContain("POST");
  });

  it("exposes the rate-limit and request-id headers to allowed origins", async () => {
    const res = await request(
      "/v1/events",
      { headers: { Origin: "https://admin.example" } },
      origins,
    );
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://admin.example");
    expect(res.headers.get("Access-Control-Expose-Headers")).toContain("X-RateLimit-Remaining");
    expect(res.headers.get("Access-Control-Expose-Headers")).toContain("X-Request-Id");
  });

  it("does not allow an origin that is not listed", async () => {
    const res = await request(
      "/v1/events",
      { headers: { Origin: "https://evil.example" } },
      origins,
    );
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("allows no cross-origin caller by default", async () => {
    const res = await call("GET", "/v1/events", { headers: { Origin: "https://app.example" } });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});

describe("tokens from an identity provider (JWKS)", () => {
  const JWKS_URL = "https://idp.example/.well-known/jwks.json";
  const idp = { JWKS_URL, JWT_ISSUER: "https://idp.example/", JWT_AUDIENCE: "tickets" };
  let rsa: CryptoKeyPair;
  let ec: CryptoKeyPair;
  let published: JsonWebKey[];

  beforeEach(async () => {
    clearJwksCache();
    rsa = (await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    ec = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    published = [
      {
        ...((await crypto.subtle.exportKey("jwk", rsa.publicKey)) as JsonWebKey),
        kid: "rsa-1",
        alg: "RS256",
      } as JsonWebKey,
      {
        ...((await crypto.subtle.exportKey("jwk", ec.publicKey)) as JsonWebKey),
        kid: "ec-1",
        alg: "ES256",
      } as JsonWebKey,
    ];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url === JWKS_URL) return Response.json({ keys: published });
      return new Response("not found", { status: 404 });
    });
  });

  async function providerToken(
    alg: "RS256" | "ES256",
    claims: Record<string, unknown> = {},
    kid = alg === "RS256" ? "rsa-1" : "ec-1",
    key: CryptoKey = alg === "RS256" ? rsa.privateKey : ec.privateKey,
  ): Promise<string> {
    const jwk = { ...((await crypto.subtle.exportKey("jwk", key)) as JsonWebKey), kid, alg };
    const now = Math.floor(Date.now() / 1000);
    return sign(
      {
        sub: "idp_user_1",
        iss: "https://idp.example/",
        aud: "tickets",
        exp: now + 600,
        iat: now,
        ...claims,
      },
      jwk as Parameters<typeof sign>[1],
      alg,
    );
  }

  const listBookings = (token: string, overrides: Partial<Env> = idp) =>
    request("/v1/bookings", { headers: { Authorization: `Bearer ${token}` } }, overrides);

  it("accepts RS256 and ES256 tokens signed by a published key", async () => {
    expect((await listBookings(await providerToken("RS256"))).status).toBe(200);
    expect((await listBookings(await providerToken("ES256"))).status).toBe(200);
  });

  it("takes the role from the token, so a provider's admin can write the catalog", async () => {
    const token = await providerToken("ES256", { role: "admin" });
    const res = await request(
      "/v1/events",
      {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: '{"name":"IdP event"}',
      },
      idp,
    );
    expect(res.status).toBe(201);
    const user = await providerToken("ES256");
    const forbidden = await request(
      "/v1/events",
      {
        method: "POST",
        headers: { Authorization: `Bearer ${user}`, "Content-Type": "application/json" },
        body: '{"name":"x"}',
      },
      idp,
    );
    await expectError(forbidden, 403, "FORBIDDEN");
  });

  it.each<[string, () => Promise<string>]>([
    ["a wrong issuer", () => providerToken("RS256", { iss: "https://other.example/" })],
    ["a wrong audience", () => providerToken("RS256", { aud: "someone-else" })],
    ["an expired token", () => providerToken("RS256", { exp: Math.floor(Date.now() / 1000) - 5 })],
    ["no exp", () => providerToken("RS256", { exp: undefined })],
    ["an unknown key id", () => providerToken("RS256", {}, "rsa-unknown")],
  ])("refuses %s with 401", async (_name, make) => {
    await expectError(await listBookings(await make()), 401, "UNAUTHENTICATED");
  });

  it("refuses a token signed by an unpublished key that claims a published key id", async () => {
    const impostor = (await crypto.subtle.generateKey(
      { name: "ECDSA", namedCurve: "P-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const token = await providerToken("ES256", {}, "ec-1", impostor.privateKey);
    await expectError(await listBookings(token), 401, "UNAUTHENTICATED");
  });

  it("refuses provider tokens when no JWKS_URL is configured, and keeps accepting HS256 tokens", async () => {
    await expectError(
      await listBookings(await providerToken("RS256"), { JWKS_URL: "" }),
      401,
      "UNAUTHENTICATED",
    );
    expect((await listBookings(await tokenFor("user_hs256"))).status).toBe(200);
  });

  it("refuses an HS256 token whose secret is the provider's public key (algorithm confusion)", async () => {
    const publicJwk = JSON.stringify(published[0]);
    const now = Math.floor(Date.now() / 1000);
    const token = await sign(
      { sub: "idp_user_1", role: "admin", exp: now + 600 },
      publicJwk,
      "HS256",
    );
    await expectError(await listBookings(token), 401, "UNAUTHENTICATED");
  });
});
