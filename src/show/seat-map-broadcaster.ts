/**
 * Pushes seat changes to the show's live viewers. Changes that arrive within a short window
 * are coalesced into one message covering versions `from_version` (exclusive) to `version`,
 * with each changed seat once in its latest state; the next message starts where this one
 * ended, so a viewer that sees a gap knows to resync.
 */

export interface SeatChange {
  seat_id: string;
  status: string;
}

export interface SeatsChangedMessage {
  type: "seats";
  from_version: number;
  version: number;
  seats: SeatChange[];
}

export class SeatMapBroadcaster {
  private pending = new Map<string, SeatChange>();
  private fromVersion: number | undefined;
  private toVersion = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly sockets: () => WebSocket[],
    private readonly windowMs: number,
  ) {}

  /** Records the change that took the seat map from `version - 1` to `version`. */
  record(version: number, seats: readonly SeatChange[]): void {
    this.fromVersion ??= version - 1;
    this.toVersion = version;
    for (const seat of seats) this.pending.set(seat.seat_id, seat);
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  /** Sends what is pending now. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fromVersion === undefined) return;
    const message: SeatsChangedMessage = {
      type: "seats",
      from_version: this.fromVersion,
      version: this.toVersion,
      seats: [...this.pending.values()],
    };
    this.pending = new Map();
    this.fromVersion = undefined;
    const text = JSON.stringify(message);
    for (const socket of this.sockets()) {
      try {
        socket.send(text);
      } catch {
        // A socket closing under us; webSocketClose() cleans it up.
      }
    }
  }
}
