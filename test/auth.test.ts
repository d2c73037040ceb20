import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { app } from "../src/app.ts";
import { clearJwksCache } from "../src/auth/identity-provider.ts";
import { call, expectError, tokenFor } from "./support/helpers.ts";

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

describe("tokens from an identity provider: the JWKS key cache", () => {
  const JWKS_URL = "https://idp.example/cache/jwks.json";
  const idp: Partial<Env> = { JWKS_URL, JWT_ISSUER: "", JWT_AUDIENCE: "" };
  const FIVE_MINUTES = 5 * 60_000;
  const ONE_HOUR = 60 * 60_000;

  /** The provider as the Worker sees it through fetch: up, down (500) or not answering. */
  const provider = {
    state: "up" as "up" | "down" | "hanging",
    keys: [] as JsonWebKey[],
    fetches: 0,
    signals: [] as (AbortSignal | undefined)[],
  };
  let signing: CryptoKeyPair;
  let start: number;

  async function publicJwk(pair: CryptoKeyPair, kid: string): Promise<JsonWebKey> {
    const jwk = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
    return { ...jwk, kid, alg: "ES256" } as JsonWebKey;
  }

  const newPair = async () =>
    (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;

  beforeEach(async () => {
    clearJwksCache();
    signing = await newPair();
    Object.assign(provider, {
      state: "up",
      keys: [await publicJwk(signing, "ec-1")],
      fetches: 0,
      signals: [],
    });
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url !== JWKS_URL) return new Response("not found", { status: 404 });
      provider.fetches += 1;
      provider.signals.push(init?.signal ?? undefined);
      if (provider.state === "down") return new Response("upstream error", { status: 500 });
      if (provider.state === "hanging") {
        // Answers only when the caller gives up: a provider that accepts and never replies.
        return new Promise<Response>((_, reject) => {
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        });
      }
      return Response.json({ keys: provider.keys });
    });
    vi.useFakeTimers({ toFake: ["Date"] });
    start = Date.now();
  });

  async function providerToken(
    claims: Record<string, unknown> = {},
    kid = "ec-1",
    key: CryptoKey = signing.privateKey,
  ): Promise<string> {
    const jwk = { ...((await crypto.subtle.exportKey("jwk", key)) as JsonWebKey), kid };
    return sign(
      { sub: "idp_user_1", exp: now() + 3 * 3600, ...claims },
      { ...jwk, alg: "ES256" } as Parameters<typeof sign>[1],
      "ES256",
    );
  }

  /** GET /v1/bookings, which needs any valid user token, with the provider configured. */
  async function listBookings(token: string): Promise<Response> {
    const ctx = createExecutionContext();
    const res = await app.request(
      "https://api.test/v1/bookings",
      { headers: { Authorization: `Bearer ${token}` } },
      { ...env, ...idp },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  }

  const at = (offsetMs: number) => vi.setSystemTime(start + offsetMs);

  it("accepts provider subjects such as auth0|5f1c... as user ids", async () => {
    for (const sub of [
      "auth0|5f1c2a9e8b7d6c5e4f3a2b1c",
      "google-oauth2|103547991597142817347",
      "samlp|corp-idp|jane.doe@example.com",
      "2b6f0cc9-04d1-4b8e-b1f6-2f6e1c7a9d3e",
    ]) {
      const res = await listBookings(await providerToken({ sub }));
      expect(res.status, sub).toBe(200);
    }
  });

  it.each<[string, string]>([
    ["a NUL byte", "auth0|5f1c\u0000"],
    ["a line break", "auth0|5f1c\nadmin"],
    ["a space", "auth0 5f1c"],
    ["129 characters", `auth0|${"a".repeat(123)}`],
  ])("still refuses a subject with %s", async (_what, sub) => {
    await expectError(await listBookings(await providerToken({ sub })), 401, "UNAUTHENTICATED");
  });

  it("fetches the keys once for many requests arriving together on a cold cache", async () => {
    const token = await providerToken();
    const responses = await Promise.all(Array.from({ length: 8 }, () => listBookings(token)));
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(provider.fetches).toBe(1);
  });

  it("refreshes once for many requests arriving together after the keys went stale", async () => {
    expect((await listBookings(await providerToken())).status).toBe(200);
    at(FIVE_MINUTES + 1_000);
    const token = await providerToken();
    const responses = await Promise.all(Array.from({ length: 8 }, () => listBookings(token)));
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(provider.fetches).toBe(2);
  });

  it("keeps accepting tokens of a cached key while the provider is down, for up to an hour past freshness", async () => {
    expect((await listBookings(await providerToken())).status).toBe(200);
    provider.state = "down";
    at(FIVE_MINUTES + 1_000);
    expect((await listBookings(await providerToken())).status).toBe(200);
    expect(provider.fetches).toBe(2);
    // Further requests soon after a failed refresh use the cached keys without asking again.
    at(FIVE_MINUTES + 10_000);
    expect((await listBookings(await providerToken())).status).toBe(200);
    expect(provider.fetches).toBe(2);
    at(FIVE_MINUTES + ONE_HOUR - 1_000);
    expect((await listBookings(await providerToken())).status).toBe(200);
    // Past the bound, keys that could not be confirmed for an hour are no longer trusted.
    at(FIVE_MINUTES + ONE_HOUR + 1_000);
    await expectError(await listBookings(await providerToken()), 401, "UNAUTHENTICATED");
  });

  it("takes fresh keys again once the provider is back", async () => {
    expect((await listBookings(await providerToken())).status).toBe(200);
    provider.state = "down";
    at(FIVE_MINUTES + 1_000);
    expect((await listBookings(await providerToken())).status).toBe(200);
    provider.state = "up";
    at(FIVE_MINUTES + 40_000);
    expect((await listBookings(await providerToken())).status).toBe(200);
    expect(provider.fetches).toBe(3);
    // The refresh made the keys fresh again: past the first copy's hour they still work.
    provider.state = "down";
    at(FIVE_MINUTES + ONE_HOUR + 60_000);
    expect((await listBookings(await providerToken())).status).toBe(200);
  });

  it("gives up on a provider that does not answer after a timeout and serves the cached keys", async () => {
    expect((await listBookings(await providerToken())).status).toBe(200);
    provider.state = "hanging";
    at(FIVE_MINUTES + 1_000);
    const res = await listBookings(await providerToken());
    expect(res.status).toBe(200);
    expect(provider.fetches).toBe(2);
    expect(provider.signals[1]?.aborted).toBe(true);
  }, 10_000);

  it("asks a provider that is down at most once per 30 s, whatever key ids tokens name", async () => {
    provider.state = "down";
    const impostor = await newPair();
    for (let i = 0; i < 10; i++) {
      const token = await providerToken({}, `random-${i}`, impostor.privateKey);
      await expectError(await listBookings(token), 401, "UNAUTHENTICATED");
    }
    expect(provider.fetches).toBe(1);
    at(31_000);
    await expectError(
      await listBookings(await providerToken({}, "random-x", impostor.privateKey)),
      401,
      "UNAUTHENTICATED",
    );
    expect(provider.fetches).toBe(2);
  });

  it("refreshes for a new key id at most once per 30 s, so a rotated key is picked up", async () => {
    expect((await listBookings(await providerToken())).status).toBe(200);
    const rotated = await newPair();
    provider.keys = [...provider.keys, await publicJwk(rotated, "ec-2")];
    for (let i = 0; i < 5; i++) {
      at(5_000 + i);
      const token = await providerToken({}, `unknown-${i}`, rotated.privateKey);
      await expectError(await listBookings(token), 401, "UNAUTHENTICATED");
    }
    expect(provider.fetches).toBe(1);
    at(31_000);
    expect((await listBookings(await providerToken({}, "ec-2", rotated.privateKey))).status).toBe(
      200,
    );
    expect(provider.fetches).toBe(2);
  });
});
