import { type ApiFailure, failure, invalidInputFailure } from "../../contract/api-failure.ts";
import type { AreaRequest } from "../../contract/area-places.ts";
import type { ShowResult } from "../../contract/show-rpc.ts";
import { mergedRequests } from "../seats/area-inventory.ts";
import { ok, refused } from "../show-results.ts";
import type { ShowState } from "../show-state.ts";

/**
 * A lock's (or hold's) places of standing areas, checked against the show: each names one
 * of its general-admission zones (within an access code's zones, if the code has some).
 * Answers them merged, one entry per zone.
 */
export function checkAreaRequests(
  show: ShowState,
  areas: readonly AreaRequest[] | undefined,
  codeZones?: readonly string[],
): ShowResult<AreaRequest[]> {
  if (!areas || areas.length === 0) return ok([]);
  for (const [index, { zone }] of areas.entries()) {
    if (!show.seats.areas.isArea(zone)) {
      const seated = show.info.zones.some((z) => z.name === zone);
      return refused(
        invalidInputFailure(
          `areas.${index}.zone`,
          seated
            ? `'${zone}' is a zone of seats: lock its seats by seat_ids, or by quantity and zone`
            : `this show has no standing area '${zone}'`,
        ),
      );
    }
    if (codeZones && !codeZones.includes(zone)) {
      return refused(
        invalidInputFailure(
          `areas.${index}.zone`,
          `the access code is for zones ${codeZones.join(", ")}`,
        ),
      );
    }
  }
  return ok(mergedRequests(areas));
}

/**
 * 400 SEATS_UNAVAILABLE for places an area lacks: `available` is the first short area's
 * places left; with several areas asked for, `areas` lists each short one.
 */
export function areasShortFailure(
  short: readonly { zone: string; available: number }[],
  asked: readonly AreaRequest[],
): ApiFailure {
  const first = short[0] ?? { zone: "", available: 0 };
  return failure(
    400,
    "SEATS_UNAVAILABLE",
    `Only ${first.available} place${first.available === 1 ? " is" : "s are"} left in ${first.zone}`,
    {
      available: first.available,
      zone: first.zone,
      unavailable_seats: [],
      ...(asked.length > 1 && { areas: short.map(({ zone, available }) => ({ zone, available })) }),
    },
  );
}

/** A lock's places as the API shows them: zone and quantity, without the prices. */
export const areasOf = (lock: { areas?: readonly AreaRequest[] }): AreaRequest[] =>
  (lock.areas ?? []).map(({ zone, quantity }) => ({ zone, quantity }));

/** Whether a booking names exactly its lock's places (in any order, a zone split or not). */
export function sameAreas(asked: readonly AreaRequest[], locked: readonly AreaRequest[]): boolean {
  const a = mergedRequests(asked);
  const b = mergedRequests(locked);
  return (
    a.length === b.length &&
    a.every(({ zone, quantity }) => b.some((l) => l.zone === zone && l.quantity === quantity))
  );
}
