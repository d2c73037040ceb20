import { call, tokenFor } from "./helpers.ts";
import type { ManifestJson, TicketJson } from "./tickets-helpers.ts";
import { scannerToken } from "./tickets-helpers.ts";

/** Helpers of the ticket transfer tests. */

/** POST /v1/tickets/{id}/transfer as `token`, with an Idempotency-Key when given. */
export function postTransfer(
  token: string,
  ticketId: string,
  toUserId: string,
  idempotencyKey?: string,
): Promise<Response> {
  return call("POST", `/v1/tickets/${ticketId}/transfer`, {
    token,
    body: { to_user_id: toUserId },
    ...(idempotencyKey ? { headers: { "Idempotency-Key": idempotencyKey } } : {}),
  });
}

/** Transfers `ticketId` to `toUserId` and answers the new ticket (throws on a refusal). */
export async function transferred(
  token: string,
  ticketId: string,
  toUserId: string,
): Promise<TicketJson> {
  const res = await postTransfer(token, ticketId, toUserId);
  if (res.status !== 200) throw new Error(`transfer failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { ticket: TicketJson }).ticket;
}

/** A user id of its own for one test, and its token. */
export async function newHolder(name: string): Promise<{ userId: string; token: string }> {
  const userId = `${name}_${crypto.randomUUID().slice(0, 8)}`;
  return { userId, token: await tokenFor(userId) };
}

export interface ManifestDelta extends ManifestJson {
  since: string | null;
  generated_at: string;
  void_reasons: Record<string, string>;
}

/** The door's manifest of `showId`, all of it or (`since`) what changed after a version. */
export async function manifestSince(showId: string, since?: string): Promise<ManifestDelta> {
  const query = since === undefined ? "" : `?since=${encodeURIComponent(since)}`;
  const res = await call("GET", `/v1/shows/${showId}/checkins/manifest${query}`, {
    token: await scannerToken(),
  });
  if (res.status !== 200) throw new Error(`manifest failed: ${await res.text()}`);
  return ((await res.json()) as { manifest: ManifestDelta }).manifest;
}
