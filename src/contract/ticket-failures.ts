import { type ApiFailure, failure } from "../contract/api-failure.ts";
import { iso } from "../lib/iso-time.ts";
import type { TicketVoid } from "./ticket-transfer.ts";

/** The refusals of ticket checks, built the same wherever they are decided. */

/** 400: not a ticket this API signed (bad signature, unknown key, garbage). */
export function ticketInvalid(reason: string): ApiFailure {
  return failure(400, "TICKET_INVALID", `The ticket is not valid: ${reason}`, {
    field: "token",
    reason,
  });
}

/** 409: the ticket was checked in before; when, at which gate, by which device. */
export function ticketAlreadyUsed(first: {
  ticketId: string;
  checkedInAt: number;
  gate: string | null;
  deviceId: string | null;
}): ApiFailure {
  return failure(
    409,
    "TICKET_ALREADY_USED",
    `Ticket ${first.ticketId} was checked in at ${iso(first.checkedInAt)}${first.gate ? ` at gate ${first.gate}` : ""}`,
    {
      ticket_id: first.ticketId,
      checked_in_at: iso(first.checkedInAt),
      gate: first.gate,
      device_id: first.deviceId,
    },
  );
}

/**
 * 409: the booking was cancelled (or is being refunded), or the show was cancelled; or the
 * ticket was transferred (or resold) and its successor admits instead. `details.reason` is
 * the short reason a door shows (`cancelled`, `transferred`, `resold`).
 */
export function ticketVoid(ticketId: string, voided: TicketVoid): ApiFailure {
  return failure(409, "TICKET_VOID", `Ticket ${ticketId} is void: ${voided.detail}`, {
    ticket_id: ticketId,
    reason: voided.reason,
  });
}

/**
 * 409: a ticket that cannot be transferred on its own: a booking's one ticket from before
 * tickets were per seat admits every seat of the booking at once.
 */
export function ticketNotTransferable(ticketId: string, reason: string): ApiFailure {
  return failure(
    409,
    "TICKET_NOT_TRANSFERABLE",
    `Ticket ${ticketId} cannot be transferred: ${reason}`,
    {
      ticket_id: ticketId,
      reason,
    },
  );
}

/** 409: the organizer turned resale off for this show. */
export function resaleDisabled(showId: string): ApiFailure {
  return failure(409, "RESALE_DISABLED", `Resale is turned off for show ${showId}`, {
    show_id: showId,
  });
}

/** 409: the ticket is listed for resale: withdraw the listing first. */
export function ticketListed(ticketId: string, price: number): ApiFailure {
  return failure(
    409,
    "TICKET_LISTED",
    `Ticket ${ticketId} is listed for resale; withdraw the listing first`,
    { ticket_id: ticketId, price },
  );
}

/**
 * 409: a buyer holds a listed seat and may be paying for it, so its listing cannot end (a
 * withdrawal, its booking's cancellation) until their hold does. `details` name what was
 * asked for (the ticket, the booking) beside the seat.
 */
export function resaleInProgress(seatId: string, details: Record<string, string>): ApiFailure {
  return failure(
    409,
    "RESALE_IN_PROGRESS",
    `A buyer holds seat ${seatId}, listed for resale, and may be paying for it; try again once their hold ends`,
    { ...details, seat_id: seatId },
  );
}

/** 409: a ticket that cannot be offered for resale on its own; `reason` says why. */
export function ticketNotResellable(ticketId: string, reason: string): ApiFailure {
  return failure(
    409,
    "TICKET_NOT_RESELLABLE",
    `Ticket ${ticketId} cannot be listed for resale: ${reason}`,
    { ticket_id: ticketId, reason },
  );
}

/** 409: a valid ticket, for another show than the one being checked in. */
export function ticketWrongShow(ticketId: string, ticketShow: string, expected: string) {
  return failure(
    409,
    "TICKET_WRONG_SHOW",
    `Ticket ${ticketId} is for show ${ticketShow}, not ${expected}`,
    { ticket_id: ticketId, ticket_show_id: ticketShow, show_id: expected },
  );
}

/** A ticket's last accepted scan, as a re-entry refusal names it. */
export interface LastScan {
  direction: "in" | "out";
  at: number;
  gate: string | null;
  deviceId: string | null;
}

function lastScanDetails(last: LastScan | undefined) {
  if (!last) return null;
  const { direction, gate, deviceId } = last;
  return { direction, scanned_at: iso(last.at), gate, device_id: deviceId };
}

/** 409, re-entry: an `in` scan of a ticket that is inside already. */
export function ticketAlreadyInside(ticketId: string, last: LastScan | undefined): ApiFailure {
  const where = last?.gate ? ` at gate ${last.gate}` : "";
  return failure(
    409,
    "TICKET_ALREADY_INSIDE",
    `Ticket ${ticketId} is inside: it came in${last ? ` at ${iso(last.at)}` : ""}${where}`,
    { ticket_id: ticketId, last_scan: lastScanDetails(last) },
  );
}

/** 409, re-entry: an `out` scan of a ticket that is not inside (never came in, or left). */
export function ticketNotInside(ticketId: string, last: LastScan | undefined): ApiFailure {
  const when = last ? `it left at ${iso(last.at)}` : "it has not come in";
  return failure(409, "TICKET_NOT_INSIDE", `Ticket ${ticketId} is not inside: ${when}`, {
    ticket_id: ticketId,
    last_scan: lastScanDetails(last),
  });
}
