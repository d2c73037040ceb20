import { afterEach, vi } from "vitest";

/**
 * Every test file runs with this: after each test the real clock and timers are back
 * (travelTo, vi.useFakeTimers) and every spy is restored, so no test file repeats it.
 * After-hooks run in reverse order of registration and setup files register first, so
 * this runs after a file's own afterEach: a clean-up there still sees the test's clock
 * and spies (a file whose clean-up needs the real ones restores them itself).
 */
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});
