import { type ApiFailure, notFoundFailure } from "../../contract/api-failure.ts";
import { newShowScopedId } from "../../contract/scoped-ids.ts";
import type { ShowResult } from "../../contract/show-rpc.ts";
import {
  ticketAlreadyUsed,
  ticketListed,
  ticketNotTransferable,
  ticketVoid,
} from "../../contract/ticket-failures.ts";
import type { TransferCommand, TransferredTicket } from "../../contract/ticket-transfer.ts";
import { ticketTransferredData } from "../../webhooks/ticket-events.ts";
import { ticketsIssued, ticketVoidedAs } from "../d1/ticket-d1.ts";
import type { KeyedRequest } from "../keyed-request.ts";
import { ok, refused, showStarted } from "../show-results.ts";
import type { ShowState } from "../show-state.ts";
import type { StoredTicket } from "../storage/ticket-storage.ts";
import { findTicket, ticketVoidReason } from "./booking-tickets.ts";
import type { ShowCheckins } from "./show-checkins.ts";

/**
 * Transfers: a holder gives a ticket to another user before the show. In one synchronous
 * step of the object (nothing awaited between the checks and the writes, and the object is
 * the show's single writer), the ticket is void as `transferred` and a successor is issued
 * to the new holder with a new id, so a new token: the old code is refused at the door at
 * once, and offline after the door's next sync of the manifest. Two transfers of one
 * ticket at once: the first wins, the second finds it void. The booking, and its money,
 * stay the buyer's: cancelling it voids the successor too.
 */
export class TicketTransfers {
  constructor(
    private readonly show: ShowState,
    private readonly checkins: ShowCheckins,
  ) {}

  async transfer(
    command: TransferCommand,
    request: KeyedRequest,
  ): Promise<ShowResult<TransferredTicket>> {
    const now = Date.now();
    const refusal = this.refusal(command, now);
    if (refusal) return refused(refusal);
    const { show } = this;
    const previous = show.ticketStorage.find(command.ticketId);
    if (!previous) return refused(notFoundFailure("ticket", command.ticketId));
    const next: StoredTicket = {
      ...previous,
      ticketId: newShowScopedId("ticket", show.showId),
      userId: command.toUserId,
      status: "valid",
      voidReason: null,
      issuedAt: now,
    };
    let result: ShowResult<TransferredTicket> | undefined;
    show.change({
      at: now,
      store: () => {
        show.ticketStorage.transfer(previous, next);
        // The answer is read after the write, inside the same step: the new ticket as it is.
        result = ok({ ticket: this.read(next.ticketId) });
      },
      d1: [
        ticketVoidedAs(show.db, previous.ticketId, "transferred"),
        ticketsIssued(show.db, show.showId, [next]),
      ],
      events: [
        {
          type: "ticket.transferred",
          data: ticketTransferredData({
            ticketId: next.ticketId,
            previousTicketId: previous.ticketId,
            bookingId: previous.bookingId,
            showId: show.showId,
            seatId: previous.seatId,
            fromUserId: previous.userId,
            toUserId: next.userId,
          }),
        },
      ],
      reply: () => {
        if (result) result = request.keep(result);
      },
    });
    if (!result) throw new Error(`the transfer of ${previous.ticketId} wrote no answer`);
    show.log.write("info", "ticket transferred", {
      request_id: request.requestId,
      ticket_id: next.ticketId,
      previous_ticket_id: previous.ticketId,
      booking_id: previous.bookingId,
    });
    // The new holder's list (GET /v1/tickets) reads D1: it has the ticket before the answer
    // when D1 answers; if not, the alarm retries and the single read asks the object.
    await show.flushToD1();
    return result;
  }

  /** Why this transfer cannot happen now, or undefined. */
  private refusal(command: TransferCommand, now: number): ApiFailure | undefined {
    const { show } = this;
    const ticket = findTicket(show, command.ticketId);
    // Another holder's ticket is not found, as an unknown one: its existence is not told.
    if (!ticket || ticket.userId !== command.userId) {
      return notFoundFailure("ticket", command.ticketId);
    }
    const listed = show.seats.resale.ofTicket(command.ticketId);
    if (listed) return ticketListed(command.ticketId, listed.price);
    const voided = ticketVoidReason(show, ticket);
    if (voided) return ticketVoid(command.ticketId, voided);
    const used = show.checkinStorage.find(command.ticketId);
    if (used) return ticketAlreadyUsed(used);
    if (!ticket.stored) {
      return ticketNotTransferable(
        command.ticketId,
        "it is a booking's one ticket from before tickets were per seat, which admits all its seats together",
      );
    }
    return showStarted(show.info, now, "transferred");
  }

  private read(ticketId: string) {
    const read = this.checkins.readTicket(ticketId);
    if (!read.ok) throw new Error(`the transferred ticket ${ticketId} cannot be read`);
    return read.value;
  }
}
