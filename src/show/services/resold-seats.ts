import { toMinorUnits } from "../../lib/money.ts";
import { ticketResoldData } from "../../webhooks/ticket-events.ts";
import type { EventData, WebhookEventType } from "../../webhooks/webhook-event-types.ts";
import type { D1Statement } from "../d1/d1-outbox.ts";
import { resaleRefundOwed, sellerSeatReleased } from "../d1/resale-d1.ts";
import { ticketVoidedAs } from "../d1/ticket-d1.ts";
import type { ResaleListing } from "../seats/resale-listings.ts";
import type { ShowState } from "../show-state.ts";
import type { StoredBooking } from "../storage/booking-storage.ts";

/**
 * What a buyer's confirmation does for each listed seat it buys, in the confirmation's own
 * step: the seller's ticket is void as `resold` (the buyer's booking issues the new one),
 * the listing is sold, and the seller is owed a refund of the listing's price through their
 * own charge (resale-refunds.ts pays it, exactly once). A payment that fails changes
 * nothing here: the listing stays as it was.
 */

/** The open listings among the booking's seats (read before the seat ledger confirms it). */
export function listingsBought(show: ShowState, booking: StoredBooking): ResaleListing[] {
  return booking.seatIds.flatMap((seatId) => show.seats.resale.ofSeat(seatId) ?? []);
}

/** The writes of the resale of `listings` to `buyer`: in the object, and D1's (first). */
export function resaleWrites(
  show: ShowState,
  buyer: StoredBooking,
  listings: readonly ResaleListing[],
  at: number,
): {
  store: () => void;
  d1: D1Statement[];
  events: { type: WebhookEventType; data: EventData }[];
} {
  const owed = listings.map((listing) => ({
    listing,
    amountMinor: toMinorUnits(listing.price),
  }));
  return {
    store: () => {
      for (const { listing, amountMinor } of owed) {
        show.ticketStorage.voidOne(listing, "resold");
        show.resale.sold(listing, buyer.bookingId, amountMinor, at);
      }
    },
    events: listings.map((listing) => ({
      type: "ticket.resold" as const,
      data: ticketResoldData({
        ticketId: listing.ticketId,
        bookingId: listing.bookingId,
        buyerBookingId: buyer.bookingId,
        showId: show.showId,
        seatId: listing.seatId,
        fromUserId: listing.userId,
        toUserId: buyer.userId,
        price: listing.price,
      }),
    })),
    d1: owed.flatMap(({ listing, amountMinor }) => [
      sellerSeatReleased(show.db, listing.bookingId, listing.seatId),
      ticketVoidedAs(show.db, listing.ticketId, "resold"),
      resaleRefundOwed(show.db, show.showId, {
        ticketId: listing.ticketId,
        bookingId: listing.bookingId,
        buyerBookingId: buyer.bookingId,
        amountMinor,
        status: "pending",
        refundId: null,
        attempts: 0,
        nextTryAt: at,
        createdAt: at,
        refundedAt: null,
      }),
    ]),
  };
}

/**
 * What resale left of a booking: the seats it still holds, its open listings, and what its
 * cancellation refunds (minor units). A booking cancelled on its own is refunded what was
 * paid for what it still holds (its resold seats were refunded by their resale, at the
 * price its holder chose); one cancelled with its show gets back all of its payment that
 * its resale refunds did not, as every buyer of a cancelled show does.
 */
export function resaleOf(
  show: ShowState,
  booking: StoredBooking,
  withShow = show.info.status === "cancelled",
): { held: string[]; listings: ResaleListing[]; resold: number; refundMinor: number } {
  const refunds = show.resale.refundsOf(booking.bookingId);
  const resoldSeats = new Set(
    refunds.map((refund) => show.ticketStorage.find(refund.ticketId)?.seatId ?? ""),
  );
  let resoldPaidMinor = 0;
  const held: string[] = [];
  for (const [i, seatId] of booking.seatIds.entries()) {
    if (!resoldSeats.has(seatId)) held.push(seatId);
    else resoldPaidMinor += toMinorUnits(booking.seatPrices?.[i] ?? 0);
  }
  const resaleRefundsMinor = refunds.reduce((sum, refund) => sum + refund.amountMinor, 0);
  return {
    held,
    listings: show.seats.resale.ofBooking(booking.bookingId),
    resold: refunds.length,
    refundMinor: booking.totalMinor - (withShow ? resaleRefundsMinor : resoldPaidMinor),
  };
}

/** The first of `listings` a buyer holds at `now` (they may be paying for it), if any. */
export function listingBeingBought(
  show: ShowState,
  listings: readonly ResaleListing[],
  now: number,
): ResaleListing | undefined {
  return listings.find((listing) => show.seats.statusOf(listing.seatId, now) === "locked");
}

/**
 * Ends `listings` as withdrawn, in one change: their seats read `booked` again and their
 * tickets admit again (the door's manifest hears). Call when no buyer holds any of them.
 */
export function withdrawListings(
  show: ShowState,
  listings: readonly ResaleListing[],
  now: number,
): void {
  for (const listing of listings) show.seats.resale.remove(listing);
  show.change({
    at: now,
    seats: listings.map((listing) => listing.seatId),
    store: () => {
      for (const listing of listings) {
        show.resale.withdraw(listing.ticketId, now);
        show.ticketChanges.ticket(listing.bookingId, listing.ticketId);
      }
    },
  });
}

/**
 * Withdraws the booking's resale listings (before its refund, so that none can sell while
 * the refund is made: it would be refunded twice). False, changing nothing, while a buyer
 * holds one of them.
 */
export function withdrawListingsOf(show: ShowState, booking: StoredBooking): boolean {
  const now = Date.now();
  const listings = show.seats.resale.ofBooking(booking.bookingId);
  if (listings.length === 0) return true;
  if (listingBeingBought(show, listings, now)) return false;
  withdrawListings(show, listings, now);
  return true;
}
