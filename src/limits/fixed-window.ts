/**
 * Fixed-window counting, as plain TypeScript: a window of `windowMs` starts at each multiple
 * of `windowMs` since the epoch, so every client's window resets at the same instants and
 * X-RateLimit-Reset is simply the end of the current window.
 */

export interface WindowCount {
  windowStart: number;
  count: number;
}

export interface Decision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch milliseconds at which the window ends. */
  resetAt: number;
}

function windowStartOf(now: number, windowMs: number): number {
  return now - (now % windowMs);
}

/**
 * Counts one request against `limit` and returns the new count with the decision. A refused
 * request does not count, so a client that keeps trying still gets its full budget next
 * window.
 */
export function take(
  previous: WindowCount | undefined,
  limit: number,
  windowMs: number,
  now: number,
): { next: WindowCount; decision: Decision } {
  const windowStart = windowStartOf(now, windowMs);
  const count = previous && previous.windowStart === windowStart ? previous.count : 0;
  const allowed = count < limit;
  const next = { windowStart, count: allowed ? count + 1 : count };
  return {
    next,
    decision: {
      allowed,
      limit,
      remaining: Math.max(0, limit - next.count),
      resetAt: windowStart + windowMs,
    },
  };
}
