// What the ticket page's scripts (ticket-transfer.js, ticket-resale.js) share: the user
// signed in in this tab on the seat-map page (its user token is in sessionStorage, as
// api.js keeps it), and a call to this origin's API as that user.

/** The seat-map page's user in this tab, if its token has not lapsed. */
export function signedInUser() {
  try {
    const user = JSON.parse(sessionStorage.getItem("seatmap.token") ?? "null");
    if (user && typeof user.token === "string" && user.expiresAt > Date.now()) return user;
  } catch {
    // Unreadable: nobody is signed in.
  }
  return null;
}

/**
 * `{ok, status, body}` of a call as `user`; `body` is the JSON answer (null if none). A
 * call that gets no answer at all throws.
 */
export async function callAsHolder(user, method, path, { body, idempotencyKey } = {}) {
  const headers = { Authorization: `Bearer ${user.token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { ok: res.ok, status: res.status, body: await res.json().catch(() => null) };
}
