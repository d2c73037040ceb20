import {
  type ApiFailure,
  failure,
  invalidInputFailure,
  notFoundFailure,
} from "../../contract/api-failure.ts";
import { newShowScopedId } from "../../contract/scoped-ids.ts";
import type { LockCommand, LockSelection, LockView, ShowResult } from "../../contract/show-rpc.ts";
import { iso } from "../../lib/iso-time.ts";
import { lockCreated, lockEnded } from "../d1/lock-d1.ts";
import type { KeyedRequest } from "../keyed-request.ts";
import { placesOf, type SeatLock } from "../seats/seat-lock.ts";
import { ok, outsideSaleWindow, paymentUnderWay, refused, showClosed } from "../show-results.ts";
import type { ShowState } from "../show-state.ts";
import type { AccessCodes } from "./access-codes.ts";
import { areasOf, areasShortFailure, checkAreaRequests } from "./area-requests.ts";

/** Locking seats (explicit or best available), reading and releasing locks. */
export class SeatLocking {
  constructor(
    private readonly show: ShowState,
    private readonly codes: AccessCodes,
  ) {}

  /** All or nothing; the reply is kept under the request's key in the lock's transaction. */
  lock(command: LockCommand, request: KeyedRequest): ShowResult<Omit<LockView, "status">> {
    const { show } = this;
    const now = Date.now();
    show.expireDue(now);
    // An access code is checked first: a presale's holder may lock before sales_start.
    const admitted = command.accessCodeHash
      ? this.codes.admit(command.accessCodeHash, now)
      : undefined;
    if (admitted && !admitted.ok) return refused(admitted.error);
    const code = admitted?.code;
    const closed =
      showClosed(show.info, now, "locked") ?? outsideSaleWindow(show.info, now, code !== undefined);
    if (closed) return refused(closed);
    const picked = this.seatsFor(command.selection, code?.zones ?? undefined);
    if (!picked.ok) return picked;
    const areas = checkAreaRequests(show, command.areas, code?.zones ?? undefined);
    if (!areas.ok) return areas;
    const asked = placesOf({ seatIds: picked.value, areas: areas.value });
    const overLimit = this.overLimit(command.userId, asked, now);
    if (overLimit) return refused(overLimit);
    const outcome = show.seats.lock({
      lockId: newShowScopedId("lock", show.showId),
      userId: command.userId,
      seatIds: picked.value,
      now,
      durationMs: command.durationSeconds * 1000,
      allowedHold: admitted?.ok ? admitted.holdId : undefined,
      priceOverride: code?.priceOverride ?? undefined,
      accessCodeId: code?.accessCodeId,
      areas: areas.value,
      areaPrice: (zone) => show.info.zones.find((z) => z.name === zone)?.price ?? 0,
    });
    if (!outcome.ok) {
      switch (outcome.reason) {
        case "unknown_seats":
          return refused(
            invalidInputFailure("seat_ids", "not seats of this show", {
              unknown_seats: outcome.seatIds,
            }),
          );
        case "unavailable":
          return refused(
            failure(400, "SEATS_UNAVAILABLE", "Some seats are no longer available", {
              unavailable_seats: outcome.seatIds,
            }),
          );
        case "locked":
          return refused(
            failure(400, "SEATS_ALREADY_LOCKED", "Some seats are locked by another user", {
              unavailable_seats: outcome.seatIds,
            }),
          );
        case "areas_short":
          return refused(areasShortFailure(outcome.areas, areas.value));
        case "companion_requires_wheelchair":
          return refused(
            failure(
              400,
              "SEATS_UNAVAILABLE",
              "Companion seats are sold with a wheelchair space: lock one with them, or ask for accessible seats",
              { unavailable_seats: outcome.seatIds, reason: "companion_requires_wheelchair" },
            ),
          );
      }
    }
    const lock = outcome.lock;
    // The lock response (id, show, seats, times) leaves out the status; GET shows it.
    const { status: _status, ...view } = lockView(show.showId, lock);
    let result: ShowResult<Omit<LockView, "status">> = ok(view);
    show.change({
      at: now,
      seats: lock.seatIds,
      store: () => show.seatStorage.insertLock(lock),
      d1: lockCreated(show.db, show.showId, lock),
      reply: () => {
        result = request.keep(result);
      },
    });
    show.log.write("info", "lock created", {
      request_id: request.requestId,
      lock_id: lock.lockId,
      user: lock.userId,
      seats: lock.seatIds.length,
      places: asked - lock.seatIds.length,
    });
    return result;
  }

  /** The caller's lock, live or ended; others' locks are not found. */
  read(lockId: string, userId: string): ShowResult<LockView> {
    this.show.expireDue(Date.now());
    const lock = this.show.seatStorage.findLock(lockId);
    if (!lock || lock.userId !== userId) return refused(notFoundFailure("lock", lockId));
    return ok(lockView(this.show.showId, lock));
  }

