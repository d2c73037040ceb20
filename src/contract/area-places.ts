/**
 * General-admission areas: a zone of a venue sold by the place (a standing floor, a lawn)
 * rather than by the seat. Shared by the Worker and the show object.
 */

/** Places asked for in one area: a lock's, a booking's or a hold's. */
export interface AreaRequest {
  zone: string;
  quantity: number;
}

/** Places of an area taken by a lock, at the price each place had when it was locked. */
export interface AreaPlaces extends AreaRequest {
  price: number;
}

/** An area's places now: available + locked + held + booked = capacity, always. */
export type { LiveAreaCounts as AreaCounts } from "./live-protocol.ts";
