import { signDelivery } from "./webhook-signature.ts";
import { checkTarget, localTargets } from "./webhook-targets.ts";

/** The wait before the next try after `failures` failed ones: 5 s doubling, capped at 4 h. */
export function webhookRetryDelay(failures: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, failures - 1), MAX_RETRY_DELAY_MS);
}

export const MAX_RETRY_DELAY_MS = 4 * 3600_000;
/** A delivery is tried until this long after its first try has passed, then given up. */
export const RETRY_WINDOW_MS = 24 * 3600_000;

export interface SendResult {
  ok: boolean;
  responseStatus: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * One attempt: signs the body for this moment and POSTs it. Only a 2xx counts; a redirect
 * is not followed (it could lead anywhere, a private address included) and counts as a
 * failure, as do errors and timeouts. The target is checked again, so a URL that a change
 * of settings no longer allows is not called.
 */
export async function sendOnce(
  env: Env,
  target: { url: string; secret: string },
  eventId: string,
  body: string,
): Promise<SendResult> {
  const started = Date.now();
  const done = (ok: boolean, responseStatus: number | null, error: string | null) => ({
    ok,
    responseStatus,
    error,
    durationMs: Math.max(0, Date.now() - started),
  });
  const check = checkTarget(target.url, localTargets(env.WEBHOOK_LOCAL_TARGETS));
  if (!check.ok) return done(false, null, `target refused: ${check.reason}`);
  const timestamp = Math.floor(Date.now() / 1000);
  const timeoutMs = Number(env.WEBHOOK_TIMEOUT_MS) || 10_000;
  try {
    const res = await fetch(check.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "edge-ticket-booking-webhooks/1",
        "webhook-id": eventId,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": await signDelivery(target.secret, eventId, timestamp, body),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The answer's body is not wanted; reading none would hold the connection.
    await res.body?.cancel();
    const ok = res.status >= 200 && res.status < 300;
    return done(ok, res.status, ok ? null : `HTTP ${res.status}`);
  } catch (err) {
    const timedOut = err instanceof Error && err.name === "TimeoutError";
    return done(false, null, timedOut ? `timeout after ${timeoutMs} ms` : messageOf(err));
  }
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}