  /** Releases the caller's lock early. Idempotent: an ended lock answers as it is. */
  release(lockId: string, userId: string): ShowResult<LockView> {
    const { show } = this;
    const now = Date.now();
    show.expireDue(now);
    const stored = show.seatStorage.findLock(lockId);
    if (!stored || stored.userId !== userId) return refused(notFoundFailure("lock", lockId));
    if (show.seats.liveLock(lockId, now)?.paying) return refused(paymentUnderWay());
    const booking = show.bookingStorage.bookingOfLock(lockId);
    // A pending booking holds the lock: one without a card, or one whose payment waits
    // for the buyer (3-D Secure); it is cancelled (its payment called off) to free the seats.
    const holding =
      booking?.status === "pending" &&
      (!booking.createdWithCard || show.attemptStorage.waitingAttemptOf(booking.bookingId));
    if (booking && holding) {
      return refused(
        failure(
          409,
          "BOOKING_EXISTS",
          `lock ${lockId} has a pending booking; cancel the booking to release its seats`,
          { booking_id: booking.bookingId },
        ),
      );
    }
    const released = show.seats.release(lockId);
    if (!released) return ok(lockView(show.showId, stored));
    show.change({
      at: now,
      seats: released.seatIds,
      store: () => show.seatStorage.endLock(lockId, "released", now),
      d1: [lockEnded(show.db, lockId, "released", now)],
    });
    return ok(lockView(show.showId, released));
  }

  /**
   * 400 TICKET_LIMIT_REACHED when `count` more seats would take the buyer past the show's
   * limit, counting their live locks and confirmed bookings. Decided in the same step as
   * the lock (no await between), so parallel requests cannot get around it.
   */
  overLimit(userId: string, count: number, now: number): ApiFailure | undefined {
    const limit = this.show.info.maxTicketsPerUser;
    if (!limit) return undefined;
    const held = this.show.seatsHeldBy(userId, now);
    if (held + count <= limit) return undefined;
    const remaining = Math.max(0, limit - held);
    return failure(
      400,
      "TICKET_LIMIT_REACHED",
      `This show sells at most ${limit} seats per buyer; you may take ${remaining} more`,
      { limit, remaining, held },
    );
  }

  /**
   * The seats a lock request names, or the best available ones; within `codeZones` when
   * the request's access code is for some zones only.
   */
  private seatsFor(
    selection: LockSelection,
    codeZones: readonly string[] | undefined,
  ): ShowResult<string[]> {
    const { info, seats } = this.show;
    if ("seatIds" in selection) {
      const outside = codeZones
        ? selection.seatIds.filter((id) => {
            const zone = seats.seats.get(id)?.zone;
            return zone !== undefined && !codeZones.includes(zone);
          })
        : [];
      if (outside.length > 0) {
        return refused(
          invalidInputFailure("seat_ids", `the access code is for zones ${codeZones?.join(", ")}`, {
            unavailable_seats: outside,
          }),
        );
      }
      return ok(selection.seatIds);
    }
    const zone = selection.zone;
    if (zone !== undefined && !info.zones.some((z) => z.name === zone)) {
      return refused(invalidInputFailure("zone", `no zone '${zone}' in this show`));
    }
    const zones = (zone ? [zone] : info.zones.map((z) => z.name)).filter(
      (z) => !codeZones || codeZones.includes(z),
    );
    if ("accessible" in selection) {
      const { wheelchair, companions } = selection.accessible;
      const found = seats.accessibleSeats(wheelchair, companions, zones, Date.now());
      if (!found) {
        return refused(
          failure(
            400,
            "SEATS_UNAVAILABLE",
            `No ${wheelchair} wheelchair space${wheelchair === 1 ? "" : "s"} with ${companions} companion seat${companions === 1 ? "" : "s"} next to ${wheelchair === 1 ? "it" : "them"} are available${zone ? ` in zone ${zone}` : ""}`,
            { accessible: { wheelchair, companions }, zone: zone ?? null, unavailable_seats: [] },
          ),
        );
      }
      return ok(found.map((seat) => seat.seatId));
    }
    // lock() has already expired what was due, as bestAvailable() asks.
    const picked = seats.bestAvailable(selection.quantity, zones);
    if (!picked) {
      return refused(
        failure(
          400,
          "SEATS_UNAVAILABLE",
          `No ${selection.quantity} adjacent seats are available${zone ? ` in zone ${zone}` : ""}`,
          { quantity: selection.quantity, zone: zone ?? null, unavailable_seats: [] },
        ),
      );
    }
    return ok(picked.map((seat) => seat.seatId));
  }
}

function lockView(showId: string, lock: SeatLock): LockView {
  return {
    lock_id: lock.lockId,
    show_id: showId,
    seat_ids: lock.seatIds,
    areas: areasOf(lock),
    expires_at: iso(lock.expiresAt),
    locked_at: iso(lock.lockedAt),
    status: lock.status,
  };
}
