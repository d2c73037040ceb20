import type { CheckinView } from "../../contract/show-views.ts";
import { iso } from "../../lib/iso-time.ts";
import type { ShowState } from "../show-state.ts";
import type { StoredCheckin } from "../storage/checkin-storage.ts";
import { type DoorTicket, findTicket } from "./booking-tickets.ts";

/** A ticket's check-in as the door is answered; `ticket` when the caller has it already. */
export function checkinView(
  show: ShowState,
  checkin: StoredCheckin,
  ticket: DoorTicket | undefined = findTicket(show, checkin.ticketId),
): CheckinView {
  return {
    ticket_id: checkin.ticketId,
    booking_id: checkin.bookingId,
    show_id: show.showId,
    seats: ticket?.seatIds ?? [],
    checked_in_at: iso(checkin.checkedInAt),
    gate: checkin.gate,
  };
}
