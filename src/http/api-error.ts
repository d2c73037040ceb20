import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every error code a client can see; the README documents each. */
export type ErrorCode =
  | "INVALID_INPUT"
  | "SEATS_UNAVAILABLE"
  | "SEATS_ALREADY_LOCKED"
  | "LOCK_EXPIRED"
  | "SHOW_CLOSED"
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
  | "PAYMENT_FAILED"
  | "IDEMPOTENCY_KEY_REUSED"
  | "RATE_LIMITED"
  | "INTERNAL";

export type ErrorDetails = Record<string, unknown>;

/** The error envelope of api-design.md; `details` is always there, `{}` when it adds nothing. */
export interface ErrorEnvelope {
  error: {
    code: ErrorCode;
    message: string;
    details: ErrorDetails;
    request_id: string;
  };
}

/** An error meant for the client: thrown anywhere, turned into the envelope by onError. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: ContentfulStatusCode,
    code: ErrorCode,
    message: string,
    details?: ErrorDetails,
    headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    // Clients read `error.details.<name>` without checking for the object first.
    this.details = details ?? {};
    this.headers = headers;
  }

  toEnvelope(requestId: string): ErrorEnvelope {
    return {
      error: {
        code: this.code,
        message: this.message,
        details: this.details,
        request_id: requestId,
      },
    };
  }
}

/** 400 INVALID_INPUT naming the offending field, as api-design.md's envelope shows. */
export function invalidInput(field: string, reason: string, message?: string): ApiError {
  return new ApiError(400, "INVALID_INPUT", message ?? `${field}: ${reason}`, {
    field,
    reason,
  });
}

export function notFound(resource: string, id: string): ApiError {
  return new ApiError(404, "NOT_FOUND", `${resource} ${id} was not found`, {
    resource,
    id,
  });
}
