/**
 * The page's only door to the API: JSON requests under /v1, the dev user token, and the
 * error envelope turned into an ApiError. Everything else in the page talks to this module,
 * so headers, retries and error shapes live in one place.
 */

import { noteLockRefusal, passHeaders } from "./queue-pass.js";

const TOKEN_KEY = "seatmap.token";

/** An API or network failure, with the envelope's fields when the API sent one. */
export class ApiError extends Error {
  /**
   * @param {object} init
   * @param {number} init.status HTTP status, 0 for a network failure
   * @param {string} init.code error code (NETWORK_ERROR when no answer came back)
   * @param {string} init.message
   * @param {Record<string, unknown>} [init.details]
   * @param {string} [init.requestId]
   * @param {number} [init.retryAfter] seconds, from Retry-After
   */
  constructor({ status, code, message, details = {}, requestId, retryAfter }) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
  }
}

/**
 * A v4 UUID for Idempotency-Key. crypto.randomUUID exists only in secure contexts, and the
 * page may be served over plain http on a LAN address, so fall back to getRandomValues.
 */
export function newIdempotencyKey() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function retryAfterSeconds(response) {
  const header = response.headers.get("Retry-After");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

async function toApiError(response) {
  let envelope;
  try {
    envelope = await response.json();
  } catch {
    envelope = undefined;
  }
  const error = envelope?.error ?? {};
  return new ApiError({
    status: response.status,
    code: typeof error.code === "string" ? error.code : `HTTP_${response.status}`,
    message: typeof error.message === "string" ? error.message : response.statusText,
    details: error.details && typeof error.details === "object" ? error.details : {},
    requestId: error.request_id ?? response.headers.get("X-Request-Id") ?? undefined,
    retryAfter: retryAfterSeconds(response),
  });
}

/** Worth sending again with the same Idempotency-Key: no answer, or one that was not final. */
function isTransient(error) {
  return (
    error.code === "NETWORK_ERROR" || error.code === "REQUEST_IN_PROGRESS" || error.status >= 500
  );
}

/**
 * One JSON request. With `idempotencyKey`, a failure whose outcome is unknown (network
 * error, 5xx, request still in progress) is retried a few times with the *same* key: the
 * API then replays the first answer instead of acting twice, which is what makes retrying
 * a payment safe.
 *
 * @param {string} method
 * @param {string} path under /v1, e.g. "/shows/show_demo/seats"
 * @param {{body?: unknown, token?: string, idempotencyKey?: string, signal?: AbortSignal, headers?: Record<string, string>, cache?: RequestCache}} [options]
 */
export async function request(method, path, options = {}) {
  const { body, token, idempotencyKey, signal, cache } = options;
  const headers = { Accept: "application/json", ...options.headers };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  const init = {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
    // Seat maps change every second: never let the HTTP cache answer (the layout may).
    cache: cache ?? "no-store",
  };

  const attempts = idempotencyKey ? 4 : 1;
  for (let attempt = 1; ; attempt++) {
    let error;
    try {
      const response = await fetch(`/v1${path}`, init);
      if (response.ok) return response.status === 204 ? null : await response.json();
      error = await toApiError(response);
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
      error = new ApiError({
        status: 0,
        code: "NETWORK_ERROR",
        message: cause instanceof Error ? cause.message : String(cause),
      });
    }
    if (attempt >= attempts || !isTransient(error)) throw error;
    await sleep(300 * 2 ** (attempt - 1));
  }
}

// ---- the dev user token --------------------------------------------------------------------

/**
 * The user's token from POST /v1/dev/token, kept in sessionStorage: each tab (and each
 * browser context in tests) is then its own user, and a reload keeps the same user and
 * therefore the same holds. The token is not a secret of the site; the endpoint hands one
 * to anybody when the server runs locally.
 *
 * @returns {Promise<{token: string, userId: string}>}
 */
export async function getUser({ fresh = false } = {}) {
  if (!fresh) {
    const stored = readStoredUser();
    if (stored) return stored;
  }
  const answer = await request("POST", "/dev/token", { body: {} });
  const user = {
    token: answer.token,
    userId: answer.user_id,
    // Renew a minute early so a request never leaves with a token about to lapse.
    expiresAt: Date.now() + (answer.expires_in - 60) * 1000,
  };
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify(user));
  return { token: user.token, userId: user.userId };
}

