import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every error code a client can see; the README documents each. */
export type ErrorCode =
  | "INVALID_INPUT"
  | "SEATS_UNAVAILABLE"
  | "SEATS_ALREADY_LOCKED"
  | "TICKET_LIMIT_REACHED"
  | "SALE_NOT_STARTED"
  | "SALE_ENDED"
  | "ACCESS_CODE_INVALID"
  | "NOT_SOLD_OUT"
  | "ALREADY_ON_WAITLIST"
  | "LOCK_EXPIRED"
  | "SHOW_CLOSED"
  | "SHOW_CANCELLED"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "BOOKING_EXISTS"
  | "REQUEST_IN_PROGRESS"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "UPGRADE_REQUIRED"
  | "VIEWERS_LIMIT_REACHED"
  | "WEBHOOK_LIMIT_REACHED"
  | "PAYMENT_FAILED"
  | "IDEMPOTENCY_KEY_REUSED"
  | "RATE_LIMITED"
  | "QUEUE_REQUIRED"
  | "QUEUE_PASS_INVALID"
  | "QUEUE_ALREADY_ADMITTING"
  | "TICKET_INVALID"
  | "TICKET_ALREADY_USED"
  | "TICKET_VOID"
  | "TICKET_WRONG_SHOW"
  | "TICKET_ALREADY_INSIDE"
  | "TICKET_NOT_INSIDE"
  | "TICKET_NOT_TRANSFERABLE"
  | "TICKET_LISTED"
  | "TICKET_NOT_RESELLABLE"
  | "RESALE_DISABLED"
  | "RESALE_IN_PROGRESS"
  | "INTERNAL";

/**
 * Every refusal a client can see, as plain data. The Worker throws it as an ApiError; a
 * Durable Object returns it as a value, because RPC results cross by structured clone,
 * where Error subclasses lose their class. Both build it with the same constructors here,
 * so a refusal reads the same wherever it was decided.
 */
export interface ApiFailure {
  status: ContentfulStatusCode;
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

/** The error body every refusal is sent as; `details` is always an object, `{}` if empty. */
export interface ErrorEnvelope {
  error: {
    code: ErrorCode;
    message: string;
    details: Record<string, unknown>;
    request_id: string;
  };
}

export function failure(
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): ApiFailure {
  return { status, code, message, details };
}

/** 400 INVALID_INPUT naming the offending field: details `{field, reason}` (plus `extra`). */
export function invalidInputFailure(
  field: string,
  reason: string,
  extra: Record<string, unknown> = {},
): ApiFailure {
  return failure(400, "INVALID_INPUT", `${field}: ${reason}`, { field, reason, ...extra });
}

export function notFoundFailure(resource: string, id: string): ApiFailure {
  return failure(404, "NOT_FOUND", `${resource} ${id} was not found`, { resource, id });
}

export function idempotencyKeyReused(): ApiFailure {
  return failure(
    422,
    "IDEMPOTENCY_KEY_REUSED",
    "This Idempotency-Key was used with a different request",
    { field: "Idempotency-Key", reason: "used with a different request" },
  );
}

/** 409 for a request that cannot run now but will on a retry shortly. */
export function requestInProgress(message: string, details: Record<string, unknown> = {}) {
  return failure(409, "REQUEST_IN_PROGRESS", message, details);
}

/** The error envelope: code, message, details (always an object) and the request id. */
export function errorEnvelope(failure: ApiFailure, requestId: string): ErrorEnvelope {
  return {
    error: {
      code: failure.code,
      message: failure.message,
      details: failure.details,
      request_id: requestId,
    },
  };
}
