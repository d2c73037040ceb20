import { invalidInputFailure } from "../../contract/api-failure.ts";
import type { LiveChange } from "../../contract/live-protocol.ts";
import type { SeatMapRead, SeatStatusRead, ShowResult } from "../../contract/show-rpc.ts";
import { ok, refused } from "../show-results.ts";
import type { ShowState } from "../show-state.ts";

/**
 * What readers of the seats get: the seat map, the compact statuses, and what a relay
 * lacks. Each read first ends the locks whose time is up, so no read shows an expired lock
 * as held, and answers null for the body when the caller already has the version.
 */
export class SeatReads {
  constructor(private readonly show: ShowState) {}

  /** The seat map (or one zone's); `json` is null when `knownVersion` is still current. */
  seatMap(knownVersion: number | undefined, zone: string | undefined): ShowResult<SeatMapRead> {
    const { show } = this;
    const now = Date.now();
    show.expireDue(now);
    if (zone !== undefined && !show.info.zones.some((z) => z.name === zone)) {
      return refused(invalidInputFailure("zone", `this show has no zone '${zone}'`));
    }
    const json = knownVersion === show.version ? null : show.seatMap(now, zone);
    return ok({ version: show.version, json, changesBy: show.seats.nextExpiry() ?? null });
  }

  /** Every seat's status as one character, in layout order; `status` null when current. */
  seatStatus(knownVersion?: number): ShowResult<SeatStatusRead> {
    const { show } = this;
    const now = Date.now();
    show.expireDue(now);
    const status = knownVersion === show.version ? null : show.statusString(now);
    const { areas, resale } = show.seats;
    return ok({
      version: show.version,
      status,
      changesBy: show.seats.nextExpiry() ?? null,
      ...(areas.isEmpty || status === null ? {} : { areas: areas.all() }),
      ...(resale.size === 0 || !resale.isOpen || status === null
        ? {}
        : { resale: resale.prices() }),
    });
  }

  /** A relay's first viewer came: it gets every change from now, and the current statuses. */
  attachRelay(name: string): ShowResult<SeatStatusRead> {
    // A change still in the coalescing window is published first (to the other relays), so
    // the feed's recent changes hold every version the relay may be asked to resume from.
    this.show.flushLive();
    this.show.feed.attach(name);
    return this.seatStatus();
  }

  /** What a relay that missed changes lacks since `version`: the changes, or the statuses. */
  liveSince(version: number): ShowResult<LiveChange | SeatStatusRead> {
    const { show } = this;
    show.expireDue(Date.now());
    // Without this a change still in the coalescing window is counted in the version but
    // not in the feed's recent changes, and a resume during a sale costs a whole snapshot.
    show.flushLive();
    const change = show.feed.since(version, show.version);
    return change ? ok(change) : this.seatStatus();
  }
}
