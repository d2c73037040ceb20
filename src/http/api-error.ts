import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  type ApiFailure,
  type ErrorCode,
  type ErrorEnvelope,
  errorEnvelope,
  invalidInputFailure,
  notFoundFailure,
} from "../contract/api-failure.ts";

/**
 * A refusal (an ApiFailure) thrown in the Worker: anywhere, turned into the error envelope
 * by onError, with any response headers it needs (Retry-After, WWW-Authenticate).
 */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: ContentfulStatusCode,
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
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

  /** The refusal `failure` (built with the constructors of api-failure.ts) as an error. */
  static from(failure: ApiFailure, headers?: Record<string, string>): ApiError {
    return new ApiError(failure.status, failure.code, failure.message, failure.details, headers);
  }

  /** The refusal as data. */
  get failure(): ApiFailure {
    return { status: this.status, code: this.code, message: this.message, details: this.details };
  }

  toEnvelope(requestId: string): ErrorEnvelope {
    return errorEnvelope(this.failure, requestId);
  }
}

/** 400 INVALID_INPUT naming the offending field (see invalidInputFailure). */
export function invalidInput(field: string, reason: string): ApiError {
  return ApiError.from(invalidInputFailure(field, reason));
}

/** 404 NOT_FOUND naming the resource and its id (see notFoundFailure). */
export function notFound(resource: string, id: string): ApiError {
  return ApiError.from(notFoundFailure(resource, id));
}
