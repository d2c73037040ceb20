import { describe, expect, it } from "vitest";
import { call, expectError, tokenFor } from "./support/helpers.ts";
import type { TicketJson } from "./support/tickets-helpers.ts";
import { bookingWithTickets, readTicket, ticketOnShow } from "./support/tickets-helpers.ts";

interface TicketPage {
  tickets: TicketJson[];
  next_cursor: string | null;
}

async function ticketPage(token: string, query = ""): Promise<TicketPage> {
  const res = await call("GET", `/v1/tickets${query}`, { token });
  expect(res.status).toBe(200);
  return (await res.json()) as TicketPage;
}

/** Every page of the caller's tickets, `limit` at a time. */
async function everyTicket(token: string, limit: number): Promise<TicketJson[][]> {
  const pages: TicketJson[][] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const page = await ticketPage(token, query);
    pages.push(page.tickets);
    cursor = page.next_cursor;
  } while (cursor);
  return pages;
}

describe("GET /v1/tickets", () => {
  it("pages through the caller's tickets across shows, newest first, each as GET /v1/tickets/{id} answers it", async () => {
    const user = `user_lists_${crypto.randomUUID().slice(0, 8)}`;
    const older = await bookingWithTickets(2, user);
    const newer = await bookingWithTickets(3, user);
    // Another buyer on the same show: never in this user's list.
    await ticketOnShow(newer.showId, `user_stranger_${crypto.randomUUID().slice(0, 8)}`);
    const pages = await everyTicket(newer.token, 2);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    const listed = pages.flat();
    // The newer booking's three first (one issue time: by id), then the older one's two.
    expect(listed.slice(0, 3).map((t) => t.ticket_id)).toEqual(
      newer.tickets
        .map((t) => t.ticket_id)
        .sort()
        .reverse(),
    );
    expect(listed.slice(3).map((t) => t.ticket_id)).toEqual(
      older.tickets
        .map((t) => t.ticket_id)
        .sort()
        .reverse(),
    );
    for (const ticket of listed) {
      expect(ticket).toEqual(await readTicket(newer.token, ticket.ticket_id));
      expect(ticket.user_id).toBe(user);
    }
  });

  it("lists a cancelled booking's tickets as void", async () => {
    const user = `user_cancels_${crypto.randomUUID().slice(0, 8)}`;
    const { token, bookingId, tickets } = await bookingWithTickets(2, user);
    expect((await call("POST", `/v1/bookings/${bookingId}/cancel`, { token })).status).toBe(200);
    const { tickets: listed } = await ticketPage(token);
    expect(listed.map((t) => [t.ticket_id, t.status]).sort()).toEqual(
      tickets.map((t) => [t.ticket_id, "void"]).sort(),
    );
  });

  it("answers another user's ticket 404, and an empty list to a user with none", async () => {
    const { tickets } = await bookingWithTickets(
      3,
      `user_owner_${crypto.randomUUID().slice(0, 8)}`,
    );
    const stranger = await tokenFor(`user_stranger_${crypto.randomUUID().slice(0, 8)}`);
    for (const ticket of tickets) {
      const res = await call("GET", `/v1/tickets/${ticket.ticket_id}`, { token: stranger });
      await expectError(res, 404, "NOT_FOUND");
    }
    expect(await ticketPage(stranger)).toEqual({ tickets: [], next_cursor: null });
  });

  it("refuses a cursor it did not issue and a caller without a token", async () => {
    const token = await tokenFor("user_bad_cursor");
    const error = await expectError(
      await call("GET", "/v1/tickets?cursor=not-ours", { token }),
      400,
      "INVALID_INPUT",
    );
    expect(error.details?.field).toBe("cursor");
    await expectError(await call("GET", "/v1/tickets"), 401, "UNAUTHENTICATED");
  });
});
