import { failure, invalidInputFailure, notFoundFailure } from "../../contract/api-failure.ts";
import type { AreaRequest } from "../../contract/area-places.ts";
import type { ShowResult } from "../../contract/show-rpc.ts";
import type { HoldView } from "../../contract/show-views.ts";
import { newId } from "../../lib/ids.ts";
import { iso } from "../../lib/iso-time.ts";
import { ok, refused } from "../show-results.ts";
import type { ShowState } from "../show-state.ts";
import type { SeatHold } from "../storage/hold-storage.ts";
import { checkAreaRequests } from "./area-requests.ts";

const viewOf = (hold: SeatHold): HoldView => ({
  hold_id: hold.holdId,
  seat_ids: hold.seatIds,
  ...(hold.areas.length > 0 && { areas: hold.areas }),
  reason: hold.reason,
  label: hold.label,
  created_at: iso(hold.createdAt),
});

/**
 * Seats the organizer keeps back from sale (house seats, wheelchair and companion places,
 * seats the stage kills): they read `held` in the seat map and the live feed, cannot be
 * locked, and best available skips them, until the hold is released.
 */
export class ShowHolds {
  constructor(private readonly show: ShowState) {}

  /** `holdId`: an allocation's own id (allocations are holds a code may unlock). */
  create(
    input: { seatIds: string[]; areas?: AreaRequest[]; reason: string; label?: string },
    holdId = newId("hold"),
  ): ShowResult<HoldView> {
    const { show } = this;
    const now = Date.now();
    show.expireDue(now);
    const areas = checkAreaRequests(show, input.areas);
    if (!areas.ok) return areas;
    const hold: SeatHold = {
      holdId,
      seatIds: input.seatIds,
      areas: areas.value,
      reason: input.reason,
      label: input.label ?? null,
      createdAt: now,
    };
    const reserved = show.seats.reserve(hold.holdId, hold.seatIds, now);
    if (!reserved.ok) {
      if (reserved.unknown.length > 0) {
        return refused(
          invalidInputFailure("seat_ids", "names seats this show does not have", {
            unknown_seats: reserved.unknown,
          }),
        );
      }
      return refused(
        failure(409, "SEATS_UNAVAILABLE", "Some seats are locked, booked or held already", {
          field: "seat_ids",
          unavailable_seats: reserved.taken,
        }),
      );
    }
    const short = show.seats.reserveAreas(hold.areas);
    if (short.length > 0) {
      show.seats.unreserve(hold.holdId, hold.seatIds);
      return refused(
        failure(409, "SEATS_UNAVAILABLE", "Some areas have fewer places left", {
          field: "areas",
          available: short[0]?.available ?? 0,
          areas: short,
          unavailable_seats: [],
        }),
      );
    }
    show.change({
      at: now,
      seats: hold.seatIds,
      store: () => {
        show.holdStorage.insert(hold);
        show.seatStorage.moveAreaPlaces("held", hold.areas, 1);
      },
    });
    show.log.write("info", "seats held", { hold_id: hold.holdId, seats: hold.seatIds.length });
    return ok(viewOf(hold), 201);
  }

  list(): HoldView[] {
    return this.show.holdStorage.all().map(viewOf);
  }

  /** Puts the seats back on sale; the hold is answered as it was. */
  release(holdId: string): ShowResult<HoldView> {
    const { show } = this;
    const hold = show.holdStorage.find(holdId);
    if (!hold) return refused(notFoundFailure("hold", holdId));
    show.seats.unreserve(hold.holdId, hold.seatIds);
    show.seats.unreserveAreas(hold.areas);
    show.change({
      at: Date.now(),
      seats: hold.seatIds,
      store: () => {
        show.holdStorage.delete(hold.holdId);
        show.seatStorage.moveAreaPlaces("held", hold.areas, -1);
      },
    });
    show.log.write("info", "seats released from hold", { hold_id: hold.holdId });
    return ok(viewOf(hold));
  }
}
