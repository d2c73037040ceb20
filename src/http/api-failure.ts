import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "./api-error.ts";

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

export function failure(
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): ApiFailure {
  return { status, code, message, details };
}

/** 400 INVALID_INPUT naming the offending field, as api-design.md's envelope shows. */
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

/** The error envelope of api-design.md; `details` is always an object. */
export function errorEnvelope(failure: ApiFailure, requestId: string) {
  return {
    error: {
      code: failure.code,
      message: failure.message,
      details: failure.details,
      request_id: requestId,
    },
  };
}
