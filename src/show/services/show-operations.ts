import { and, eq } from "drizzle-orm";
import { type ApiFailure, failure, invalidInputFailure } from "../../contract/api-failure.ts";
import type { ShowResult } from "../../contract/show-rpc.ts";
import {
  type CancellationProgress,
  SHOW_SETTINGS,
  type ShowPatch,
  type ShowSettings,
  type ShowStatusView,
} from "../../contract/show-views.ts";
import { showPrices, shows } from "../../db/schema.ts";
import { iso } from "../../lib/iso-time.ts";
import { showEventData } from "../../webhooks/show-event-data.ts";
import type { D1Statement } from "../d1/d1-outbox.ts";
import { ok, refused } from "../show-results.ts";
import { RETRY_MS } from "../show-schedule.ts";
import type { ShowState } from "../show-state.ts";
import type { ShowInfo } from "../storage/seat-storage.ts";

/**
 * Organizers' changes to a show, made by its object so that its state, D1 and the live
 * feed agree: opening and closing the sale, moving the show, cancelling it. Cancelling
 * closes the sale, releases the locks, expires pending bookings and queues a refund of
 * every paid booking; the cancellations' retries (show-cancellations.ts, run by the alarm)
 * do the refunds, through provider failures and restarts, until all are done.
 */
export class ShowOperations {
  constructor(private readonly show: ShowState) {}

  async update(patch: ShowPatch, now: number): Promise<ShowResult<ShowStatusView>> {
    const { show } = this;
    if (show.info.status === "cancelled") return refused(cancelledShow(show.info));
    if (patch.showTime !== undefined && patch.showTime <= now) {
      return refused(invalidInputFailure("show_time", "must be in the future"));
    }
    const prices = Object.entries(patch.prices ?? {});
    const newPrices = new Map(prices);
    const categories = show.info.categories ?? [];
    for (const [name] of prices) {
      if (
        !show.info.zones.some((z) => z.name === name) &&
        !categories.some((c) => c.name === name)
      ) {
        return refused(
          invalidInputFailure(
            `prices.${name}`,
            `this show has no zone or price category '${name}'`,
          ),
        );
      }
    }
    const info: ShowInfo = {
      ...show.info,
      showTime: patch.showTime ?? show.info.showTime,
      status: patch.status ?? show.info.status,
      // Own keys only: a zone named like an Object.prototype member must not read one.
      zones: show.info.zones.map((z) => ({ ...z, price: newPrices.get(z.name) ?? z.price })),
      ...(show.info.categories && {
        categories: show.info.categories.map((c) => ({
          ...c,
          price: newPrices.get(c.name) ?? c.price,
        })),
      }),
      ...changedSettings(patch),
    };
    const start = info.salesStart ?? null;
    const end = info.salesEnd ?? null;
    if (start !== null && end !== null && start >= end) {
      return refused(invalidInputFailure("sales_end", "must be after sales_start"));
    }
    if (patch.accessibleSeatsReserved !== undefined) {
      show.seats.setReserveAccessible(patch.accessibleSeatsReserved);
    }
    // Live locks keep the prices they fixed (SeatLock.prices); new locks take these.
    for (const [name, price] of prices) show.seats.setPrice(name, price);
    // Listed seats read `resale` while resale is on, `booked` while it is off.
    const listedSeats = patch.resale === undefined ? [] : show.seats.resale.setOpen(patch.resale);
    await this.store(
      info,
      now,
      [showUpdated(show, info), ...prices.map(([zone, price]) => priceSet(show, zone, price))],
      () => {
        for (const [name, price] of prices) show.seatStorage.setPrice(name, price);
      },
      listedSeats,
    );
    show.log.write("info", "show updated", { status: info.status, show_time: iso(info.showTime) });
    return ok(this.view());
  }

  /** POST /v1/shows/{id}/cancel: idempotent; the refunds go on from the alarm. */
  async cancel(reason: string, now: number): Promise<ShowResult<ShowStatusView>> {
    const { show } = this;
    if (show.info.status !== "cancelled") {
      const info: ShowInfo = {
        ...show.info,
        status: "cancelled",
        cancelledAt: now,
        cancelReason: reason,
      };
      // Every ticket of the show is void from now on: doors hear of it at their next sync.
      await this.store(info, now, [showUpdated(show, info)], () => show.ticketChanges.wholeShow());
      show.log.write("warn", "show cancelled", { reason });
    }
    this.sweep(now);
    // The refunds start now, from the alarm, and go on there until every one is through.
    await show.armAlarm(now);
    return ok(this.view());
  }

