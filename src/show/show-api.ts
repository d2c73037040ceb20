import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "../http/api-error.ts";

/**
 * The typed surface between the Worker and a show's Durable Object. RPC results cross the
 * boundary by structured clone, where Error subclasses lose their class, so refusals come
 * back as values and the Worker turns them into ApiErrors.
 */

export interface ShowFailure {
  status: ContentfulStatusCode;
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export type ShowResult<T> = { ok: true; value: T } | { ok: false; error: ShowFailure };

export interface SeatMapRead {
  version: number;
  /** The seat map as JSON text, or null when the caller already has this version. */
  json: string | null;
}

export type LockSelection =
  | { seatIds: string[] }
  | {
      quantity: number;
      zone?: string | undefined;
    };

export interface LockCommand {
  userId: string;
  durationSeconds: number;
  selection: LockSelection;
}

/** A lock as the API shows it (api-design.md's lock response, plus its status). */
export interface LockView {
  lock_id: string;
  show_id: string;
  seat_ids: string[];
  expires_at: string;
  locked_at: string;
  status: "locked" | "released" | "expired" | "confirmed";
}
