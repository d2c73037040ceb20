import { describe, expect, it } from "vitest";
import { refundRetryDelay } from "../../src/show/services/refund-retry.ts";

/** The wait between tries of a refund that keeps failing (test/refund-retries.test.ts runs them). */

describe("a cancellation whose refund keeps failing", () => {
  it("waits longer after each failed try, up to a cap", () => {
    const delays = [1, 2, 3, 4, 10, 50].map(refundRetryDelay);
    expect(delays.slice(0, 4)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(delays[5]).toBe(5 * 60_000);
    expect(delays.every((d, i) => i === 0 || d >= (delays[i - 1] ?? 0))).toBe(true);
  });
});
