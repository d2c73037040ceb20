import { vi } from "vitest";

/**
 * Waits `ms` of real time. Not for waiting on something to happen (use `vi.waitFor` on
 * the condition): only where time itself must pass, as for two changes to land in separate
 * coalescing windows or distinct milliseconds, or for a short bounded wait that a negative
 * check ("nothing more arrives") needs. Each use says which.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Moves the clock the code reads to `ms` (Date only; timers keep running normally). The
 * real clock is back after each test (test/support/real-timers.ts).
 */
export function travelTo(ms: number): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(ms);
}
