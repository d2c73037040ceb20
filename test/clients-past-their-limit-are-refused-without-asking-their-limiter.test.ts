import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/app.ts";
import { createShow, expectError } from "./support/helpers.ts";
import { travelTo } from "./support/time.ts";

/** The limiter binding, counting the stubs the Worker gets from it (one per limiter call). */
function countingLimiters() {
  const counted = { calls: 0 };
  const binding = {
    idFromName: (name: string) => env.RATE_LIMITER.idFromName(name),
    get: (id: DurableObjectId) => {
      counted.calls++;
      return env.RATE_LIMITER.get(id);
    },
  };
  return { counted, binding };
}

async function read(path: string, ip: string, limiter: unknown): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.request(
    `https://api.test${path}`,
    { headers: { "CF-Connecting-IP": ip } },
    { ...env, RATE_LIMITS_ENABLED: "true", RATE_LIMIT_SEAT_MAP: "2", RATE_LIMITER: limiter },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

/** What a 429 says, but the seconds that tick on between two answers. */
async function refusalOf(res: Response) {
  const error = await expectError(res, 429, "RATE_LIMITED");
  const headers = Object.fromEntries(
    ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit-Policy"].map(
      (name) => [name, res.headers.get(name)],
    ),
  );
  return { code: error.code, limit: error.details?.limit, class: error.details?.class, headers };
}

describe("a client past its limit", () => {
  it("is refused by this isolate without a call to its limiter, with the limiter's answer, until the window ends", async () => {
    const { showId } = await createShow();
    const path = `/v1/shows/${showId}/seats/status`;
    const ip = "198.51.100.77";
    const { counted, binding } = countingLimiters();
    // The clock held mid-window, so every answer's Retry-After is the same.
    travelTo(Math.floor(Date.now() / 60_000) * 60_000 + 30_000);
    expect((await read(path, ip, binding)).status).toBe(200);
    expect((await read(path, ip, binding)).status).toBe(200);
    const fromLimiter = await read(path, ip, binding);
    expect(counted.calls).toBe(3);
    const refused = await refusalOf(fromLimiter);
    for (let i = 0; i < 5; i++) {
      const res = await read(path, ip, binding);
      expect(res.headers.get("Retry-After")).toBe(fromLimiter.headers.get("Retry-After"));
      expect(await refusalOf(res)).toEqual(refused);
    }
    expect(counted.calls).toBe(3);

    travelTo(Number(refused.headers["X-RateLimit-Reset"]) * 1000 + 1);
    const next = await read(path, ip, binding);
    expect(next.status).toBe(200);
    expect(next.headers.get("X-RateLimit-Remaining")).toBe("1");
    expect(counted.calls).toBe(4);
  });
});
