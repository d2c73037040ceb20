import { ApiError } from "../http/api-error.ts";
import type { Entry } from "./queue-order.ts";
import { type QueueSnapshot, standingOf } from "./queue-snapshot.ts";
import { signPass } from "./queue-tokens.ts";

/** The answers of the waiting-room routes, built from a snapshot and a place in the line. */

export type QueueStanding =
  | {
      admitted: false;
      position: number | null;
      ahead: number | null;
      position_known: boolean;
      estimated_wait_seconds: number;
    }
  | { admitted: true; queue_pass: string | null; pass_expires_at: string | null };

interface Holder {
  userId: string;
  showId: string;
  /** The line the holder joined; a pass is signed for it. */
  generation: number;
  entry: Entry;
}

/**
 * Where the holder stands: waiting (place, holders ahead, estimated wait) or admitted with
 * a pass of this line valid pass_ttl_seconds from now. A queue turned off lets everyone
 * lock without a pass, so it hands out none (one would outlive the line if it came back);
 * a holder whose turn ended more than pass_ttl_seconds ago is told to join again.
 */
export async function standingAnswer(
  holder: Holder,
  snapshot: QueueSnapshot,
  secret: string,
  now = Date.now(),
): Promise<QueueStanding> {
  if (!snapshot.enabled) return { admitted: true, queue_pass: null, pass_expires_at: null };
  const standing = standingOf(holder.entry, snapshot, now);
  switch (standing.state) {
    case "admitted":
      return admittedAnswer(holder, now + snapshot.settings.passTtlSeconds * 1000, secret);
    case "waiting":
      return {
        admitted: false,
        position: standing.position,
        ahead: standing.ahead,
        position_known: standing.positionKnown,
        estimated_wait_seconds: standing.estimatedWaitSeconds,
      };
    case "expired":
      throw new ApiError(
        403,
        "QUEUE_PASS_INVALID",
        "Your turn has passed and its pass has expired: join the queue again",
        { join_url: joinUrl(holder.showId), reason: "turn passed" },
      );
  }
}

async function admittedAnswer(holder: Holder, expiresAt: number, secret: string) {
  const { userId, showId, generation } = holder;
  const pass = await signPass({ userId, showId, generation, expiresAt }, secret);
  return {
    admitted: true as const,
    queue_pass: pass,
    pass_expires_at: new Date(expiresAt).toISOString(),
  };
}

export function joinUrl(showId: string): string {
  return `/v1/shows/${showId}/queue/join`;
}
