import { describe, expect, it } from "vitest";
import { newShowScopedId } from "../src/contract/scoped-ids.ts";
import { call, expectError } from "./support/helpers.ts";
import {
  bookingWithTickets,
  checkIn,
  readTicket,
  scannerToken,
  type TicketJson,
  toOneTicketShape,
} from "./support/tickets-helpers.ts";
import { newHolder, postTransfer, transferred } from "./support/transfer-helpers.ts";

/** What a transfer refuses, and that a refusal changes nothing. */
describe("a transfer", () => {
  it("of another user's ticket is 404, as an unknown ticket, and changes nothing", async () => {
    const { tickets, token } = await bookingWithTickets(1);
    const ticket = tickets[0] as TicketJson;
    const stranger = await newHolder("user_stranger");

    const res = await postTransfer(stranger.token, ticket.ticket_id, "user_accomplice");
    const error = await expectError(res, 404, "NOT_FOUND");
    const unknown = newShowScopedId("ticket", ticket.show_id);
    const other = await expectError(
      await postTransfer(stranger.token, unknown, "user_accomplice"),
      404,
      "NOT_FOUND",
    );
    expect(error.message.replace(ticket.ticket_id, "")).toBe(other.message.replace(unknown, ""));
    expect(await readTicket(token, ticket.ticket_id)).toMatchObject({ status: "valid" });
  });

  it("of a used ticket is 409 TICKET_ALREADY_USED", async () => {
    const { tickets, token } = await bookingWithTickets(1);
    const ticket = tickets[0] as TicketJson;
    expect((await checkIn(await scannerToken(), { token: ticket.token })).status).toBe(200);

    const error = await expectError(
      await postTransfer(token, ticket.ticket_id, "user_late_friend"),
      409,
      "TICKET_ALREADY_USED",
    );
    expect(error.details?.ticket_id).toBe(ticket.ticket_id);
  });

  it("of a ticket already transferred is 409 TICKET_VOID with the reason", async () => {
    const { tickets, token } = await bookingWithTickets(1);
    const ticket = tickets[0] as TicketJson;
    await transferred(token, ticket.ticket_id, "user_first_friend");

    const error = await expectError(
      await postTransfer(token, ticket.ticket_id, "user_second_friend"),
      409,
      "TICKET_VOID",
    );
    expect(error.details?.reason).toBe("transferred");
  });

  it("of a cancelled booking's ticket is 409 TICKET_VOID", async () => {
    const { tickets, token, bookingId } = await bookingWithTickets(1);
    const ticket = tickets[0] as TicketJson;
    expect((await call("POST", `/v1/bookings/${bookingId}/cancel`, { token })).status).toBe(200);

    const error = await expectError(
      await postTransfer(token, ticket.ticket_id, "user_too_late"),
      409,
      "TICKET_VOID",
    );
    expect(error.details?.reason).toBe("cancelled");
  });

  it("to yourself is 400 naming to_user_id", async () => {
    const { tickets, token, user } = await bookingWithTickets(1);
    const ticket = tickets[0] as TicketJson;

    const error = await expectError(
      await postTransfer(token, ticket.ticket_id, user),
      400,
      "INVALID_INPUT",
    );
    expect(error.details?.field).toBe("to_user_id");
  });

  it("of a booking's one ticket from before per-seat tickets is 409 TICKET_NOT_TRANSFERABLE", async () => {
    const { token, bookingId, showId } = await bookingWithTickets(2);
    const ticketId = await toOneTicketShape(showId, bookingId);

    const error = await expectError(
      await postTransfer(token, ticketId, "user_half_party"),
      409,
      "TICKET_NOT_TRANSFERABLE",
    );
    expect(error.message).toMatch(/before tickets were per seat/);
    expect(await readTicket(token, ticketId)).toMatchObject({ status: "valid" });
  });

  it("needs a user token: a scanner's is 403", async () => {
    const { tickets } = await bookingWithTickets(1);
    const ticket = tickets[0] as TicketJson;
    await expectError(
      await postTransfer(await scannerToken(), ticket.ticket_id, "user_any"),
      403,
      "FORBIDDEN",
    );
  });
});
