/**
 * Pushes seat changes to the show's live viewers. Changes that arrive within a short window
 * are coalesced into one message covering versions `from_version` (exclusive) to `version`,
 * with each changed seat once in its latest state; the next message starts where this one
 * ended, so a viewer that sees a gap knows to resync.
 */

interface SeatChange {
  seat_id: string;
  status: string;
}

interface SeatsChangedMessage {
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
  /** Sockets owed a snapshot, sent right after the pending changes go out to the others. */
  private owedSnapshot = new Set<WebSocket>();
  private snapshot: () => string = () => "";

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

  /**
   * Sends `socket` a snapshot (built by `snapshot` at the current version). With changes
   * pending, it waits for their message to go out to the other viewers on its usual
   * schedule, so its next message starts at the snapshot's version, and one viewer's
   * request never makes everyone's messages go out early.
   */
  sendSnapshot(socket: WebSocket, snapshot: () => string): void {
    if (this.fromVersion === undefined) {
      trySend(socket, snapshot());
      return;
    }
    this.snapshot = snapshot;
    this.owedSnapshot.add(socket);
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
    const owed = this.owedSnapshot;
    this.owedSnapshot = new Set();
    const text = JSON.stringify(message);
    for (const socket of this.sockets()) {
      if (!owed.has(socket)) trySend(socket, text);
    }
    if (owed.size > 0) {
      const snapshot = this.snapshot();
      for (const socket of owed) trySend(socket, snapshot);
    }
  }
}

function trySend(socket: WebSocket, text: string): void {
  try {
    socket.send(text);
  } catch {
    // A socket closing under us; its close handler cleans it up.
  }
}
