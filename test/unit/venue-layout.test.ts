import { describe, expect, it } from "vitest";
import { layOutVenue, seatIdFor, VenueLayoutError } from "../../src/catalog/venue-layout.ts";

describe("layOutVenue", () => {
  it("numbers seats from 1 per row in zone, row, number order", () => {
    const layout = layOutVenue(
      "venue_x1",
      [
        { name: "gold", rows: [{ row: "A", seats: 2 }] },
        { name: "silver", rows: [{ row: "B", seats: 3 }] },
      ],
      100,
    );
    expect(layout.zones).toEqual([
      { name: "gold", position: 0, seatCount: 2, capacity: null },
      { name: "silver", position: 1, seatCount: 3, capacity: null },
    ]);
    expect(layout.seats.map((s) => [s.row, s.number, s.zone, s.position])).toEqual([
      ["A", 1, "gold", 0],
      ["A", 2, "gold", 1],
      ["B", 1, "silver", 2],
      ["B", 2, "silver", 3],
      ["B", 3, "silver", 4],
    ]);
  });

  it("makes seat ids that cannot collide between row 'A1' seat 1 and row 'A' seat 11", () => {
    expect(seatIdFor("venue_v", "A1", 1)).not.toBe(seatIdFor("venue_v", "A", 11));
  });

  it("throws a layout error naming the field of a duplicate row", () => {
    const build = () =>
      layOutVenue(
        "venue_x",
        [
          {
            name: "z",
            rows: [
              { row: "A", seats: 1 },
              { row: "A", seats: 1 },
            ],
          },
        ],
        100,
      );
    expect(build).toThrow(VenueLayoutError);
    expect(build).toThrow("zones.0.rows.1.row: duplicate row 'A'");
  });

  it("throws when the venue would exceed the seat limit", () => {
    expect(() =>
      layOutVenue("venue_x", [{ name: "z", rows: [{ row: "A", seats: 11 }] }], 10),
    ).toThrow("at most 10 seats");
  });
});
