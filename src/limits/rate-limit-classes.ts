/**
 * Endpoint classes and their limits per client per minute (seat map 300, seat selection 60,
 * booking 30, payment 20, catalog 120, queue joins 30). Each is configurable with a wrangler.toml var.
 */
export const rateLimitClasses = {
  seat_map: { variable: "RATE_LIMIT_SEAT_MAP", fallback: 300 },
  seat_selection: { variable: "RATE_LIMIT_SEAT_SELECTION", fallback: 60 },
  booking: { variable: "RATE_LIMIT_BOOKING", fallback: 30 },
  payment: { variable: "RATE_LIMIT_PAYMENT", fallback: 20 },
  catalog: { variable: "RATE_LIMIT_CATALOG", fallback: 120 },
  queue: { variable: "RATE_LIMIT_QUEUE", fallback: 30 },
} as const;

export type RateLimitClass = keyof typeof rateLimitClasses;

export const RATE_LIMIT_WINDOW_MS = 60_000;

export function limitFor(env: Env, limitClass: RateLimitClass): number {
  const { variable, fallback } = rateLimitClasses[limitClass];
  const configured = Number(env[variable]);
  return Number.isInteger(configured) && configured > 0 ? configured : fallback;
}

export function rateLimitsEnabled(env: Env): boolean {
  return env.RATE_LIMITS_ENABLED !== "false";
}
