import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError, newKey } from "./support/helpers.ts";
import { bookingWithTickets, type TicketJson } from "./support/tickets-helpers.ts";
import { postTransfer } from "./support/transfer-helpers.ts";

/** A ticket has one holder however transfers race or are retried. */
describe("transfers of one ticket", () => {
  it("sent at once: one wins, the other is 409 TICKET_VOID, and one new ticket exists", async () => {
    const { tickets, token, bookingId } = await bookingWithTickets(1);
    const ticket = tickets[0] as TicketJson;

    const answers = await Promise.all([
      postTransfer(token, ticket.ticket_id, "user_racer_a"),
      postTransfer(token, ticket.ticket_id, "user_racer_b"),
    ]);

    const statuses = answers.map((res) => res.status).sort();
    expect(statuses).toEqual([200, 409]);
    const lost = answers.find((res) => res.status === 409) as Response;
    expect((await expectError(lost, 409, "TICKET_VOID")).details?.reason).toBe("transferred");
    const res = await call("GET", `/v1/bookings/${bookingId}`, { token });
    const { booking } = (await res.json()) as { booking: { tickets: { status: string }[] } };
    expect(booking.tickets.map((t) => t.status)).toEqual(["void", "valid"]);
  });

  it("retried with the same Idempotency-Key: the first answer again, byte for byte, and one transfer", async () => {
    const { tickets, token, bookingId } = await bookingWithTickets(1);
    const ticket = tickets[0] as TicketJson;
    const key = newKey();

    const first = await postTransfer(token, ticket.ticket_id, "user_retried", key);
    const firstBody = await first.text();
    const again = await postTransfer(token, ticket.ticket_id, "user_retried", key);

    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await again.text()).toBe(firstBody);
    // Without the Worker's copy (KV), the show object's own record answers, signed again alike.
    const kept = await env.IDEMPOTENCY.list({ prefix: "idem:" });
    for (const { name } of kept.keys.filter((k) => k.name.endsWith(key))) {
      await env.IDEMPOTENCY.delete(name);
    }
    const fromObject = await postTransfer(token, ticket.ticket_id, "user_retried", key);
    expect(fromObject.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await fromObject.text()).toBe(firstBody);
    const { ticket: fresh } = JSON.parse(firstBody) as { ticket: TicketJson };
    const res = await call("GET", `/v1/bookings/${bookingId}`, { token });
    const { booking } = (await res.json()) as { booking: { tickets: { ticket_id: string }[] } };
    expect(booking.tickets.map((t) => t.ticket_id)).toEqual([ticket.ticket_id, fresh.ticket_id]);
    const reused = await postTransfer(token, ticket.ticket_id, "user_someone_else", key);
    await expectError(reused, 422, "IDEMPOTENCY_KEY_REUSED");
  });
});
