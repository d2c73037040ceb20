import { describe, expect, it } from "vitest";
import { bookingWithTickets, type TicketJson } from "./support/tickets-helpers.ts";
import { transferred } from "./support/transfer-helpers.ts";
import { eventually, Receiver, webhooksForEachTest } from "./support/webhooks-receiver.ts";

const webhookFor = webhooksForEachTest(["ticket.transferred"]);

describe("the ticket.transferred event", () => {
  it("names the new ticket, the one it replaced, the booking, show, seat and both holders", async () => {
    const receiver = new Receiver("http://127.0.0.1:9881/hooks");
    await webhookFor(receiver);
    const { tickets, token, user, bookingId, showId } = await bookingWithTickets(2);
    const old = tickets[1] as TicketJson;

    const fresh = await transferred(token, old.ticket_id, "user_gifted");

    const event = await eventually(async () =>
      receiver.received.find(
        (r) => r.type === "ticket.transferred" && r.data.previous_ticket_id === old.ticket_id,
      ),
    );
    expect(event.verified).toBe(true);
    expect(event.data).toEqual({
      ticket_id: fresh.ticket_id,
      previous_ticket_id: old.ticket_id,
      booking_id: bookingId,
      show_id: showId,
      seat_id: old.seats[0],
      from_user_id: user,
      to_user_id: "user_gifted",
    });
  });
});
