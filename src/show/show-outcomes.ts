import { ApiError } from "../http/api-error.ts";
import { iso } from "../lib/iso-time.ts";
import type { HttpReply, ShowFailure } from "./show-api.ts";
import type { LoadedShow } from "./show-core.ts";

/** What a show object's operation produced, and how it becomes an HTTP reply. */

export type Outcome =
  | { ok: true; status: number; value: unknown }
  | { ok: false; error: ShowFailure };

export const fail = (failure: ShowFailure): { ok: false; error: ShowFailure } => ({
  ok: false,
  error: failure,
});

export const notFound = (resource: string, id: string) =>
  fail({
    status: 404,
    code: "NOT_FOUND",
    message: `${resource} ${id} was not found`,
    details: { resource, id },
  });

export const invalid = (field: string, reason: string, extra: Record<string, unknown> = {}) =>
  fail({
    status: 400,
    code: "INVALID_INPUT",
    message: `${field}: ${reason}`,
    details: { field, reason, ...extra },
  });

export const paymentUnderWay = () =>
  fail({
    status: 409,
    code: "REQUEST_IN_PROGRESS",
    message: "A payment or refund for this booking is under way; retry shortly",
  });

/** An outcome as the HTTP reply the Worker sends: JSON, errors in the envelope. */
export function render(outcome: Outcome, requestId: string): HttpReply {
  if (outcome.ok) {
    return {
      status: outcome.status,
      body: JSON.stringify(outcome.value),
      replayed: false,
      stored: false,
    };
  }
  const { status, code, message, details } = outcome.error;
  return {
    status,
    body: JSON.stringify(new ApiError(status, code, message, details).toEnvelope(requestId)),
    replayed: false,
    stored: false,
  };
}

/** SHOW_CLOSED once the show has started, or when it is closed or cancelled. */
export function showClosed(show: LoadedShow, now: number, what: string) {
  const { showId, status, showTime } = show.info;
  if (status === "scheduled" && now < showTime) return undefined;
  return fail({
    status: 400,
    code: "SHOW_CLOSED",
    message:
      status === "scheduled"
        ? `show ${showId} has started; seats can no longer be ${what}`
        : `show ${showId} is ${status}`,
    details: { field: "show_id", show_id: showId, status, show_time: iso(showTime) },
  });
}
