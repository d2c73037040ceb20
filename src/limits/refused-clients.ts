import type { Decision } from "./fixed-window.ts";
import { RATE_LIMIT_WINDOW_MS } from "./rate-limit-classes.ts";

/**
 * Refusals this isolate has had from clients' limiters, kept until their window ends, so a
 * client past its limit is refused here without a call to its limiter object: a flood of
 * 429s then costs one Worker request each, not a Durable Object request too.
 *
 * Exact: within a fixed window a client's count only grows, and a refused request does not
 * count (fixed-window.ts), so once its limiter has refused a client for a class, it refuses
 * every request of that class until the window's end. A refusal stands only within its own
 * window and is forgotten `marginMs` before that window ends by this isolate's clock, so a
 * clock a little behind the limiter's never refuses into the next window. The limit is
 * part of the key: a refusal under one limit says nothing under another.
 *
 * Pure, without runtime imports, so it can be tested on its own.
 */
export class RefusedClients {
  /** Refusals by `limitClass|limit|client`, oldest first (Maps iterate in insertion order). */
  private readonly refusals = new Map<string, Decision>();

  constructor(
    private readonly maxClients: number,
    private readonly windowMs: number,
    private readonly marginMs: number,
  ) {}

  /** The limiter's refusal of this client, if it still stands at `now`. */
  refusal(client: string, limitClass: string, limit: number, now: number): Decision | undefined {
    const key = keyOf(client, limitClass, limit);
    const decision = this.refusals.get(key);
    if (!decision) return undefined;
    const windowStart = decision.resetAt - this.windowMs;
    if (now >= windowStart && now < decision.resetAt - this.marginMs) return decision;
    this.refusals.delete(key);
    return undefined;
  }

  /** Keeps a limiter's refusal (its decision for an allowed request is never kept). */
  remember(client: string, limitClass: string, decision: Decision): void {
    if (decision.allowed) return;
    const key = keyOf(client, limitClass, decision.limit);
    this.refusals.delete(key);
    if (this.refusals.size >= this.maxClients) {
      const oldest = this.refusals.keys().next().value;
      if (oldest !== undefined) this.refusals.delete(oldest);
    }
    this.refusals.set(key, decision);
  }
}

const keyOf = (client: string, limitClass: string, limit: number) =>
  `${limitClass}|${limit}|${client}`;

/** This isolate's refusals: 10,000 clients (~1 MB), forgotten 1 s before their window ends. */
export const refusedClients = new RefusedClients(10_000, RATE_LIMIT_WINDOW_MS, 1_000);
