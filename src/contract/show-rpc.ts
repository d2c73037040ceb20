import type { LockStatus } from "../db/schema.ts";
import type { ApiFailure } from "./api-failure.ts";
import type { AreaCounts, AreaRequest } from "./area-places.ts";
import type {
  BookingShow,
  BookingSnapshot,
  BookingTicket,
  bookingDetailView,
  createdBookingView,
} from "./booking-views.ts";
import type { PaymentMethodInput, PaymentProvider } from "./payment-method.ts";

/**
 * The typed surface between the Worker and a show's Durable Object. The object is named by
 * its show id, so no method takes one. Every method answers a ShowResult.
 */

/** A reply kept under an Idempotency-Key: sent as these exact bytes, and replayed as them. */
interface KeptReply {
  status: number;
  body: string;
  /** The stored answer of an earlier request with the same key. */
  replayed: boolean;
}

/**
 * What every RPC method of the show object answers: a value with its HTTP status, or a
 * refusal. `kept` is there when the answer is also kept under the request's
 * Idempotency-Key: the Worker then sends `kept.body` byte for byte and keeps it in KV, and
 * a successful answer's `value` is not sent (read the body instead).
 */
export type ShowResult<T> =
  | { ok: true; status: 200 | 201 | 202; value: T; kept?: KeptReply }
  | { ok: false; error: ApiFailure; kept?: KeptReply };

/** The scope and request hash of an Idempotency-Key, computed by the Worker. */
export interface IdempotencyKey {
  /** `<user>:<endpoint>:<Idempotency-Key>` */
  scope: string;
  /** A keyed hash of the request, to refuse the same key with a different request. */
  hash: string;
}

export interface RequestContext {
  requestId: string;
  idempotency?: IdempotencyKey | undefined;
}

/** GET /v1/shows/{id}/seats/status: statuses as one character per seat (live-change.ts). */
export interface SeatStatusRead {
  version: number;
  /** The statuses, or null when the caller already has this version. */
  status: string | null;
  /** The standing areas' counts at this version (absent when the show has none). */
  areas?: AreaCounts[];
  /** seat id → listing price, for the seats on resale at this version (absent: none). */
  resale?: Record<string, number>;
  /** As in SeatMapRead: when a lock expires by time alone, or null. */
  changesBy: number | null;
}

export interface SeatMapRead {
  version: number;
  /** The seat map as JSON text, or null when the caller already has this version. */
  json: string | null;
  /**
   * When a lock of this seat map expires by time alone (epoch ms), or null: until then the
   * map can only change through a request, so a cache may keep it that long.
   */
  changesBy: number | null;
}

export type LockSelection =
  | { seatIds: string[] }
  | { quantity: number; zone?: string | undefined }
  /** Wheelchair spaces with companion seats next to them. */
  | { accessible: { wheelchair: number; companions: number }; zone?: string | undefined };

export interface LockCommand {
  userId: string;
  durationSeconds: number;
  selection: LockSelection;
  /** Places of standing areas, locked with the seats, all or nothing. */
  areas?: AreaRequest[] | undefined;
  /** Hex SHA-256 of `<show id>:<access code>`, when the buyer gave a code. */
  accessCodeHash?: string | undefined;
}

/** A lock as the API shows it: the lock response, plus its status. */
export interface LockView {
  lock_id: string;
  show_id: string;
  seat_ids: string[];
  /** Places of standing areas it holds (empty: none). */
  areas: AreaRequest[];
  expires_at: string;
  locked_at: string;
  status: LockStatus;
}

export interface BookCommand {
  userId: string;
  lockId: string;
  seatIds: string[];
  /** Must be the lock's areas (any order). */
  areas: AreaRequest[];
  method?: PaymentMethodInput | undefined;
}

export interface PayCommand {
  userId: string;
  bookingId: string;
  amount: number;
  method: PaymentMethodInput;
}

export interface CancelCommand {
  userId: string;
  isAdmin: boolean;
  bookingId: string;
  /** The request's id, for the money events it causes. */
  requestId: string;
}

/** A booking with what GET needs to describe its show. */
export interface BookingRead {
  booking: BookingSnapshot;
  show: BookingShow;
}

/**
 * A payment that waits for the buyer in the provider's page: the browser completes it with
 * `client_secret` (Stripe's PaymentIntent client secret; Razorpay's order id).
 */
export interface PaymentAction {
  status: "requires_action";
  client_secret: string;
  provider: PaymentProvider;
}

/**
 * POST /v1/bookings answers `{ booking }` as created (201); a payment waiting for the
 * buyer adds `payment` (202, the booking pending).
 */
export type CreatedBooking = { booking: ReturnType<typeof createdBookingView> } | PaymentWaiting;

/** 202: the booking (pending) and its payment waiting for the buyer. */
export interface PaymentWaiting {
  booking: ReturnType<typeof createdBookingView>;
  payment: PaymentAction;
}

/** A booking as GET /v1/bookings/{id} and the cancel route answer it. */
export interface BookingDetail {
  booking: ReturnType<typeof bookingDetailView>;
}

/** POST /v1/payments answers the payment (200), or the booking and its wait (202). */
export type PaymentReceipt =
  | {
      payment_id: string;
      booking_id: string;
      status: "succeeded";
      amount: number;
      processed_at: string;
      /** The booking's tickets, issued by this payment. */
      tickets: BookingTicket[];
    }
  | PaymentWaiting;
