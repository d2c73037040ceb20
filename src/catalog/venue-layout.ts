import type { Accessibility } from "../contract/seat-accessibility.ts";
import type { CreateVenueInput, RowEntry } from "./catalog-schemas.ts";

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
  accessibility: Accessibility | null;
  /** Its price category, when it is priced apart from its zone. */
  category: string | null;
}

/** Seat number → what that seat offers for access; seats not in it have none. */
export type RowAccessibility = Readonly<Record<number, Accessibility>>;

/** A row as laid out: its seats are numbered 1..seats from `position` on. */
export interface LaidOutRow {
  zone: string;
  row: string;
  seats: number;
  position: number;
  /** Only on a row with seats that offer some access. */
  accessibility?: RowAccessibility;
  /** The category of every seat not in `categories` (only on a row that has one). */
  category?: string;
  /** Seat number → price category (only on a row with seats listed by category). */
  categories?: Readonly<Record<number, string>>;
}

interface LaidOutZone {
  name: string;
  position: number;
  /** Its seats, or a standing area's places. */
  seatCount: number;
  /** A standing area's places (sold by the place, no seats); null for a seated zone. */
  capacity: number | null;
}

export interface VenueLayout {
  zones: LaidOutZone[];
  rows: LaidOutRow[];
  seats: LaidOutSeat[];
  /** The price categories its rows name, in the order they first appear. */
  categories: string[];
}

/** A venue's id without its prefix, so its seat ids read as belonging to it. */
function venueKey(venueId: string): string {
  return venueId.slice(venueId.indexOf("_") + 1);
}

/** What every seat id of the venue starts with (D1's seat INSERT builds ids from it too). */
export function seatIdPrefix(venueId: string): string {
  return `seat_${venueKey(venueId)}_`;
}

/** Seat ids are `seat_<venue key>_<row>_<number>`: unique across venues, stable, readable. */
export function seatIdFor(venueId: string, row: string, number: number): string {
  return `${seatIdPrefix(venueId)}${row}_${number}`;
}

/**
 * Expands a venue's zones and rows (`from`..`to` runs included) into seats numbered from 1
 * in each row, in seat-map order. Zone names and row labels must be unique in the venue
 * (row labels case-blind, since people read "a" and "A" as one row). The seat count is
 * checked before a run of rows is expanded, so a huge range costs nothing.
 */
export function layOutVenue(
  venueId: string,
  zones: CreateVenueInput["zones"],
  maxSeats: number,
): VenueLayout {
  const zoneNames = new Set<string>();
  const rowLabels = new Set<string>();
  const laidZones: LaidOutZone[] = [];
  const laidRows: LaidOutRow[] = [];
  const seats: LaidOutSeat[] = [];
  const categories = new Set<string>();
  zones.forEach((zone, zoneIndex) => {
    if (zoneNames.has(zone.name)) {
      throw new VenueLayoutError(`zones.${zoneIndex}.name`, `duplicate zone name '${zone.name}'`);
    }
    zoneNames.add(zone.name);
    if (zone.general_admission && zone.capacity !== undefined) {
      laidZones.push({
        name: zone.name,
        position: zoneIndex,
        seatCount: zone.capacity,
        capacity: zone.capacity,
      });
      return;
    }
    let seatCount = 0;
    (zone.rows ?? []).forEach((entry, rowIndex) => {
      const field = `zones.${zoneIndex}.rows.${rowIndex}`;
      const labels = rowLabelsOf(entry, field);
      const accessibility = accessibilityOf(entry);
      const byCategory = categoriesOf(entry);
      for (const name of [entry.category, ...Object.keys(entry.categories ?? {})]) {
        if (name === undefined) continue;
        if (zones.some((z) => z.name === name)) {
          const categoryField =
            entry.category === name ? `${field}.category` : `${field}.categories`;
          throw new VenueLayoutError(
            categoryField,
            `'${name}' names a zone; a category needs a name of its own`,
          );
        }
        categories.add(name);
      }
      if (seats.length + labels.count * entry.seats > maxSeats) {
        throw new VenueLayoutError("zones", `a venue may have at most ${maxSeats} seats`);
      }
      for (let i = 0; i < labels.count; i++) {
        const row = labels.at(i);
        if (rowLabels.has(row.toUpperCase())) {
          const labelField = entry.row === undefined ? `${field}.from` : `${field}.row`;
          throw new VenueLayoutError(labelField, `duplicate row '${row}'`);
        }
        rowLabels.add(row.toUpperCase());
        laidRows.push({
          zone: zone.name,
          row,
          seats: entry.seats,
          position: seats.length,
          ...(accessibility && { accessibility }),
          ...(entry.category && { category: entry.category }),
          ...(byCategory && { categories: byCategory }),
        });
        for (let number = 1; number <= entry.seats; number++) {
          seats.push({
            seatId: seatIdFor(venueId, row, number),
            zone: zone.name,
            row,
            number,
            position: seats.length,
            accessibility: accessibility?.[number] ?? null,
            category: byCategory?.[number] ?? entry.category ?? null,
          });
        }
        seatCount += entry.seats;
      }
    });
    laidZones.push({ name: zone.name, position: zoneIndex, seatCount, capacity: null });
  });
  return { zones: laidZones, rows: laidRows, seats, categories: [...categories] };
}

