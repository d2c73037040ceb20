import { type ApiFailure, failure, requestInProgress } from "../contract/api-failure.ts";
import type { ShowResult } from "../contract/show-rpc.ts";
import { iso } from "../lib/iso-time.ts";
import type { ShowInfo } from "./storage/seat-storage.ts";

/** Building ShowResults inside the show object. */

export function ok<T>(value: T, status: 200 | 201 | 202 = 200): ShowResult<T> {
  return { ok: true, status, value };
}

export function refused(error: ApiFailure): { ok: false; error: ApiFailure } {
  return { ok: false, error };
}

export function paymentUnderWay(): ApiFailure {
  return requestInProgress("A payment or refund for this booking is under way; retry shortly");
}

/** SHOW_CLOSED once the show has started, or when it is closed or cancelled. */
export function showClosed(info: ShowInfo, now: number, what: string): ApiFailure | undefined {
  const { showId, status, showTime } = info;
  if (status === "scheduled" && now < showTime) return undefined;
  return failure(
    400,
    "SHOW_CLOSED",
    status === "scheduled"
      ? `show ${showId} has started; seats can no longer be ${what}`
      : `show ${showId} is ${status}`,
    { field: "show_id", show_id: showId, status, show_time: iso(showTime) },
  );
}

/**
 * SHOW_CLOSED once the show has started, for what a holder does with a ticket before it
 * (transfer, resale); a cancelled show's tickets are void, which the caller says instead.
 */
export function showStarted(info: ShowInfo, now: number, what: string): ApiFailure | undefined {
  if (info.status === "cancelled" || now < info.showTime) return undefined;
  return failure(
    400,
    "SHOW_CLOSED",
    `show ${info.showId} has started; tickets can no longer be ${what}`,
    { field: "show_id", show_id: info.showId, show_time: iso(info.showTime) },
  );
}

/**
 * 400 SALE_NOT_STARTED before the show's sales_start (unless `presale`: the holder of a
 * valid access code), SALE_ENDED after its sales_end.
 */
export function outsideSaleWindow(
  info: ShowInfo,
  now: number,
  presale: boolean,
): ApiFailure | undefined {
  if (!presale && info.salesStart && now < info.salesStart) {
    const at = iso(info.salesStart);
    return failure(400, "SALE_NOT_STARTED", `The sale of show ${info.showId} starts at ${at}`, {
      sales_start: at,
    });
  }
  if (info.salesEnd && now >= info.salesEnd) {
    const at = iso(info.salesEnd);
    return failure(400, "SALE_ENDED", `The sale of show ${info.showId} ended at ${at}`, {
      sales_end: at,
    });
  }
  return undefined;
}
