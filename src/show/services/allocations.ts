import { invalidInputFailure, notFoundFailure } from "../../contract/api-failure.ts";
import type { ShowResult } from "../../contract/show-rpc.ts";
import type { AllocationView } from "../../contract/show-views.ts";
import { newId } from "../../lib/ids.ts";
import { iso } from "../../lib/iso-time.ts";
import { ok, refused } from "../show-results.ts";
import type { ShowState } from "../show-state.ts";
import type { SeatHold } from "../storage/hold-storage.ts";
import { ALLOCATION_REASON } from "./access-codes.ts";
import type { ShowHolds } from "./show-holds.ts";

/**
 * Allocations (channels): seats set aside for a sponsor, the box office or a presale. Each
 * is an organizer's hold (the seats read `held` and the public cannot lock them) with a
 * name, which an access code with `allocation: <name>` unlocks; releasing one puts its
 * unsold seats back on sale.
 */
export class Allocations {
  constructor(
    private readonly show: ShowState,
    private readonly holds: ShowHolds,
  ) {}

  create(input: { name: string; seatIds: string[] }): ShowResult<AllocationView> {
    if (this.all().some((hold) => hold.label === input.name)) {
      return refused(
        invalidInputFailure("name", `this show has an allocation '${input.name}' already`),
      );
    }
    const held = this.holds.create(
      { seatIds: input.seatIds, reason: ALLOCATION_REASON, label: input.name },
      newId("alloc"),
    );
    if (!held.ok) return held;
    const hold = this.show.holdStorage.find(held.value.hold_id);
    if (!hold) throw new Error("the allocation vanished");
    return ok(viewOf(hold), 201);
  }

  list(): AllocationView[] {
    return this.all().map(viewOf);
  }

  release(allocationId: string): ShowResult<AllocationView> {
    const hold = this.all().find((h) => h.holdId === allocationId);
    if (!hold) return refused(notFoundFailure("allocation", allocationId));
    const released = this.holds.release(allocationId);
    return released.ok ? ok(viewOf(hold)) : released;
  }

  private all(): SeatHold[] {
    return this.show.holdStorage.all().filter((hold) => hold.reason === ALLOCATION_REASON);
  }
}

const viewOf = (hold: SeatHold): AllocationView => ({
  allocation_id: hold.holdId,
  name: hold.label ?? "",
  seat_ids: hold.seatIds,
  created_at: iso(hold.createdAt),
});
