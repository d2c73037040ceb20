import {
  type ApiFailure,
  failure,
  invalidInputFailure,
  notFoundFailure,
} from "../../contract/api-failure.ts";
import type { ShowResult } from "../../contract/show-rpc.ts";
import {
  resaleDisabled,
  resaleInProgress,
  ticketAlreadyUsed,
  ticketListed,
  ticketNotResellable,
  ticketVoid,
} from "../../contract/ticket-failures.ts";
import type {
  ListedTicket,
  ResaleCommand,
  ResaleListingView,
  WithdrawCommand,
} from "../../contract/ticket-resale.ts";
import { iso } from "../../lib/iso-time.ts";
import { toMinorUnits } from "../../lib/money.ts";
import type { KeyedRequest } from "../keyed-request.ts";
import type { ResaleListing } from "../seats/resale-listings.ts";
import { ok, refused, showStarted } from "../show-results.ts";
import type { ShowState } from "../show-state.ts";
import { bookingSeats } from "./booking-snapshot.ts";
import { type DoorTicket, findTicket, ticketVoidReason } from "./booking-tickets.ts";
import { listingBeingBought, withdrawListings } from "./resold-seats.ts";

/**
 * Face-value resale, the seller's side: a holder lists a seat's ticket at its face price or
 * less, and may withdraw it. Listing is a change of the seat map (the seat reads `resale`,
 * at the listing's price) and of the door's manifest (a listed ticket admits no one until
 * withdrawn). The sale itself is a buyer's booking of the seat (resold-seats.ts).
 */
export class TicketResale {
  constructor(private readonly show: ShowState) {}

  /** POST /v1/tickets/{ticket_id}/resale. */
  list(command: ResaleCommand, request: KeyedRequest): ShowResult<ListedTicket> {
    const { show } = this;
    const now = Date.now();
    const ticket = this.holdersTicket(command.ticketId, command.userId);
    if (!ticket) return refused(notFoundFailure("ticket", command.ticketId));
    const listed = show.seats.resale.ofTicket(command.ticketId);
    if (listed) return refused(ticketListed(command.ticketId, listed.price));
    const refusal = this.refusal(ticket, now);
    if (refusal) return refused(refusal);
    const seatId = ticket.seatIds[0] ?? "";
    const face = this.faceOf(ticket, seatId);
    const price = command.price ?? face;
    if (toMinorUnits(price) > toMinorUnits(face)) {
      return refused(
        invalidInputFailure("price", `must be at most the face price paid for the seat (${face})`, {
          face_price: face,
        }),
      );
    }
    const listing: ResaleListing = {
      ticketId: command.ticketId,
      seatId,
      bookingId: ticket.booking.bookingId,
      userId: command.userId,
      price,
      listedAt: now,
    };
    show.seats.resale.add(listing);
    let result: ShowResult<ListedTicket> = ok({ listing: listingView(listing, face) }, 201);
    show.change({
      at: now,
      seats: [seatId],
      store: () => {
        show.resale.list(listing);
        show.ticketChanges.ticket(listing.bookingId, listing.ticketId);
      },
      reply: () => {
        result = request.keep(result);
      },
    });
    show.log.write("info", "ticket listed", {
      request_id: request.requestId,
      ticket_id: listing.ticketId,
      seat_id: seatId,
      price,
    });
    return result;
  }

  /** DELETE /v1/tickets/{ticket_id}/resale: the seat is the holder's, and `booked`, again. */
  withdraw(command: WithdrawCommand): ShowResult<ListedTicket> {
    const { show } = this;
    const now = Date.now();
    show.expireDue(now);
    const ticket = this.holdersTicket(command.ticketId, command.userId);
    const listing = ticket && show.seats.resale.ofTicket(command.ticketId);
    if (!ticket || !listing) {
      return refused(
        failure(404, "NOT_FOUND", `Ticket ${command.ticketId} of yours is not listed for resale`, {
          field: "ticket_id",
          ticket_id: command.ticketId,
        }),
      );
    }
    // A buyer holding the seat may be paying for it: the listing stays until their hold ends.
    if (listingBeingBought(show, [listing], now)) {
      return refused(resaleInProgress(listing.seatId, { ticket_id: command.ticketId }));
    }
    withdrawListings(show, [listing], now);
    show.log.write("info", "ticket listing withdrawn", { ticket_id: listing.ticketId });
    return ok({ listing: listingView(listing, this.faceOf(ticket, listing.seatId)) });
  }

  /** What was paid for the seat, as its booking lists it: the most a listing may ask. */
  faceOf(ticket: DoorTicket, seatId: string): number {
    return (
      bookingSeats(this.show.seats, ticket.booking).find((s) => s.seat_id === seatId)?.price ?? 0
    );
  }

  /** The caller's ticket (another holder's is not found, as an unknown one). */
  private holdersTicket(ticketId: string, userId: string): DoorTicket | undefined {
    const ticket = findTicket(this.show, ticketId);
    return ticket && ticket.userId === userId ? ticket : undefined;
  }

  /** Why this ticket cannot be listed now, or undefined. */
  private refusal(ticket: DoorTicket, now: number): ApiFailure | undefined {
    const { show } = this;
    if (!show.seats.resale.isOpen) return resaleDisabled(show.showId);
    const voided = ticketVoidReason(show, ticket);
    if (voided) return ticketVoid(ticket.ticketId, voided);
    const used = show.checkinStorage.find(ticket.ticketId);
    if (used) return ticketAlreadyUsed(used);
    if (!ticket.stored || ticket.seatIds.length !== 1) {
      return ticketNotResellable(
        ticket.ticketId,
        ticket.stored
          ? "standing places are not resold; transfer the ticket instead"
          : "it is a booking's one ticket from before tickets were per seat",
      );
    }
    // The seller is refunded through the booking's charge: only its payer may sell.
    if (ticket.userId !== ticket.booking.userId) {
      return ticketNotResellable(
        ticket.ticketId,
        "it was transferred to you; only the buyer who paid for it can resell it",
      );
    }
    return showStarted(show.info, now, "resold");
  }
}

export function listingView(listing: ResaleListing, face: number): ResaleListingView {
  return {
    ticket_id: listing.ticketId,
    seat_id: listing.seatId,
    price: listing.price,
    face_price: face,
    listed_at: iso(listing.listedAt),
  };
}
