import type { z } from "zod";
import type { attendanceResponse, batchResponse } from "../../src/tickets/ticket-schemas.ts";
import { adminToken, call } from "./helpers.ts";
import { bookingWithTickets, checkIn, claimsOf, type TicketJson } from "./tickets-helpers.ts";

/** Helpers of the re-entry and headcount tests. */

export type AttendanceJson = z.infer<typeof attendanceResponse>["attendance"];
export type BatchResultJson = z.infer<typeof batchResponse>["results"][number];

/** PATCH /v1/shows/{id} `{checkin_policy: {reentry}}` as the admin. */
export async function setReentry(showId: string, reentry: boolean): Promise<void> {
  const res = await call("PATCH", `/v1/shows/${showId}`, {
    token: await adminToken(),
    body: { checkin_policy: { reentry } },
  });
  if (res.status !== 200) throw new Error(`patch failed: ${await res.text()}`);
}

/** A show with re-entry and one booking of `seatCount` seats: its tickets, one per seat. */
export async function reentryShow(seatCount = 2, user = "user_reentry") {
  const party = await bookingWithTickets(seatCount, user);
  await setReentry(party.showId, true);
  return party;
}

/** One online scan of `ticket` at `gate`, `in` or `out`. */
export function scan(
  scanner: string,
  ticket: TicketJson,
  direction: "in" | "out",
  gate: string,
  scanId?: string,
): Promise<Response> {
  return checkIn(scanner, {
    token: ticket.token,
    gate,
    direction,
    ...(scanId ? { scan_id: scanId } : {}),
  });
}

/** GET /v1/shows/{id}/attendance as `token` reads it. */
export async function attendance(showId: string, token: string): Promise<AttendanceJson> {
  const res = await call("GET", `/v1/shows/${showId}/attendance`, { token });
  if (res.status !== 200) throw new Error(`attendance failed: ${await res.text()}`);
  return ((await res.json()) as { attendance: AttendanceJson }).attendance;
}

/** A moment `seconds` after `ticket` was issued, as an offline door writes it. */
export const afterIssue = (ticket: TicketJson, seconds: number) =>
  new Date((claimsOf(ticket.token).iat + seconds) * 1000).toISOString();

/** One offline scan of a batch. */
export function offlineScan(
  ticket: TicketJson,
  direction: "in" | "out",
  seconds: number,
  gate: string,
  device = `device_${gate}`,
) {
  return {
    token: ticket.token,
    scanned_at: afterIssue(ticket, seconds),
    gate,
    device_id: device,
    direction,
  };
}