  /**
   * For a cancelled show, from the alarm too: whatever still holds seats or money is ended
   * (a payment under way when the show was cancelled may have confirmed since).
   */
  sweep(now: number): void {
    const { show } = this;
    if (show.info.status !== "cancelled") return;
    for (const lockId of show.seatStorage.liveLockIds()) {
      if (show.seats.liveLock(lockId, now)?.paying) continue;
      const released = show.seats.release(lockId);
      if (!released) continue;
      // Its pending booking expires with it (ShowState.endLock).
      show.change({
        at: now,
        seats: released.seatIds,
        store: () => show.endLock(lockId, "released", now),
      });
    }
    for (const booking of show.bookingStorage.bookingsWithStatus("confirmed")) {
      show.bookingStorage.requestCancellation(booking.bookingId, now);
    }
  }

  /** When the alarm must look again: while payments of a cancelled show are under way. */
  nextSweepAt(now: number): number | undefined {
    const { show } = this;
    if (show.info.status !== "cancelled") return undefined;
    return show.attemptStorage.openAttempts().length > 0 ? now + RETRY_MS : undefined;
  }

  view(): ShowStatusView {
    const { info, bookingStorage } = this.show;
    let cancellation: CancellationProgress | null = null;
    if (info.status === "cancelled") {
      const pending = bookingStorage.requestedCancellations().length;
      const refunded = bookingStorage.paidBookingsCancelledSince(info.cancelledAt ?? 0);
      cancellation = {
        bookings: pending + refunded,
        refunded,
        pending,
        reason: info.cancelReason ?? "",
        cancelled_at: iso(info.cancelledAt ?? 0),
      };
    }
    return { status: info.status, show_time: iso(info.showTime), cancellation };
  }

  /**
   * The show's facts changed: stored, sent to D1 (awaited), and told to live viewers. It is a
   * change of the seat map like a seat's (its version and ETag move on, cached maps are
   * dropped): the map shows prices, and a buyer must never see one price and pay another.
   */
  private async store(
    info: ShowInfo,
    now: number,
    rows: D1Statement[],
    alsoWrite?: () => void,
    /** Seats whose status the change moves too. */
    seats: readonly string[] = [],
  ): Promise<void> {
    const { show } = this;
    const pricesChanged = info.zones.some((zone, i) => zone.price !== show.info.zones[i]?.price);
    show.change({
      at: now,
      seats,
      store: () => {
        show.seatStorage.setInfo(info);
        alsoWrite?.();
      },
      d1: rows,
      events: [
        {
          type: info.status === "cancelled" ? "show.cancelled" : "show.updated",
          data: showEventData(info),
        },
      ],
    });
    show.setInfo(info);
    // The version's change goes out before the announcement, so relays that restart from
    // the show for new prices start at (or after) it.
    show.flushLive();
    show.feed.announce(
      { type: "show", status: info.status, show_time: iso(info.showTime) },
      pricesChanged,
    );
    await show.flushToD1();
  }
}

function showUpdated(show: ShowState, info: ShowInfo): D1Statement {
  const query = show.db
    .update(shows)
    .set({
      status: info.status,
      showTime: iso(info.showTime),
      maxTicketsPerUser: info.maxTicketsPerUser ?? null,
      salesStart: info.salesStart ? iso(info.salesStart) : null,
      salesEnd: info.salesEnd ? iso(info.salesEnd) : null,
      waitlistOfferSeconds: info.waitlistOfferSeconds ?? null,
      checkinPolicy: info.checkinPolicy ?? null,
      resale: info.resale !== false,
    })
    .where(eq(shows.showId, info.showId))
    .toSQL();
  return { sql: query.sql, params: query.params };
}

function priceSet(show: ShowState, zone: string, price: number): D1Statement {
  const query = show.db
    .update(showPrices)
    .set({ price })
    .where(and(eq(showPrices.showId, show.showId), eq(showPrices.zone, zone)))
    .toSQL();
  return { sql: query.sql, params: query.params };
}

function cancelledShow(info: ShowInfo): ApiFailure {
  return failure(409, "SHOW_CANCELLED", `show ${info.showId} is cancelled; it cannot change`, {
    field: "show_id",
    show_id: info.showId,
  });
}

/** The settings a patch changes: those it names (null among them), none it leaves out. */
function changedSettings(patch: ShowPatch): ShowSettings {
  const changed: Record<string, unknown> = {};
  for (const key of SHOW_SETTINGS) if (patch[key] !== undefined) changed[key] = patch[key];
  return changed as ShowSettings;
}
