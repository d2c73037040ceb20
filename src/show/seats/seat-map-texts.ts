import { CODE_OF } from "../../contract/live-protocol.ts";
import type { ShowInfo } from "../storage/seat-storage.ts";
import type { SeatLedger } from "./seat-ledger.ts";
import { layoutView, seatMapView } from "./seat-map-view.ts";

/**
 * The show's seats as readers get them, each text built once and kept until what it shows
 * changes: the seat map (per version), the compact statuses (per version) and the layout
 * (until the show's facts change: it carries the prices). A flash sale's read storm then
 * costs one JSON.stringify per version, not one per read.
 */
export class SeatMapTexts {
  private seatMapJson: string | undefined;
  private statusText: string | undefined;
  private layoutJson: string | undefined;

  constructor(private readonly seats: SeatLedger) {}

  /** The seats changed (a new version): the map and the statuses are built again. */
  seatsChanged(): void {
    this.seatMapJson = undefined;
    this.statusText = undefined;
  }

  /** The show's facts changed (prices, zones): everything is built again. */
  infoChanged(): void {
    this.seatsChanged();
    this.layoutJson = undefined;
  }

  /** The seat map with its version, as JSON; or one zone's (not kept). */
  seatMap(info: ShowInfo, version: number, now: number, zone?: string): string {
    if (zone !== undefined) {
      return JSON.stringify(seatMapView(info, this.seats, version, now, zone));
    }
    this.seatMapJson ??= JSON.stringify(seatMapView(info, this.seats, version, now));
    return this.seatMapJson;
  }

  /** Every seat's status, one character each (live-protocol.ts), in layout order. */
  statusString(now: number): string {
    if (this.statusText === undefined) {
      let text = "";
      for (const seatId of this.seats.seats.keys()) {
        text += CODE_OF[this.seats.statusOf(seatId, now)];
      }
      this.statusText = text;
    }
    return this.statusText;
  }

  /** The show's seats without statuses, in layout order, as JSON. */
  layout(info: ShowInfo): string {
    this.layoutJson ??= JSON.stringify(layoutView(info, this.seats));
    return this.layoutJson;
  }
}
