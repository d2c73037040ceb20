import { failure, invalidInputFailure, notFoundFailure } from "../../contract/api-failure.ts";
import { newShowScopedId } from "../../contract/scoped-ids.ts";
import type { ShowResult } from "../../contract/show-rpc.ts";
import { DEFAULT_WAITLIST_OFFER_SECONDS, type WaitlistView } from "../../contract/show-views.ts";
import { iso } from "../../lib/iso-time.ts";
import { lockCreated } from "../d1/lock-d1.ts";
import { ok, outsideSaleWindow, refused, showClosed } from "../show-results.ts";
import type { ShowState } from "../show-state.ts";
import type { WaitlistEntry } from "../storage/waitlist-storage.ts";
import type { SeatLocking } from "./seat-locking.ts";

/**
 * The waitlist of a sold-out show (or zone). A buyer joins with how many seats they want;
 * whenever a change leaves seats available (a lock released or expired, a booking
 * cancelled, a hold or allocation released), ShowState tells offerFreed() right after
 * storing it and before any other request runs, and the seats are locked for the first
 * buyers in line whose request fits: the public never sees them free. An offer is a lock
 * like any other, booked the same way; when it ends unbooked its buyer leaves the list and
 * the seats go to the next.
 */
export class Waitlist {
  /** Set while offering: the offers' own changes must not start another round. */
  private offering = false;

  constructor(
    private readonly show: ShowState,
    private readonly locking: SeatLocking,
    /** The page where a buyer books an offer. */
    private readonly offerUrl: string,
  ) {}

  /** 409 NOT_SOLD_OUT while a seat the buyer could lock is available. */
  join(userId: string, input: { quantity: number; zone?: string }): ShowResult<WaitlistView> {
    const { show } = this;
    const now = Date.now();
    show.expireDue(now);
    this.settle(now);
    // Before sales_start too: a waitlist must not get around a presale.
    const closed = showClosed(show.info, now, "locked") ?? outsideSaleWindow(show.info, now, false);
    if (closed) return refused(closed);
    const zones = this.zonesOf(input.zone);
    if (!zones) return refused(invalidInputFailure("zone", `no zone '${input.zone}' in this show`));
    if (input.zone !== undefined && show.seats.areas.isArea(input.zone)) {
      return refused(
        invalidInputFailure(
          "zone",
          `'${input.zone}' is a standing area: the waitlist is for seats`,
        ),
      );
    }
    const existing = show.waitlist.find(userId);
    if (existing) {
      return refused(
        failure(409, "ALREADY_ON_WAITLIST", "You are on this show's waitlist already", {
          position: show.waitlist.positionOf(existing),
        }),
      );
    }
    const overLimit = this.locking.overLimit(userId, input.quantity, now);
    if (overLimit) return refused(overLimit);
    const available = zones.reduce((sum, zone) => sum + show.seats.freeIn(zone), 0);
    if (available > 0) {
      return refused(
        failure(
          409,
          "NOT_SOLD_OUT",
          `${available} seat${available === 1 ? " is" : "s are"} available${input.zone ? ` in zone ${input.zone}` : ""}: lock them instead`,
          { available, zone: input.zone ?? null },
        ),
      );
    }
    const entry = { userId, quantity: input.quantity, zone: input.zone ?? null, joinedAt: now };
    show.change({ at: now, store: () => show.waitlist.join(entry) });
    show.log.write("info", "waitlist joined", { user: userId, quantity: input.quantity });
    const joined = show.waitlist.find(userId);
    if (!joined) throw new Error("the waitlist entry vanished");
    return ok(this.view(joined, now), 201);
  }

  /** The buyer's place and offer; 404 when they are not on the list. */
  read(userId: string): ShowResult<WaitlistView> {
    const now = Date.now();
    this.show.expireDue(now);
    this.settle(now);
    const entry = this.show.waitlist.find(userId);
    if (!entry) return refused(notFoundFailure("waitlist entry", userId));
    return ok(this.view(entry, now));
  }

