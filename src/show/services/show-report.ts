import type { SalesReport, SeatCounts } from "../../contract/show-views.ts";
import type { BookingStatus } from "../../db/schema.ts";
import { fromMinorUnits } from "../../lib/money.ts";
import type { ShowState } from "../show-state.ts";
import { resaleOf } from "./resold-seats.ts";

const noSeats = (): SeatCounts => ({
  available: 0,
  locked: 0,
  held: 0,
  booked: 0,
  resale: 0,
});

/**
 * The report at the object's current version: seats (and standing places) counted from the
 * same statuses the seat map shows, money from the bookings' totals (what the gateway charged and refunded
 * for them), so it agrees with the seat map and the payment ledger at that moment.
 */
export function salesReport(state: ShowState, currency: string, now: number): SalesReport {
  const zones: Record<string, SeatCounts & { total: number }> = {};
  const total = noSeats();
  for (const zone of state.info.zones) zones[zone.name] = { ...noSeats(), total: 0 };
  for (const seat of state.seats.seats.values()) {
    const status = state.seats.statusOf(seat.seatId, now);
    const zone = zones[seat.zone] ?? { ...noSeats(), total: 0 };
    zones[seat.zone] = zone;
    zone[status]++;
    zone.total++;
    total[status]++;
  }
  // A standing area's places count as its zone's, by the same four states.
  for (const area of state.seats.areas.all()) {
    const { zone: name, capacity, ...counts } = area;
    zones[name] = { ...counts, resale: 0, total: capacity };
    for (const status of ["available", "locked", "held", "booked"] as const) {
      total[status] += counts[status];
    }
  }
  const bookings: Record<BookingStatus, number> = {
    pending: 0,
    confirmed: 0,
    cancelled: 0,
    expired: 0,
  };
  let grossMinor = 0;
  let refundMinor = 0;
  for (const row of state.bookingStorage.bookingTotals()) {
    // Left out by bookingTotals: no money, no seats.
    if (row.status === "failed") continue;
    bookings[row.status] = row.count;
    grossMinor += row.paidMinor;
    if (row.status === "cancelled") refundMinor += row.paidMinor;
  }
  refundMinor += resaleRefundsMinor(state);
  return {
    show_id: state.showId,
    version: state.version,
    currency,
    seats: { zones, total },
    bookings,
    gross: fromMinorUnits(grossMinor),
    refunds: fromMinorUnits(refundMinor),
    net: fromMinorUnits(grossMinor - refundMinor),
    generated_at: new Date(now).toISOString(),
  };
}

/**
 * Sellers' refunds of resold seats (owed or made), less what the cancellations of their
 * bookings did not refund again: a cancelled seller's booking was refunded only what
 * resale left of it, and the loop above counted the whole of what it paid.
 */
function resaleRefundsMinor(state: ShowState): number {
  const refunds = state.resale.allRefunds();
  let minor = 0;
  const sellers = new Set<string>();
  for (const refund of refunds) {
    minor += refund.amountMinor;
    sellers.add(refund.bookingId);
  }
  for (const bookingId of sellers) {
    const booking = state.bookingStorage.findBooking(bookingId);
    if (booking?.status !== "cancelled") continue;
    // Cancelled with its show, or on its own before: its refund was decided then.
    const withShow =
      state.info.cancelledAt !== undefined && (booking.cancelledAt ?? 0) >= state.info.cancelledAt;
    minor -= booking.totalMinor - resaleOf(state, booking, withShow).refundMinor;
  }
  return minor;
}
