import type { TicketRead } from "./show-views.ts";

/**
 * Transfers and revocations of tickets, between the Worker and the show object: the
 * command, its answer, and why a ticket admits no one (the door shows the reason).
 */

/**
 * Why a ticket admits no one: its booking (or the whole show) was `cancelled`, it was
 * `transferred` to another holder (its successor admits instead), or `resold`; or, for as
 * long as its holder offers it for resale, it is `listed` (it admits again once withdrawn).
 */
export type VoidReason = "cancelled" | "transferred" | "resold" | "listed";

/** Why a ticket is void: the reason a door shows, and a sentence for the error message. */
export interface TicketVoid {
  reason: VoidReason;
  detail: string;
}

/** POST /v1/tickets/{ticket_id}/transfer, as the Worker hands it to the ticket's show. */
export interface TransferCommand {
  ticketId: string;
  /** The caller: only the ticket's holder may transfer it. */
  userId: string;
  /** The new holder (a token's `sub`); never the caller (the Worker refuses that). */
  toUserId: string;
}

/** The transfer's answer: the new ticket, read as GET /v1/tickets/{id} reads it. */
export interface TransferredTicket {
  ticket: TicketRead;
}
