import type { ShowInfo } from "../show/storage/seat-storage.ts";
import type { EventData } from "./webhook-event-types.ts";

/**
 * `data` of show.updated and show.cancelled: the show as it is after the change (and, once
 * cancelled, when and why).
 */
export function showEventData(info: ShowInfo): EventData {
  return {
    show_id: info.showId,
    event_id: info.eventId,
    status: info.status,
    show_time: new Date(info.showTime).toISOString(),
    ...(info.status === "cancelled"
      ? {
          reason: info.cancelReason ?? "",
          cancelled_at: new Date(info.cancelledAt ?? Date.now()).toISOString(),
        }
      : {}),
  };
}
