import type { LiveChange, SeatCode } from "../../contract/live-protocol.ts";

/**
 * Coalesces the show's seat changes for the live feed: changes that arrive within a short
 * window go out as one, covering versions `from` (exclusive) to `to`, each changed seat once
 * in its latest state. The next one starts where this one ended, so versions chain.
 */
export class ChangeCoalescer {
  private pending = new Map<number, SeatCode>();
  private from: number | undefined;
  private to = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly publish: (change: LiveChange) => void,
    private readonly windowMs: number,
  ) {}

  /** Records the change that took the seats from `version - 1` to `version`. */
  record(version: number, changes: readonly [number, SeatCode][]): void {
    this.from ??= version - 1;
    this.to = version;
    for (const [index, code] of changes) this.pending.set(index, code);
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  /** Sends what is pending now. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.from === undefined) return;
    const change: LiveChange = { from: this.from, to: this.to, changes: [...this.pending] };
    this.pending = new Map();
    this.from = undefined;
    this.publish(change);
  }
}
