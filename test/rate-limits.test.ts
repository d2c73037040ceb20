import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/app.ts";
import {
  createShow,
  expectError,
  lockedSeats,
  newKey,
  rowSeats,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";
import { travelTo } from "./support/time.ts";

type Limits = Partial<
  Record<
    | "RATE_LIMIT_SEAT_MAP"
    | "RATE_LIMIT_SEAT_SELECTION"
    | "RATE_LIMIT_BOOKING"
    | "RATE_LIMIT_PAYMENT"
    | "RATE_LIMIT_CATALOG",
    string
  >
>;

/** Calls the app with rate limiting on and the given budgets; the suite's config has it off. */
async function limited(
  limits: Limits,
  method: string,
  path: string,
  options: { token?: string; ip?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
  if (options.ip) headers.set("CF-Connecting-IP", options.ip);
  if (options.body !== undefined) headers.set("Content-Type", "application/json");
  const ctx = createExecutionContext();
  const res = await app.request(
    `https://api.test${path}`,
    {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    },
    { ...env, RATE_LIMITS_ENABLED: "true", ...limits },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

let ipCounter = 0;
/** A fresh client address per test, so budgets never leak between tests. */
const freshIp = () => `203.0.113.${++ipCounter}`;

describe("each endpoint class", () => {
  it("lets seat-map views through up to the limit, then answers 429 with Retry-After", async () => {
    const { showId } = await createShow();
    const ip = freshIp();
    for (let i = 0; i < 3; i++) {
      expect(
        (await limited({ RATE_LIMIT_SEAT_MAP: "3" }, "GET", `/v1/shows/${showId}/seats`, { ip }))
          .status,
      ).toBe(200);
    }
    const res = await limited({ RATE_LIMIT_SEAT_MAP: "3" }, "GET", `/v1/shows/${showId}/seats`, {
      ip,
    });
    const retryAfter = Number(res.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.headers.get("X-RateLimit-Remaining")).toBe("0");
    const error = await expectError(res, 429, "RATE_LIMITED");
    expect(error.details).toEqual({ class: "seat_map", limit: 3, retry_after: retryAfter });
  });

  it("limits seat selection, and a refused lock locks nothing", async () => {
    const { showId } = await createShow();
    const token = await tokenFor("user_rl_lock");
    const seats = rowSeats(await seatMap(showId), "A");
    for (let i = 0; i < 2; i++) {
      const res = await limited({ RATE_LIMIT_SEAT_SELECTION: "2" }, "POST", "/v1/seats/lock", {
        token,
        body: { show_id: showId, seat_ids: [seats[i]] },
      });
      expect(res.status).toBe(200);
    }
    const refused = await limited({ RATE_LIMIT_SEAT_SELECTION: "2" }, "POST", "/v1/seats/lock", {
      token,
      body: { show_id: showId, seat_ids: [seats[2]] },
    });
    await expectError(refused, 429, "RATE_LIMITED");
    const map = await seatMap(showId);
    expect(map.seats.find((s) => s.seat_id === seats[2])?.status).toBe("available");
  });

  it("limits bookings, and a refused booking charges nothing", async () => {
    const ctx = await lockedSeats(1, "user_rl_booking");
    const body = {
      show_id: ctx.showId,
      lock_id: ctx.lock.lock_id,
      seat_ids: ctx.seats,
      user_id: ctx.user,
    };
    const listed = await limited({ RATE_LIMIT_BOOKING: "1" }, "GET", "/v1/bookings", {
      token: ctx.token,
    });
    expect(listed.status).toBe(200);
    const refused = await limited({ RATE_LIMIT_BOOKING: "1" }, "POST", "/v1/bookings", {
      token: ctx.token,
      body,
      headers: { "Idempotency-Key": newKey() },
    });
    await expectError(refused, 429, "RATE_LIMITED");
    expect((await seatMap(ctx.showId)).seats.find((s) => s.seat_id === ctx.seats[0])?.status).toBe(
      "locked",
    );
  });

  it("limits payments", async () => {
    const token = await tokenFor("user_rl_pay");
    const body = { booking_id: "booking_abcdefghjkmnpqrstvwx_none", amount: 1, payment_method: {} };
    const first = await limited({ RATE_LIMIT_PAYMENT: "1" }, "POST", "/v1/payments", {
      token,
      body,
    });
    expect(first.status).toBe(400);
    await expectError(
      await limited({ RATE_LIMIT_PAYMENT: "1" }, "POST", "/v1/payments", { token, body }),
      429,
      "RATE_LIMITED",
    );
  });

  it("limits catalog reads and writes in a class of their own", async () => {
    const ip = freshIp();
    expect((await limited({ RATE_LIMIT_CATALOG: "1" }, "GET", "/v1/events", { ip })).status).toBe(
      200,
    );
    await expectError(
      await limited({ RATE_LIMIT_CATALOG: "1" }, "GET", "/v1/events", { ip }),
      429,
      "RATE_LIMITED",
    );
    // Seat-map views from the same address are another class, untouched.
    const { showId } = await createShow();
    expect(
      (await limited({ RATE_LIMIT_CATALOG: "1" }, "GET", `/v1/shows/${showId}/seats`, { ip }))
        .status,
    ).toBe(200);
  });
});

describe("counting", () => {
  it("lets exactly 60 of 100 concurrent requests from one client through a limit of 60", async () => {
    const { showId } = await createShow();
    const ip = freshIp();
    const responses = await Promise.all(
      Array.from({ length: 100 }, () =>
        limited({ RATE_LIMIT_SEAT_MAP: "60" }, "GET", `/v1/shows/${showId}/seats`, { ip }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
  });

  it("keeps separate budgets for two clients", async () => {
    const { showId } = await createShow();
    const [a, b] = [freshIp(), freshIp()];
    await limited({ RATE_LIMIT_SEAT_MAP: "1" }, "GET", `/v1/shows/${showId}/seats`, { ip: a });
    await expectError(
      await limited({ RATE_LIMIT_SEAT_MAP: "1" }, "GET", `/v1/shows/${showId}/seats`, { ip: a }),
      429,
      "RATE_LIMITED",
    );
    expect(
      (await limited({ RATE_LIMIT_SEAT_MAP: "1" }, "GET", `/v1/shows/${showId}/seats`, { ip: b }))
        .status,
    ).toBe(200);
    // A token's subject is its own client, wherever it comes from.
    const token = await tokenFor("user_rl_own_budget");
    expect(
      (
        await limited({ RATE_LIMIT_SEAT_MAP: "1" }, "GET", `/v1/shows/${showId}/seats`, {
          ip: a,
          token,
        })
      ).status,
    ).toBe(200);
  });

  it("gives two IPv6 addresses of one /64 a single budget, and another /64 its own", async () => {
    const catalog = { RATE_LIMIT_CATALOG: "2" };
    const first = await limited(catalog, "GET", "/v1/events", { ip: "2001:db8:77:1::1" });
    expect(first.status).toBe(200);
    const second = await limited(catalog, "GET", "/v1/events", {
      ip: "2001:0DB8:0077:0001:ffff:1234:5678:9abc",
    });
    expect(second.status).toBe(200);
    expect(second.headers.get("X-RateLimit-Remaining")).toBe("0");
    await expectError(
      await limited(catalog, "GET", "/v1/events", { ip: "2001:db8:77:1:dead:beef::3" }),
      429,
      "RATE_LIMITED",
    );
    const neighbour = await limited(catalog, "GET", "/v1/events", { ip: "2001:db8:77:2::1" });
    expect(neighbour.status).toBe(200);
  });

  it("counts an IPv4-mapped IPv6 address against its IPv4 address", async () => {
    const ip = freshIp();
    const catalog = { RATE_LIMIT_CATALOG: "1" };
    expect((await limited(catalog, "GET", "/v1/events", { ip })).status).toBe(200);
    await expectError(
      await limited(catalog, "GET", "/v1/events", { ip: `::ffff:${ip}` }),
      429,
      "RATE_LIMITED",
    );
  });

  it("counts down in the headers, with one reset time and the IETF fields", async () => {
    const ip = freshIp();
    const seen: {
      remaining: string | null;
      reset: string | null;
      limit: string | null;
      ietf: string | null;
      policy: string | null;
    }[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await limited({ RATE_LIMIT_CATALOG: "3" }, "GET", "/v1/events", { ip });
      seen.push({
        remaining: res.headers.get("X-RateLimit-Remaining"),
        reset: res.headers.get("X-RateLimit-Reset"),
        limit: res.headers.get("X-RateLimit-Limit"),
        ietf: res.headers.get("RateLimit"),
        policy: res.headers.get("RateLimit-Policy"),
      });
    }
    expect(seen.map((s) => s.remaining)).toEqual(["2", "1", "0"]);
    expect(seen.map((s) => s.limit)).toEqual(["3", "3", "3"]);
    expect(new Set(seen.map((s) => s.reset)).size).toBe(1);
    const reset = Number(seen[0]?.reset);
    expect(reset % 60).toBe(0);
    expect(reset * 1000).toBeGreaterThan(Date.now());
    expect(seen[0]?.policy).toBe('"catalog";q=3;w=60');
    expect(seen.map((s) => s.ietf?.replace(/;t=\d+$/, ""))).toEqual([
      '"catalog";r=2',
      '"catalog";r=1',
      '"catalog";r=0',
    ]);
  });

  it("gives a full budget again once the window resets", async () => {
    const ip = freshIp();
    const first = await limited({ RATE_LIMIT_CATALOG: "1" }, "GET", "/v1/events", { ip });
    expect(first.status).toBe(200);
    const reset = Number(first.headers.get("X-RateLimit-Reset"));
    await expectError(
      await limited({ RATE_LIMIT_CATALOG: "1" }, "GET", "/v1/events", { ip }),
      429,
      "RATE_LIMITED",
    );
    travelTo(reset * 1000 + 1);
    const next = await limited({ RATE_LIMIT_CATALOG: "1" }, "GET", "/v1/events", { ip });
    expect(next.status).toBe(200);
    expect(next.headers.get("X-RateLimit-Remaining")).toBe("0");
  });

  it("does not count requests when limits are switched off", async () => {
    const ip = freshIp();
    for (let i = 0; i < 3; i++) {
      const res = await limited({ RATE_LIMIT_CATALOG: "1" }, "GET", "/v1/events", {
        ip,
        headers: {},
      });
      if (i === 0) expect(res.status).toBe(200);
    }
    const ctx = createExecutionContext();
    const off = await app.request(
      "https://api.test/v1/events",
      { headers: { "CF-Connecting-IP": ip } },
      { ...env, RATE_LIMITS_ENABLED: "false" },
      ctx,
    );
    expect(off.status).toBe(200);
    expect(off.headers.get("X-RateLimit-Limit")).toBeNull();
  });
});