  /** Takes the buyer off the list; an offer not being booked is released to the next. */
  leave(userId: string): ShowResult<WaitlistView> {
    const { show } = this;
    const now = Date.now();
    show.expireDue(now);
    this.settle(now);
    const entry = show.waitlist.find(userId);
    if (!entry) return refused(notFoundFailure("waitlist entry", userId));
    const view = this.view(entry, now);
    show.change({ at: now, store: () => show.waitlist.remove(entry) });
    // A lock whose booking is under way stays: the buyer may still pay for it.
    if (entry.lockId) this.locking.release(entry.lockId, userId);
    show.log.write("info", "waitlist left", { user: userId });
    return ok(view);
  }

  /**
   * Seats came back: buyers whose offer ended leave the list, then each waiting buyer in
   * join order whose request fits the free seats (best available, adjacent, within their
   * limit) gets them as a lock. Runs inside the step that freed them.
   */
  offerFreed(now: number): void {
    if (this.offering) return;
    this.offering = true;
    try {
      this.settle(now);
      const { show } = this;
      if (showClosed(show.info, now, "locked") || outsideSaleWindow(show.info, now, false)) return;
      for (const entry of [...show.waitlist.all()]) {
        if (entry.lockId) continue;
        const zones = this.zonesOf(entry.zone ?? undefined) ?? [];
        const free = zones.reduce((sum, zone) => sum + show.seats.freeIn(zone), 0);
        if (free < entry.quantity) continue;
        if (this.locking.overLimit(entry.userId, entry.quantity, now)) continue;
        const seats = show.seats.bestAvailable(entry.quantity, zones);
        if (seats)
          this.offer(
            entry,
            seats.map((seat) => seat.seatId),
            now,
          );
      }
    } finally {
      this.offering = false;
    }
  }

  private offer(entry: WaitlistEntry, seatIds: string[], now: number): void {
    const { show } = this;
    const seconds = show.info.waitlistOfferSeconds ?? DEFAULT_WAITLIST_OFFER_SECONDS;
    const outcome = show.seats.lock({
      lockId: newShowScopedId("lock", show.showId),
      userId: entry.userId,
      seatIds,
      now,
      durationMs: seconds * 1000,
    });
    // The seats were just picked from the free ones, in this same step.
    if (!outcome.ok) throw new Error(`a waitlist offer could not lock: ${outcome.reason}`);
    const lock = outcome.lock;
    show.change({
      at: now,
      seats: lock.seatIds,
      store: () => {
        show.seatStorage.insertLock(lock);
        show.waitlist.offer(entry, lock.lockId, now);
      },
      d1: lockCreated(show.db, show.showId, lock),
      events: [
        {
          type: "waitlist.offered",
          data: {
            show_id: show.showId,
            user_id: entry.userId,
            lock_id: lock.lockId,
            seat_ids: lock.seatIds,
            expires_at: iso(lock.expiresAt),
            offer_url: `${this.offerUrl.replace(/\/$/, "")}/?show=${encodeURIComponent(show.showId)}`,
          },
        },
      ],
    });
    show.log.write("info", "waitlist offer", {
      user: entry.userId,
      lock_id: lock.lockId,
      seats: lock.seatIds.length,
    });
  }

  /** Buyers whose offer is no longer live (booked, released or expired) leave the list. */
  private settle(now: number): void {
    const { show } = this;
    const ended = show.waitlist
      .all()
      .filter((entry) => entry.lockId && !show.seats.liveLock(entry.lockId, now));
    if (ended.length === 0) return;
    show.change({
      at: now,
      store: () => {
        for (const entry of ended) show.waitlist.remove(entry);
      },
    });
  }

  /** The zones a request may take seats in; undefined for a zone the show lacks. */
  private zonesOf(zone: string | undefined): string[] | undefined {
    const names = this.show.info.zones.map((z) => z.name);
    if (zone === undefined) return names;
    return names.includes(zone) ? [zone] : undefined;
  }

  private view(entry: WaitlistEntry, now: number): WaitlistView {
    const lock = entry.lockId ? this.show.seats.liveLock(entry.lockId, now) : undefined;
    return {
      position: this.show.waitlist.positionOf(entry),
      quantity: entry.quantity,
      zone: entry.zone,
      status: lock ? "offered" : "waiting",
      offer: lock
        ? { lock_id: lock.lockId, seat_ids: lock.seatIds, expires_at: iso(lock.expiresAt) }
        : null,
      joined_at: iso(entry.joinedAt),
    };
  }
}