function readStoredUser() {
  try {
    const user = JSON.parse(sessionStorage.getItem(TOKEN_KEY) ?? "null");
    if (user && typeof user.token === "string" && user.expiresAt > Date.now()) {
      return { token: user.token, userId: user.userId };
    }
  } catch {
    // Unreadable: fall through and get a new one.
  }
  return null;
}

/**
 * A request made as the current user. A 401 means the stored token is no longer accepted
 * (for example the server's secret changed), so the page gets a new one once and retries.
 */
export async function authed(method, path, options = {}) {
  let user = await getUser();
  try {
    return await request(method, path, { ...options, token: user.token });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    user = await getUser({ fresh: true });
    return request(method, path, { ...options, token: user.token });
  }
}

// ---- endpoints -------------------------------------------------------------------------------

/**
 * Public reads carry the user's token when there is one: the API then counts them against
 * this user's rate limit rather than against an address that many people may share.
 */
const read = (path) => request("GET", path, { token: readStoredUser()?.token });

export const api = {
  listEvents: () => read("/events?limit=100"),
  getEvent: (eventId) => read(`/events/${encodeURIComponent(eventId)}`),
  listShows: (eventId) => read(`/events/${encodeURIComponent(eventId)}/shows?limit=100`),
  getShow: (showId) => read(`/shows/${encodeURIComponent(showId)}`),
  seatMap: (showId) => read(`/shows/${encodeURIComponent(showId)}/seats`),
  /** The show's seats without statuses; fixed for the show, so the browser may keep it. */
  layout: (showId, cache = "default") =>
    request("GET", `/shows/${encodeURIComponent(showId)}/layout`, { cache }),
  /** Every seat's status, one character each in layout order. */
  seatStatus: (showId) => read(`/shows/${encodeURIComponent(showId)}/seats/status`),

  /**
   * `selection` is `{seat_ids}`, `{quantity, zone?}` (best available) or
   * `{accessible: {wheelchair, companions}, zone?}` (accessible best available).
   */
  lockSeats: (showId, selection) =>
    authed("POST", "/seats/lock", {
      body: { show_id: showId, ...selection },
      idempotencyKey: newIdempotencyKey(),
      headers: passHeaders(showId),
    }).catch((error) => {
      noteLockRefusal(showId, error);
      throw error;
    }),
  getLock: (lockId) => authed("GET", `/seats/lock/${encodeURIComponent(lockId)}`),
  releaseLock: (lockId) => authed("DELETE", `/seats/lock/${encodeURIComponent(lockId)}`),

  /** Which provider takes payments (simulated, stripe, razorpay), its public key and script. */
  paymentConfig: () => read("/payments/config"),
  /**
   * The card (simulator) or Stripe's PaymentMethod id travels in this one request body and
   * is not kept anywhere by this module. Answers `{booking}` (201), or `{booking, payment}`
   * (202) when the buyer must still confirm with the bank (3-D Secure).
   */
  book: (body) => authed("POST", "/bookings", { body, idempotencyKey: newIdempotencyKey() }),
  getBooking: (bookingId) => authed("GET", `/bookings/${encodeURIComponent(bookingId)}`),
  /** The user's newest bookings (one page), for the seats they hold in a show. */
  listBookings: () => authed("GET", "/bookings?limit=100"),

  /** A sold-out show's waitlist (waitlist-panel.js). */
  joinWaitlist: (showId, body) =>
    authed("POST", `/shows/${encodeURIComponent(showId)}/waitlist`, { body }),
  myWaitlist: (showId) => authed("GET", `/shows/${encodeURIComponent(showId)}/waitlist/me`),
  leaveWaitlist: (showId) => authed("DELETE", `/shows/${encodeURIComponent(showId)}/waitlist/me`),

  /** The waiting room (queue-panel.js). */
  queueSettings: (showId) => read(`/shows/${encodeURIComponent(showId)}/queue`),
  joinQueue: (showId) => authed("POST", `/shows/${encodeURIComponent(showId)}/queue/join`),
  queueStatus: (showId, ticket) =>
    request("GET", `/shows/${encodeURIComponent(showId)}/queue/status`, {
      headers: { "X-Queue-Ticket": ticket },
    }),
};
