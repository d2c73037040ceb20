import type { SeatBook } from "./seat-book.ts";
import type { ShowInfo } from "./show-storage.ts";

/** The seat map (show, venue, every seat with its status, zones) and its version, as of `now`. */
export function seatMapView(info: ShowInfo, seats: SeatBook, version: number, now: number) {
  return {
    show_id: info.showId,
    version,
    venue: { venue_id: info.venueId, name: info.venueName, total_seats: info.totalSeats },
    seats: [...seats.seats.values()].map((seat) => ({
      seat_id: seat.seatId,
      row: seat.row,
      number: seat.number,
      status: seats.statusOf(seat.seatId, now),
      price: seat.price,
      zone: seat.zone,
    })),
    zones: Object.fromEntries(info.zones.map((z) => [z.name, { price: z.price, seats: z.seats }])),
  };
}
