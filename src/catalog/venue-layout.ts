import type { CreateVenueInput } from "./catalog-schemas.ts";

/**
 * Kept free of runtime imports: `npm start` (Node) imports this file directly to lay out
 * the demo venue the same way the API does.
 */

/** A layout that cannot be built; the route answers 400 naming `field`. */
export class VenueLayoutError extends Error {
  readonly field: string;
  readonly reason: string;
  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`);
    this.name = "VenueLayoutError";
    this.field = field;
    this.reason = reason;
  }
}

interface LaidOutSeat {
  seatId: string;
  zone: string;
  row: string;
  number: number;
  position: number;
}

interface LaidOutZone {
  name: string;
  position: number;
  seatCount: number;
}

export interface VenueLayout {
  zones: LaidOutZone[];
  seats: LaidOutSeat[];
}

/** A venue's id without its prefix, so its seat ids read as belonging to it. */
function venueKey(venueId: string): string {
  return venueId.slice(venueId.indexOf("_") + 1);
}

/** Seat ids are `seat_<venue key>_<row>_<number>`: unique across venues, stable, readable. */
export function seatIdFor(venueId: string, row: string, number: number): string {
  return `seat_${venueKey(venueId)}_${row}_${number}`;
}

/**
 * Expands a venue's zones and rows into seats numbered from 1 in each row, in seat-map
 * order. Zone names and row labels must be unique in the venue (row labels case-blind,
 * since people read "a" and "A" as one row).
 */
export function layOutVenue(
  venueId: string,
  zones: CreateVenueInput["zones"],
  maxSeats: number,
): VenueLayout {
  const zoneNames = new Set<string>();
  const rowLabels = new Set<string>();
  const laidZones: LaidOutZone[] = [];
  const seats: LaidOutSeat[] = [];
  zones.forEach((zone, zoneIndex) => {
    if (zoneNames.has(zone.name)) {
      throw new VenueLayoutError(`zones.${zoneIndex}.name`, `duplicate zone name '${zone.name}'`);
    }
    zoneNames.add(zone.name);
    let seatCount = 0;
    zone.rows.forEach((row, rowIndex) => {
      const label = row.row.toUpperCase();
      if (rowLabels.has(label)) {
        throw new VenueLayoutError(
          `zones.${zoneIndex}.rows.${rowIndex}.row`,
          `duplicate row '${row.row}'`,
        );
      }
      rowLabels.add(label);
      for (let number = 1; number <= row.seats; number++) {
        seats.push({
          seatId: seatIdFor(venueId, row.row, number),
          zone: zone.name,
          row: row.row,
          number,
          position: seats.length,
        });
      }
      seatCount += row.seats;
    });
    laidZones.push({ name: zone.name, position: zoneIndex, seatCount });
  });
  if (seats.length > maxSeats) {
    throw new VenueLayoutError("zones", `a venue may have at most ${maxSeats} seats`);
  }
  return { zones: laidZones, seats };
}
