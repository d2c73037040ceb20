import { bookingBody, call, lockedSeats, postBooking, tokenFor } from "./helpers.ts";

/** Helpers of the ticket and check-in tests. */

export interface TicketJson {
  ticket_id: string;
  booking_id: string;
  show_id: string;
  seats: string[];
  user_id: string;
  status: "valid" | "used" | "void";
  checked_in_at: string | null;
  gate: string | null;
  token: string;
  ticket_url: string;
}

/** A show with one confirmed booking (paid by card) and its ticket, as the owner sees it. */
export async function bookedTicket(seatCount = 2, user = "user_ticket_holder") {
  const ctx = await lockedSeats(seatCount, user);
  const res = await postBooking(ctx.token, bookingBody(ctx));
  if (res.status !== 201) throw new Error(`booking failed: ${await res.text()}`);
  const { booking } = (await res.json()) as { booking: { booking_id: string; ticket_id: string } };
  const ticketRes = await call("GET", `/v1/tickets/${booking.ticket_id}`, { token: ctx.token });
  if (ticketRes.status !== 200) throw new Error(`ticket read failed: ${await ticketRes.text()}`);
  const { ticket } = (await ticketRes.json()) as { ticket: TicketJson };
  return { ...ctx, bookingId: booking.booking_id, ticket };
}

export const scannerToken = (gate = "gate1") => tokenFor(gate, "scanner");

export function checkIn(token: string, body: Record<string, unknown>): Promise<Response> {
  return call("POST", "/v1/checkins", { token, body });
}

export function checkInBatch(token: string, scans: Record<string, unknown>[]): Promise<Response> {
  return call("POST", "/v1/checkins/batch", { token, body: { scans } });
}
