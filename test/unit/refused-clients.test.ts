import { describe, expect, it } from "vitest";
import type { Decision } from "../../src/limits/fixed-window.ts";
import { RefusedClients } from "../../src/limits/refused-clients.ts";

const WINDOW = 60_000;
const resetAt = 10 * WINDOW;
const refused: Decision = { allowed: false, limit: 3, remaining: 0, resetAt };

describe("RefusedClients: a limiter's refusal kept until its window ends", () => {
  it("stands from the refusal to a margin before the window's end, then is forgotten", () => {
    const cache = new RefusedClients(10, WINDOW, 1_000);
    cache.remember("ip:203.0.113.1", "seat_map", refused);
    expect(cache.refusal("ip:203.0.113.1", "seat_map", 3, resetAt - WINDOW + 5)).toEqual(refused);
    expect(cache.refusal("ip:203.0.113.1", "seat_map", 3, resetAt - 1_001)).toEqual(refused);
    expect(cache.refusal("ip:203.0.113.1", "seat_map", 3, resetAt - 1_000)).toBeUndefined();
    // Forgotten, not only hidden: the window's end does not bring it back.
    expect(cache.refusal("ip:203.0.113.1", "seat_map", 3, resetAt - 2_000)).toBeUndefined();
  });

  it("says nothing before its window (a clock set back), for another class, limit or client", () => {
    const cache = new RefusedClients(10, WINDOW, 1_000);
    cache.remember("ip:203.0.113.1", "seat_map", refused);
    expect(cache.refusal("ip:203.0.113.1", "seat_map", 3, resetAt - WINDOW - 1)).toBeUndefined();
    cache.remember("ip:203.0.113.1", "seat_map", refused);
    const now = resetAt - 30_000;
    expect(cache.refusal("ip:203.0.113.1", "catalog", 3, now)).toBeUndefined();
    expect(cache.refusal("ip:203.0.113.1", "seat_map", 4, now)).toBeUndefined();
    expect(cache.refusal("ip:203.0.113.2", "seat_map", 3, now)).toBeUndefined();
    expect(cache.refusal("ip:203.0.113.1", "seat_map", 3, now)).toEqual(refused);
  });

  it("never keeps an allowed request's decision", () => {
    const cache = new RefusedClients(10, WINDOW, 1_000);
    cache.remember("ip:203.0.113.1", "seat_map", { ...refused, allowed: true, remaining: 1 });
    expect(cache.refusal("ip:203.0.113.1", "seat_map", 3, resetAt - 30_000)).toBeUndefined();
  });

  it("keeps at most its number of clients, forgetting the oldest refusal first", () => {
    const cache = new RefusedClients(2, WINDOW, 1_000);
    for (const client of ["a", "b", "c"]) cache.remember(client, "seat_map", refused);
    const now = resetAt - 30_000;
    expect(cache.refusal("a", "seat_map", 3, now)).toBeUndefined();
    expect(cache.refusal("b", "seat_map", 3, now)).toEqual(refused);
    expect(cache.refusal("c", "seat_map", 3, now)).toEqual(refused);
  });
});
