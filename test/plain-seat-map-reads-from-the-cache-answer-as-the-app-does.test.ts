import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { app } from "../src/app.ts";
import { answerFromCache, crowdRead } from "../src/http/crowd-reads.ts";
import {
  BASE,
  call,
  createShow,
  expectError,
  lockSeats,
  rowSeats,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";

/** Everything an answer says, but its request id (new for every request). */
async function answerOf(res: Response) {
  const headers = Object.fromEntries([...res.headers].filter(([name]) => name !== "x-request-id"));
  return { status: res.status, headers, body: new Uint8Array(await res.arrayBuffer()) };
}

/** The same GET through the app (Hono's routing and middleware), for comparison. */
async function fromApp(path: string, headers: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${BASE}${path}`, { headers }), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("a plain read of a cached seat map or status", () => {
  it("is answered without the app, byte for byte as the app answers it, 200 and 304 alike", async () => {
    const { showId } = await createShow();
    for (const path of [`/v1/shows/${showId}/seats`, `/v1/shows/${showId}/seats/status`]) {
      const variants: Record<string, string>[] = [{}, { "If-None-Match": '"v0"' }];
      for (const headers of variants) {
        await call("GET", path, { headers }); // the app answers first: cached, headers learned
        const viaApp = vi.spyOn(app, "fetch");
        const fast = await call("GET", path, { headers });
        expect(viaApp).not.toHaveBeenCalled();
        viaApp.mockRestore();
        expect(fast.headers.get("X-Request-Id")).toMatch(/^req_/);
        expect(await answerOf(fast)).toEqual(await answerOf(await fromApp(path, headers)));
      }
    }
  });

  it("shows a change made through this isolate at once", async () => {
    const { showId } = await createShow();
    const path = `/v1/shows/${showId}/seats/status`;
    const [seat] = rowSeats(await seatMap(showId), "A");
    await call("GET", path);
    await call("GET", path);
    const before = (await (await call("GET", path)).json()) as { version: number };
    const locked = await lockSeats(await tokenFor("user_fast_reads"), {
      show_id: showId,
      seat_ids: [seat],
    });
    expect(locked.status).toBe(200);
    const after = await call("GET", path);
    expect(after.headers.get("ETag")).toBe(`"v${before.version + 1}"`);
    expect(((await after.json()) as { status: string }).status[0]).toBe("l");
  });

  it("leaves every other read to the app: a query, an Origin, a token, a request id of its own", async () => {
    const { showId } = await createShow();
    const path = `/v1/shows/${showId}/seats`;
    await call("GET", path);
    const token = await tokenFor("user_with_token");
    for (const [suffix, headers] of [
      ["?zone=premium", {}],
      ["?then=/seats", {}],
      ["", { Origin: "https://elsewhere.example" }],
      ["", { Authorization: `Bearer ${token}` }],
      ["", { "X-Request-Id": "req_from_the_client" }],
    ] as const) {
      const viaApp = vi.spyOn(app, "fetch");
      const res = await exports.default.fetch(`${BASE}${path}${suffix}`, { headers });
      expect(res.status).toBe(200);
      expect(viaApp).toHaveBeenCalledTimes(1);
      viaApp.mockRestore();
    }
  });

  it("counts against the client's rate limit as the app does, and leaves a refusal to the app", async () => {
    const { showId } = await createShow();
    const path = `/v1/shows/${showId}/seats/status`;
    await call("GET", path);
    await call("GET", path);
    const limited = { ...env, RATE_LIMITS_ENABLED: "true", RATE_LIMIT_SEAT_MAP: "2" };
    const headers = { "CF-Connecting-IP": "198.51.100.99" };
    const read = crowdRead(new Request(`${BASE}${path}`, { headers }));
    if (!read) throw new Error("a plain read was not recognised");
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await answerFromCache(read, limited);
      remaining.push(res?.headers.get("X-RateLimit-Remaining") ?? null);
      expect(res?.headers.get("RateLimit-Policy")).toBe('"seat_map";q=2;w=60');
    }
    expect(remaining).toEqual(["1", "0"]);
    expect(await answerFromCache(read, limited)).toBeUndefined();
    const ctx = createExecutionContext();
    const refused = await app.fetch(new Request(`${BASE}${path}`, { headers }), limited, ctx);
    await waitOnExecutionContext(ctx);
    await expectError(refused, 429, "RATE_LIMITED");
  });
});
