import { DEFAULT_CHECKIN_POLICY, DEFAULT_WAITLIST_OFFER_SECONDS } from "../contract/show-views.ts";
import type { EventRow, ShowRecord, VenueRecord } from "./catalog-d1.ts";

/** The JSON the API answers with for each catalog object (snake_case field names). */

export function eventView(event: EventRow) {
  return {
    event_id: event.eventId,
    org_id: event.orgId,
    name: event.name,
    description: event.description,
    duration_minutes: event.durationMinutes,
    created_at: event.createdAt,
  };
}

export function venueView({ venue, zones, seats }: VenueRecord) {
  return {
    venue_id: venue.venueId,
    org_id: venue.orgId,
    name: venue.name,
    city: venue.city,
    total_seats: venue.totalSeats,
    zones: zones.map((zone) =>
      zone.capacity === null
        ? { name: zone.name, seats: zone.seatCount }
        : { name: zone.name, seats: 0, general_admission: true as const, capacity: zone.capacity },
    ),
    categories: categoryCounts(seats),
    seats: seats.map((seat) => ({
      seat_id: seat.seatId,
      row: seat.row,
      number: seat.number,
      zone: seat.zone,
      accessibility: seat.accessibility,
      category: seat.category,
    })),
    created_at: venue.createdAt,
  };
}

function categoryCounts(seats: VenueRecord["seats"]) {
  const counts = new Map<string, number>();
  for (const seat of seats) {
    if (seat.category) counts.set(seat.category, (counts.get(seat.category) ?? 0) + 1);
  }
  return [...counts].map(([name, count]) => ({ name, seats: count }));
}

export function showView({ show, prices }: ShowRecord) {
  return {
    show_id: show.showId,
    org_id: show.orgId,
    event_id: show.eventId,
    venue_id: show.venueId,
    show_time: show.showTime,
    status: show.status,
    prices,
    max_tickets_per_user: show.maxTicketsPerUser,
    sales_start: show.salesStart,
    sales_end: show.salesEnd,
    waitlist_offer_seconds: show.waitlistOfferSeconds ?? DEFAULT_WAITLIST_OFFER_SECONDS,
    checkin_policy: show.checkinPolicy ?? DEFAULT_CHECKIN_POLICY,
    resale: show.resale,
    created_at: show.createdAt,
  };
}
