import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { BookingShow, BookingSnapshot } from "../bookings/booking-views.ts";
import type { ErrorCode } from "../http/api-error.ts";
import type { CardDetails } from "../payments/payment-gateway.ts";

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
  /**
   * When a lock of this snapshot expires by time alone (epoch ms), or null: until then the
   * snapshot can only change through a request, so a cache may keep it that long.
   */
  changesBy: number | null;
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

/** An answer the show object renders itself: idempotent operations replay it byte for byte. */
export interface HttpReply {
  status: number;
  body: string;
  /** The stored answer of an earlier request with the same Idempotency-Key. */
  replayed: boolean;
  /** Whether the answer is kept for replay (so the Worker also keeps it in KV). */
  stored: boolean;
}

export interface IdempotencyScope {
  scope: string;
  hash: string;
}

export interface RequestContext {
  requestId: string;
  idempotency?: IdempotencyScope | undefined;
}

export interface BookCommand {
  userId: string;
  lockId: string;
  seatIds: string[];
  card?: CardDetails | undefined;
}

export interface PayCommand {
  userId: string;
  bookingId: string;
  amount: number;
  card: CardDetails;
}

export interface CancelCommand {
  userId: string;
  isAdmin: boolean;
  bookingId: string;
}

/** A booking as the show object knows it, with what GET needs to describe its show. */
export interface BookingRead {
  booking: BookingSnapshot;
  show: BookingShow;
}