/** A row entry's category lists as seat number → category, or undefined when it lists none. */
function categoriesOf(entry: RowEntry): Record<number, string> | undefined {
  const bySeat: Record<number, string> = {};
  let listed = false;
  for (const [category, numbers] of Object.entries(entry.categories ?? {})) {
    for (const number of numbers) {
      bySeat[number] = category;
      listed = true;
    }
  }
  return listed ? bySeat : undefined;
}

/**
 * A row entry's accessibility lists as seat number → kind, or undefined when it lists no
 * seat. The schema has checked the lists (seats of the row, each in at most one list).
 */
function accessibilityOf(entry: RowEntry): RowAccessibility | undefined {
  if (!entry.accessibility) return undefined;
  const bySeat: Record<number, Accessibility> = {};
  let listed = false;
  for (const [kind, numbers] of Object.entries(entry.accessibility)) {
    for (const number of numbers ?? []) {
      bySeat[number] = kind as Accessibility;
      listed = true;
    }
  }
  return listed ? bySeat : undefined;
}

interface RowLabels {
  count: number;
  at(index: number): string;
}

/** The labels a row entry stands for: its `row`, or every row from `from` to `to`. */
function rowLabelsOf(entry: RowEntry, field: string): RowLabels {
  if (entry.row !== undefined) {
    const row = entry.row;
    return { count: 1, at: () => row };
  }
  if (entry.from === undefined || entry.to === undefined) {
    // The schema refuses such an entry; this keeps the function total.
    throw new VenueLayoutError(`${field}.row`, "is required (or from and to)");
  }
  const range = expandRowRange(entry.from, entry.to);
  if (typeof range === "string") throw new VenueLayoutError(`${field}.to`, range);
  return range;
}

/**
 * A run of row labels: `from` and `to` share a prefix and end in a counter, either decimal
 * ("R1".."R40"; "01".."40" keeps its zero padding) or letters of one case counted like
 * spreadsheet columns ("A".."Z", "AA".."ZZ"; "S1A".."S1Z"). Answers the reason `to` is
 * refused when the two do not make such a run.
 */
export function expandRowRange(from: string, to: string): RowLabels | string {
  const first = counterOf(from);
  const last = counterOf(to);
  if (first.prefix !== last.prefix || first.kind !== last.kind) {
    return `must share from's prefix '${first.prefix}' and end in the same kind of counter`;
  }
  if (first.kind === "digits" && first.width !== (first.width > 0 ? last.length : last.width)) {
    return `must be zero-padded like from ('${from}')`;
  }
  if (last.value < first.value) return `must not come before from ('${from}')`;
  const { prefix } = first;
  const format =
    first.kind === "digits"
      ? (value: number) => String(value).padStart(first.width, "0")
      : (value: number) => lettersOf(value, first.kind === "lower");
  return {
    count: last.value - first.value + 1,
    at: (index) => prefix + format(first.value + index),
  };
}

interface Counter {
  prefix: string;
  kind: "digits" | "upper" | "lower";
  value: number;
  /** Zero-padded width of a decimal counter, 0 when it is not padded. */
  width: number;
  /** Characters in the counter. */
  length: number;
}

function counterOf(label: string): Counter {
  const digits = /^(.*?)([0-9]+)$/.exec(label);
  if (digits) {
    const tail = digits[2] ?? "";
    const padded = tail.length > 1 && tail.startsWith("0");
    return {
      prefix: digits[1] ?? "",
      kind: "digits",
      value: Number(tail),
      width: padded ? tail.length : 0,
      length: tail.length,
    };
  }
  // A letter tail of one case: "S1Ab" counts "b" after the prefix "S1A".
  const letters = /^(.*?)([A-Z]+|[a-z]+)$/.exec(label);
  const tail = letters?.[2] ?? "";
  const kind = tail === tail.toUpperCase() ? "upper" : "lower";
  let value = 0;
  for (const char of tail.toUpperCase()) value = value * 26 + (char.charCodeAt(0) - 64);
  return { prefix: letters?.[1] ?? label, kind, value, width: 0, length: tail.length };
}

/** 1 → A, 26 → Z, 27 → AA (bijective base 26). */
function lettersOf(value: number, lower: boolean): string {
  let label = "";
  for (let n = value; n > 0; n = Math.floor((n - 1) / 26)) {
    label = String.fromCharCode(65 + ((n - 1) % 26)) + label;
  }
  return lower ? label.toLowerCase() : label;
}
