/**
 * API errors in plain words. The API's own messages are written for developers; a person
 * choosing seats needs to know what happened and what to do next, in terms of rows and
 * seats rather than ids.
 */
import { capitalise, formatShowTime } from "./format.js";

/**
 * "row A seats 3, 4 and row B seat 1", from seat ids, using the seat map to name them.
 * Unknown ids (not in the map) are listed as they are.
 *
 * @param {string[]} seatIds
 * @param {(seatId: string) => {row: string, number: number} | undefined} lookup
 */
export function describeSeats(seatIds, lookup) {
  const byRow = new Map();
  const unknown = [];
  for (const id of seatIds) {
    const seat = lookup(id);
    if (!seat) {
      unknown.push(id);
      continue;
    }
    if (!byRow.has(seat.row)) byRow.set(seat.row, []);
    byRow.get(seat.row).push(seat.number);
  }
  const parts = [...byRow].map(([row, numbers]) => {
    numbers.sort((a, b) => a - b);
    return `row ${row} ${numbers.length === 1 ? "seat" : "seats"} ${numbers.join(", ")}`;
  });
  if (unknown.length > 0) parts.push(unknown.join(", "));
  if (parts.length <= 1) return parts[0] ?? "those seats";
  return `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

const paymentReasons = {
  card_declined: "Your card was declined. Try another card; your seats are still held.",
  insufficient_funds:
    "Your card was declined for insufficient funds. Try another card; your seats are still held.",
  invalid_card_number: "That card number is not valid. Check it and try again.",
  expired_card: "That card has expired. Check the expiry date or use another card.",
  requires_action:
    "This card asks your bank to confirm the payment, which cannot be done here. Try another card; your seats are still held.",
  gateway_timeout:
    "The payment provider did not answer in time, so the payment was called off and any charge refunded. Your seats are still held; try again.",
  gateway_error:
    "The payment provider had a problem, so the payment was called off and any charge refunded. Your seats are still held; try again.",
};

const codeReasons = {
  unknown: "That access code is not valid for this show. Check it and try again.",
  revoked: "That access code has been withdrawn by the organizer.",
  used_up: "That access code has been used as many times as it allows.",
  not_yet_valid: "That access code cannot be used yet. Try again later.",
  expired: "That access code is no longer valid.",
};

/** The per-buyer limit, and what is left of it. */
function overLimit({ limit, remaining, held }) {
  if (typeof limit !== "number") return "That is more seats than this show sells to one buyer.";
  const most = `This show sells at most ${limit} seat${limit === 1 ? "" : "s"} per buyer`;
  return remaining > 0
    ? `${most}; you can take ${remaining} more.`
    : `${most}, and you already have ${held ?? limit}.`;
}

/**
 * @param {unknown} error an ApiError, or anything thrown
 * @param {(seatId: string) => {row: string, number: number} | undefined} lookup
 * @returns {string}
 */
export function explainError(error, lookup = () => undefined) {
  if (!error || typeof error !== "object" || !("code" in error)) {
    return "Something went wrong in this page. Reload it and try again.";
  }
  const details = error.details ?? {};
  const seats = (ids) => describeSeats(Array.isArray(ids) ? ids : [], lookup);
  switch (error.code) {
    case "NETWORK_ERROR":
      return "Could not reach the server. Check your connection and try again.";
    case "SEATS_ALREADY_LOCKED":
      return `Someone else is holding ${seats(details.unavailable_seats)}. Pick other seats.`;
    case "SEATS_UNAVAILABLE": {
      if (details.reason === "companion_requires_wheelchair") {
        // Companion seats go with a wheelchair space: say so, and how to get them.
        const one = (details.unavailable_seats?.length ?? 0) === 1;
        return `${capitalise(seats(details.unavailable_seats))} ${
          one ? "is a companion seat: it is" : "are companion seats: they are"
        } sold only with the wheelchair space next to ${
          one ? "it" : "them"
        }. Pick that space too, or use "Find accessible seats".`;
      }
      if (details.accessible && typeof details.accessible === "object") {
        const { wheelchair = 1, companions = 0 } = details.accessible;
        const where = details.zone ? ` in ${details.zone}` : "";
        const spaces =
          wheelchair === 1 ? "No wheelchair space" : `No ${wheelchair} wheelchair spaces together`;
        const beside =
          companions > 0
            ? ` with ${companions} companion seat${companions === 1 ? "" : "s"} next to ${
                wheelchair === 1 ? "it" : "them"
              }`
            : "";
        return `${spaces}${beside} ${wheelchair === 1 ? "is" : "are"} free${where} right now. ${
          companions > 0 ? "Try fewer companion seats, or pick" : "Pick"
        } seats on the map.`;
      }
      if (typeof details.quantity === "number") {
        const where = details.zone ? ` in ${details.zone}` : "";
        return details.quantity === 1
          ? `There are no free seats${where} right now. Try another zone.`
          : `There are no ${details.quantity} seats together${where} right now. Try fewer seats or another zone.`;
      }
      return `${capitalise(seats(details.unavailable_seats))} ${
        (details.unavailable_seats?.length ?? 0) === 1 ? "is" : "are"
      } already sold. Pick other seats.`;
    }
    case "NOT_SOLD_OUT":
      return "Seats are still available: hold them now instead of waiting.";
    case "ALREADY_ON_WAITLIST":
      return `You are already on the waitlist, number ${details.position ?? "?"} in line.`;
    case "LOCK_EXPIRED":
      return "Your hold expired and the seats were released. Choose seats again.";
    case "PAYMENT_FAILED": {
      const card = details.card_last4 ? ` ending ${details.card_last4}` : "";
      const text =
        paymentReasons[details.reason] ?? "The payment did not go through. Try another card.";
      return card ? text.replace(/^(Your card|That card)/, `$1${card}`) : text;
    }
    case "RATE_LIMITED": {
      const wait = error.retryAfter ?? details.retry_after;
      return typeof wait === "number"
        ? `Too many requests. Wait ${wait} second${wait === 1 ? "" : "s"} and try again.`
        : "Too many requests. Wait a moment and try again.";
    }
    case "ACCESS_CODE_INVALID":
      return (
        codeReasons[details.reason] ?? "That access code cannot be used. Check it and try again."
      );
    case "SALE_NOT_STARTED":
      return details.sales_start
        ? `The sale opens on ${formatShowTime(details.sales_start)}; a presale code lets you in earlier.`
        : "The sale has not opened yet; a presale code lets you in earlier.";
    case "SALE_ENDED":
      return details.sales_end
        ? `The sale for this show ended on ${formatShowTime(details.sales_end)}.`
        : "The sale for this show has ended.";
    case "TICKET_LIMIT_REACHED":
      return overLimit(details);
    case "SHOW_CLOSED":
      return "This show is no longer taking bookings.";
    case "QUEUE_REQUIRED":
      return "This sale has a waiting room. You're being put in line.";
    case "QUEUE_PASS_INVALID":
      return "Your turn to choose seats has ended. You're being put back in line.";
    case "BOOKING_EXISTS":
      return "These seats are already booked by you.";
    case "UNAUTHENTICATED":
      return "Your session ended. Reload the page to continue.";
    case "FORBIDDEN":
      return "You are not allowed to do that.";
    case "NOT_FOUND":
      return details.resource === "lock"
        ? "That hold no longer exists. Choose seats again."
        : "That could not be found. It may have been removed.";
    case "INVALID_INPUT":
      if (Array.isArray(details.unknown_seats)) {
        return "Some of those seats are not part of this show. Reload the page.";
      }
      if (typeof details.field === "string" && details.field.startsWith("payment_method")) {
        const field = details.field.split(".").at(-1)?.replaceAll("_", " ");
        return `Check the card details: ${field} ${details.reason ?? "is not valid"}.`;
      }
      return `That request was not accepted: ${error.message}`;
    case "IDEMPOTENCY_KEY_REUSED":
    case "REQUEST_IN_PROGRESS":
      return "That request is still being processed. Wait a moment and check again.";
    default:
      if (error.status >= 500) {
        return `The server had a problem${
          error.requestId ? ` (reference ${error.requestId})` : ""
        }. Please try again.`;
      }
      return error.message || "Something went wrong. Please try again.";
  }
}
