import { describe, expect, it } from "vitest";
import { call, type ErrorBody, type LockJson, lockSeats, tokenFor } from "./support/helpers.ts";
import {
  buyLocked,
  deleteListing,
  listed,
  postListing,
  readBooking,
  seatStatusOf,
  sellerBooking,
} from "./support/resale-helpers.ts";
import { readTicket, type TicketJson } from "./support/tickets-helpers.ts";
import { newHolder, postTransfer } from "./support/transfer-helpers.ts";

/**
 * Requests about one listed seat sent at once: the show's object takes them one at a time,
 * so exactly one of two conflicting ones wins, whichever it is, and the other is refused
 * with the code that names what won.
 */

async function codeOf(res: Response): Promise<string> {
  return ((await res.json()) as ErrorBody).error.code;
}

async function oneSeller() {
  const seller = await sellerBooking(2, { premium: 100, standard: 60 });
  const ticket = seller.tickets[0] as TicketJson;
  return { seller, ticket, seatId: ticket.seats[0] ?? "" };
}

describe("a listing and a transfer of one ticket at once", () => {
  it("does one of them: listed and not transferred, or transferred and not listed", async () => {
    const { seller, ticket, seatId } = await oneSeller();
    const friend = await newHolder("user_race_friend");

    const [listing, transfer] = await Promise.all([
      postListing(seller.token, ticket.ticket_id, 80),
      postTransfer(seller.token, ticket.ticket_id, friend.userId),
    ]);

    expect([listing.status === 201, transfer.status === 200].filter(Boolean)).toHaveLength(1);
    const read = await readTicket(seller.token, ticket.ticket_id);
    if (listing.status === 201) {
      expect(await codeOf(transfer)).toBe("TICKET_LISTED");
      expect(read).toMatchObject({ status: "valid", user_id: seller.user });
      expect(read.listing?.price).toBe(80);
      expect(await seatStatusOf(seller.showId, seatId)).toBe("resale");
    } else {
      expect(transfer.status).toBe(200);
      expect(await codeOf(listing)).toBe("TICKET_VOID");
      expect(read).toMatchObject({ status: "void", void_reason: "transferred" });
      expect(read.listing).toBeUndefined();
      expect(await seatStatusOf(seller.showId, seatId)).toBe("booked");
    }
  });
});

describe("two listings of one ticket at once", () => {
  it("lists it once, at the winner's price", async () => {
    const { seller, ticket, seatId } = await oneSeller();

    const answers = await Promise.all([
      postListing(seller.token, ticket.ticket_id, 60),
      postListing(seller.token, ticket.ticket_id, 90),
    ]);

    expect(answers.map((res) => res.status).sort()).toEqual([201, 409]);
    const won = answers.findIndex((res) => res.status === 201);
    expect(await codeOf(answers[1 - won] as Response)).toBe("TICKET_LISTED");
    const price = won === 0 ? 60 : 90;
    expect((await readTicket(seller.token, ticket.ticket_id)).listing?.price).toBe(price);
    const map = await call("GET", `/v1/shows/${seller.showId}/seats/status`);
    expect(((await map.json()) as { resale?: Record<string, number> }).resale).toEqual({
      [seatId]: price,
    });
  });
});

describe("a withdrawal and a buyer's lock at once", () => {
  it("either withdraws (the lock refused) or locks (the withdrawal refused)", async () => {
    const { seller, ticket, seatId } = await oneSeller();
    await listed(seller.token, ticket.ticket_id, 70);
    const buyer = await tokenFor(`user_race_buyer_${crypto.randomUUID().slice(0, 8)}`);

    const [withdrawal, lock] = await Promise.all([
      deleteListing(seller.token, ticket.ticket_id),
      lockSeats(buyer, { show_id: seller.showId, seat_ids: [seatId] }),
    ]);

    if (withdrawal.status === 200) {
      expect(lock.status).toBe(400);
      expect(await codeOf(lock)).toBe("SEATS_UNAVAILABLE");
      expect(await seatStatusOf(seller.showId, seatId)).toBe("booked");
    } else {
      expect(withdrawal.status).toBe(409);
      expect(await codeOf(withdrawal)).toBe("RESALE_IN_PROGRESS");
      expect(lock.status).toBe(200);
      expect(await seatStatusOf(seller.showId, seatId)).toBe("locked");
    }
  });
});

describe("a seller's cancellation and a buyer's lock of their listed seat at once", () => {
  it("either cancels (the lock refused or at the layout price) or sells it at the listing's price", async () => {
    const { seller, ticket, seatId } = await oneSeller();
    await listed(seller.token, ticket.ticket_id, 70);
    const user = `user_race_buyer_${crypto.randomUUID().slice(0, 8)}`;
    const token = await tokenFor(user);

    const [cancel, lock] = await Promise.all([
      call("POST", `/v1/bookings/${seller.bookingId}/cancel`, { token: seller.token }),
      lockSeats(token, { show_id: seller.showId, seat_ids: [seatId] }),
    ]);

    const status = (await readBooking(seller.token, seller.bookingId)).status;
    if (cancel.status !== 200) {
      // The lock came first: the seat may be the buyer's at the listing's price.
      expect(cancel.status).toBe(409);
      expect(await codeOf(cancel)).toBe("RESALE_IN_PROGRESS");
      expect(status).toBe("confirmed");
      expect(lock.status).toBe(200);
      const buyer = { user, token, lock: (await lock.json()) as LockJson };
      const booked = await buyLocked(buyer, seller.showId, [seatId]);
      expect(
        ((await booked.json()) as { booking: { total_amount: number } }).booking,
      ).toMatchObject({ total_amount: 70 });
      expect((await readTicket(seller.token, ticket.ticket_id)).void_reason).toBe("resold");
      return;
    }
    expect(status).toBe("cancelled");
    expect((await readTicket(seller.token, ticket.ticket_id)).void_reason).toBe("cancelled");
    if (lock.status === 200) {
      // After the cancellation: the listing ended with it, the seat was free at 100.
      const buyer = { user, token, lock: (await lock.json()) as LockJson };
      const booked = await buyLocked(buyer, seller.showId, [seatId]);
      expect(
        ((await booked.json()) as { booking: { total_amount: number } }).booking,
      ).toMatchObject({ total_amount: 100 });
    } else {
      // While its refund was under way: the listing had ended, the seat not yet free.
      expect(lock.status).toBe(400);
      expect(await codeOf(lock)).toBe("SEATS_UNAVAILABLE");
      expect(await seatStatusOf(seller.showId, seatId)).toBe("available");
    }
  });
});
