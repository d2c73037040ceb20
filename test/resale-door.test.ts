import { describe, expect, it } from "vitest";
import { expectError } from "./support/helpers.ts";
import { buyLocked, deleteListing, listed, resaleBuyer } from "./support/resale-helpers.ts";
import {
  bookingWithTickets,
  checkIn,
  checkInBatch,
  readTicket,
  scannerToken,
  type TicketJson,
} from "./support/tickets-helpers.ts";
import { manifestSince } from "./support/transfer-helpers.ts";

/**
 * The door and resale: a listed ticket admits no one (`listed`) until withdrawn, online and
 * in the manifest doors sync; a resold one is void (`resold`) and the buyer's admits.
 */
describe("a listed ticket at the door", () => {
  it("is refused online as void, reason listed", async () => {
    const { token, tickets } = await bookingWithTickets(1, "user_listed_at_door");
    const ticket = tickets[0] as TicketJson;
    await listed(token, ticket.ticket_id);

    const res = await checkIn(await scannerToken(), { token: ticket.token });

    const error = await expectError(res, 409, "TICKET_VOID");
    expect(error.details).toMatchObject({ ticket_id: ticket.ticket_id, reason: "listed" });
    // Its holder still sees it as theirs and valid (with its listing).
    expect(await readTicket(token, ticket.ticket_id)).toMatchObject({
      status: "valid",
      void_reason: null,
    });
  });

  it("is void in the manifest while listed and valid again in its changes once withdrawn", async () => {
    const { showId, token, tickets } = await bookingWithTickets(2, "user_listed_manifest");
    const [ticket, other] = tickets as [TicketJson, TicketJson];
    const before = await manifestSince(showId);

    await listed(token, ticket.ticket_id);

    const whole = await manifestSince(showId);
    expect(whole.void).toContain(ticket.ticket_id);
    expect(whole.void_reasons[ticket.ticket_id]).toBe("listed");
    expect(whole.valid).not.toContain(ticket.ticket_id);
    expect(whole.valid).toContain(other.ticket_id);
    const listing = await manifestSince(showId, before.version);
    expect(listing.void).toEqual([ticket.ticket_id]);
    expect(listing.void_reasons).toEqual({ [ticket.ticket_id]: "listed" });
    expect(listing.valid).toEqual([]);

    expect((await deleteListing(token, ticket.ticket_id)).status).toBe(200);

    const withdrawn = await manifestSince(showId, whole.version);
    expect(Number(withdrawn.version)).toBeGreaterThan(Number(whole.version));
    expect(withdrawn.valid).toEqual([ticket.ticket_id]);
    expect(withdrawn.void).toEqual([]);
    expect((await checkIn(await scannerToken(), { token: ticket.token })).status).toBe(200);
  });
});

describe("a resold ticket at the door", () => {
  it("is void as resold in the manifest's changes, and the buyer's new ticket valid", async () => {
    const { showId, token, tickets } = await bookingWithTickets(2, "user_door_seller");
    const [old, kept] = tickets as [TicketJson, TicketJson];
    const seatId = old.seats[0] ?? "";
    await listed(token, old.ticket_id, 150);
    const before = await manifestSince(showId);
    const buyer = await resaleBuyer(showId, [seatId]);

    const booked = await buyLocked(buyer, showId, [seatId]);

    expect(booked.status).toBe(201);
    const { booking } = (await booked.json()) as { booking: { tickets: { ticket_id: string }[] } };
    const fresh = await readTicket(buyer.token, booking.tickets[0]?.ticket_id ?? "");
    const delta = await manifestSince(showId, before.version);
    expect(delta.void).toEqual([old.ticket_id]);
    expect(delta.void_reasons).toEqual({ [old.ticket_id]: "resold" });
    expect(delta.valid).toEqual([fresh.ticket_id]);
    expect(delta.valid).not.toContain(kept.ticket_id);
    const whole = await manifestSince(showId);
    expect(whole.valid.sort()).toEqual([fresh.ticket_id, kept.ticket_id].sort());
    expect(whole.void_reasons[old.ticket_id]).toBe("resold");
  });

  it("is refused by a door that synced, which admits the buyer's new code", async () => {
    const { showId, token, tickets } = await bookingWithTickets(1, "user_offline_seller");
    const old = tickets[0] as TicketJson;
    const seatId = old.seats[0] ?? "";
    await listed(token, old.ticket_id);
    const buyer = await resaleBuyer(showId, [seatId]);
    const booked = await buyLocked(buyer, showId, [seatId]);
    const { booking } = (await booked.json()) as { booking: { tickets: { ticket_id: string }[] } };
    const fresh = await readTicket(buyer.token, booking.tickets[0]?.ticket_id ?? "");
    const scannedAt = new Date().toISOString();

    const res = await checkInBatch(await scannerToken(), showId, [
      { token: old.token, scanned_at: scannedAt, device_id: "door-3" },
      { token: fresh.token, scanned_at: scannedAt, device_id: "door-3" },
    ]);

    expect(res.status).toBe(200);
    const { results } = (await res.json()) as {
      results: { ticket_id: string; result: string; reason?: string }[];
    };
    expect(results[0]).toEqual({ ticket_id: old.ticket_id, result: "void", reason: "resold" });
    expect(results[1]).toMatchObject({ ticket_id: fresh.ticket_id, result: "admitted" });
    const online = await checkIn(await scannerToken("gate2"), { token: old.token });
    expect((await expectError(online, 409, "TICKET_VOID")).details?.reason).toBe("resold");
  });
});
