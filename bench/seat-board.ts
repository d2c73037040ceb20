/**
 * The load process's picture of the show's seats: loaded from GET /seats, then kept up to
 * date from the live feed (the `seats` messages the viewers receive). Buyers choosing seats
 * themselves pick from it, and stop when it shows the show sold out.
 */

export type SeatStatus = "available" | "locked" | "booked";

const AVAILABLE = 0;
const LOCKED = 1;
const BOOKED = 2;
const codes: Record<SeatStatus, number> = { available: AVAILABLE, locked: LOCKED, booked: BOOKED };

export interface SeatMapSeat {
  seat_id: string;
  row: string;
  number: number;
  status: SeatStatus;
  price: number;
  zone: string;
}

export interface SeatMap {
  show_id: string;
  version: number;
  seats: SeatMapSeat[];
}

/** A `seats` message of the live feed, parsed once however many viewers receive it. */
export interface SeatsMessage {
  fromVersion: number;
  version: number;
  /** Seat indexes (SeatBoard.index) with their new status code. */
  seats: { index: number; taken: boolean; status: number }[];
}

export class SeatBoard {
  readonly ids: string[];
  readonly index = new Map<string, number>();
  private readonly rowOf: Int32Array;
  /** Seat indexes of each row, in seat-number order. */
  private readonly rows: number[][] = [];
  private readonly status: Uint8Array;
  /** Version of the message that last set each seat, so late messages do not undo news. */
  private readonly setAt: Float64Array;
  private waiters: (() => void)[] = [];
  private counts = [0, 0, 0];
  version: number;

  constructor(map: SeatMap) {
    this.ids = map.seats.map((seat) => seat.seat_id);
    this.version = map.version;
    this.rowOf = new Int32Array(this.ids.length);
    this.status = new Uint8Array(this.ids.length);
    this.setAt = new Float64Array(this.ids.length).fill(map.version);
    const rowIndex = new Map<string, number>();
    map.seats.forEach((seat, i) => {
      this.index.set(seat.seat_id, i);
      let row = rowIndex.get(seat.row);
      if (row === undefined) {
        row = this.rows.length;
        rowIndex.set(seat.row, row);
        this.rows.push([]);
      }
      this.rows[row]?.push(i);
      this.rowOf[i] = row;
      this.status[i] = codes[seat.status];
      this.counts[codes[seat.status]] = (this.counts[codes[seat.status]] ?? 0) + 1;
    });
    for (const row of this.rows) {
      row.sort((a, b) => (map.seats[a]?.number ?? 0) - (map.seats[b]?.number ?? 0));
    }
  }

  get size(): number {
    return this.ids.length;
  }

  get available(): number {
    return this.counts[AVAILABLE] ?? 0;
  }

  get soldOut(): boolean {
    return this.counts[BOOKED] === this.ids.length;
  }

  /** Parses a live `seats` message (JSON text); undefined if it is not one. */
  parse(text: string): SeatsMessage | undefined {
    const raw = JSON.parse(text) as {
      type?: string;
      from_version?: number;
      version?: number;
      seats?: { seat_id: string; status: SeatStatus }[];
    };
    if (raw.type !== "seats" || raw.version === undefined || raw.from_version === undefined) {
      return undefined;
    }
    const seats: SeatsMessage["seats"] = [];
    for (const seat of raw.seats ?? []) {
      const index = this.index.get(seat.seat_id);
      const status = codes[seat.status];
      if (index !== undefined && status !== undefined) {
        seats.push({ index, status, taken: status !== AVAILABLE });
      }
    }
    return { fromVersion: raw.from_version, version: raw.version, seats };
  }

  /** Applies a message; seats a newer message already set are left alone. */
  apply(message: SeatsMessage): void {
    for (const seat of message.seats) {
      if ((this.setAt[seat.index] ?? 0) >= message.version) continue;
      this.setAt[seat.index] = message.version;
      this.setStatus(seat.index, seat.status);
    }
    this.version = Math.max(this.version, message.version);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** A conflict answer named these seats as taken; believe it until the feed says more. */
  markTaken(seatIds: readonly string[]): void {
    for (const id of seatIds) {
      const index = this.index.get(id);
      if (index !== undefined && this.status[index] === AVAILABLE) this.setStatus(index, LOCKED);
    }
  }

  /**
   * Up to `count` available seats next to each other in one row, around a random available
   * seat; undefined when the board shows none available.
   */
  pick(count: number, random: () => number): string[] | undefined {
    const free: number[] = [];
    for (let i = 0; i < this.status.length; i++) if (this.status[i] === AVAILABLE) free.push(i);
    if (free.length === 0) return undefined;
    const start = free[Math.floor(random() * free.length)] as number;
    const row = this.rows[this.rowOf[start] ?? 0] ?? [start];
    const at = row.indexOf(start);
    let left = at;
    let right = at;
    while (right - left + 1 < count) {
      const next = row[right + 1];
      const previous = row[left - 1];
      if (next !== undefined && this.status[next] === AVAILABLE) right++;
      else if (previous !== undefined && this.status[previous] === AVAILABLE) left--;
      else break;
    }
    return row.slice(left, right + 1).map((i) => this.ids[i] as string);
  }

  /** Resolves on the next applied message, or after `timeoutMs`. */
  changed(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private setStatus(index: number, status: number): void {
    const before = this.status[index] ?? AVAILABLE;
    this.counts[before] = (this.counts[before] ?? 0) - 1;
    this.counts[status] = (this.counts[status] ?? 0) + 1;
    this.status[index] = status;
  }
}
