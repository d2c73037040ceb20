import { expect } from "vitest";
import type { AreaCounts as AreaCountsJson } from "../../src/contract/area-places.ts";
import { call, createShow, type LockJson } from "./helpers.ts";

/** A venue with a standing floor beside a zone of seats. */
export function festivalVenue(capacity: number) {
  return {
    name: "Riverside Grounds",
    city: "Goa",
    zones: [
      { name: "floor", general_admission: true, capacity },
      { name: "stands", rows: [{ row: "A", seats: 6 }] },
    ],
  };
}

export const festivalPrices = { floor: 1500, stands: 2500 };

export async function festivalShow(capacity = 100) {
  return createShow(festivalPrices, festivalVenue(capacity));
}

export type { AreaCounts as AreaCountsJson } from "../../src/contract/area-places.ts";

/** The show's standing areas as the seat map gives them. */
export async function areaCounts(showId: string): Promise<AreaCountsJson[]> {
  const res = await call("GET", `/v1/shows/${showId}/seats`);
  expect(res.status).toBe(200);
  const map = (await res.json()) as { areas?: AreaCountsJson[] };
  return map.areas ?? [];
}

/** Every area's counts add up to its capacity, none negative. */
export function expectBalanced(areas: readonly AreaCountsJson[]): void {
  for (const area of areas) {
    expect(area.available + area.locked + area.held + area.booked).toBe(area.capacity);
    for (const count of [area.available, area.locked, area.held, area.booked]) {
      expect(count).toBeGreaterThanOrEqual(0);
    }
  }
}

export type AreaLockJson = LockJson & { areas: { zone: string; quantity: number }[] };
