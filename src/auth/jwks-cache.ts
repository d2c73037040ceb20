import type { verifyWithJwks } from "hono/jwt";

/**
 * The identity provider's published keys, cached per isolate and per JWKS URL, so that the
 * provider's availability does not become the API's:
 *
 * - keys are fresh for `freshMs`; after that the next request refreshes them;
 * - one refresh at a time: requests that need keys while a fetch is under way wait for
 *   that fetch instead of starting their own;
 * - a fetch gives up after `timeoutMs`;
 * - when a refresh fails, the last keys keep being served for up to `staleMs` past
 *   freshness (a key the provider published an hour ago is still its key), and the next
 *   attempt waits `minRefreshMs`;
 * - a token naming a key id the cache does not hold triggers a refresh, but at most one
 *   attempt per `minRefreshMs` of any kind, so tokens with made-up key ids cannot make the
 *   API hammer the provider.
 */

export type Jwk = NonNullable<Parameters<typeof verifyWithJwks>[1]["keys"]>[number];

interface JwksCachePolicy {
  freshMs: number;
  staleMs: number;
  minRefreshMs: number;
  timeoutMs: number;
}

const DEFAULT_JWKS_POLICY: JwksCachePolicy = {
  freshMs: 5 * 60_000,
  staleMs: 60 * 60_000,
  minRefreshMs: 30_000,
  timeoutMs: 3_000,
};

/** Fetches a key set; must stop when `signal` aborts. */
type JwksLoader = (url: string, signal: AbortSignal) => Promise<Jwk[]>;

interface Entry {
  keys: Jwk[] | undefined;
  /** When `keys` were fetched (epoch ms). */
  fetchedAt: number;
  /** When the last fetch started, successful or not. */
  attemptedAt: number;
  inFlight: Promise<Jwk[]> | undefined;
}

class JwksUnavailableError extends Error {
  constructor(url: string, cause?: unknown) {
    super(`no usable keys from ${url}`, { cause });
    this.name = "JwksUnavailableError";
  }
}

/**
 * Waits for `promise` at most `ms`. Each waiter runs its own timer: a fetch started by
 * another request is shared as a promise of plain data, and if that request is cancelled
 * its fetch may never settle; no waiter may hang on it.
 */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}

export class JwksCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly load: JwksLoader,
    private readonly policy: JwksCachePolicy = DEFAULT_JWKS_POLICY,
    // Read at each call (not a saved Date.now), so a clock set for the process applies.
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Keys to verify a token whose header names `kid`; throws when none can be had. */
  async keysFor(url: string, kid: string | undefined): Promise<Jwk[]> {
    const entry = this.entryFor(url);
    const now = this.now();
    const age = now - entry.fetchedAt;
    const fresh = entry.keys !== undefined && age < this.policy.freshMs;
    const servable = entry.keys !== undefined && age < this.policy.freshMs + this.policy.staleMs;
    const knowsKid = entry.keys?.some((key) => key.kid === kid) ?? false;
    if (fresh && knowsKid) return entry.keys ?? [];
    const mayAttempt =
      entry.inFlight !== undefined || now - entry.attemptedAt >= this.policy.minRefreshMs;
    if (mayAttempt) {
      try {
        return await within(this.refresh(url, entry), this.policy.timeoutMs);
      } catch (err) {
        if (servable && entry.keys) return entry.keys;
        throw new JwksUnavailableError(url, err);
      }
    }
    // Too soon to ask again: whatever is still servable (a token with an unknown kid then
    // fails verification, which is the right answer until the next refresh).
    if (servable && entry.keys) return entry.keys;
    throw new JwksUnavailableError(url);
  }

  /** Forgets every key set (tests). */
  clear(): void {
    this.entries.clear();
  }

  private entryFor(url: string): Entry {
    let entry = this.entries.get(url);
    if (!entry) {
      entry = {
        keys: undefined,
        fetchedAt: Number.NEGATIVE_INFINITY,
        attemptedAt: Number.NEGATIVE_INFINITY,
        inFlight: undefined,
      };
      this.entries.set(url, entry);
    }
    return entry;
  }

  /** The fetch under way for `url`, or a new one: one at a time per URL. */
  private refresh(url: string, entry: Entry): Promise<Jwk[]> {
    if (entry.inFlight) return entry.inFlight;
    entry.attemptedAt = this.now();
    const fetching = this.load(url, AbortSignal.timeout(this.policy.timeoutMs))
      .then((keys) => {
        entry.keys = keys;
        entry.fetchedAt = this.now();
        return keys;
      })
      .finally(() => {
        if (entry.inFlight === fetching) entry.inFlight = undefined;
      });
    entry.inFlight = fetching;
    // Waiters handle a failure; this stops it from also surfacing as an unhandled rejection.
    fetching.catch(() => {});
    return fetching;
  }
}
