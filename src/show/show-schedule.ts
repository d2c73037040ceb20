import type { D1Outbox } from "./d1/d1-outbox.ts";

/** How soon the alarm retries D1 writes and payment settlements that failed. */
export const RETRY_MS = 5_000;

/**
 * How long a change's D1 rows wait in the outbox for other changes to join them in one D1
 * batch, when nobody waits for D1: a buyer's lock goes with their booking a few ms later,
 * and a sale's changes go together (one D1 call each was a third of the CPU a buyer alone
 * cost, issue 15). The rows are stored with the change, so waiting risks nothing.
 */
const D1_BATCH_WINDOW_MS = 100;

/**
 * When the show object does its deferred work: its one alarm, armed for the earliest
 * deadline (the next lock expiry, or a retry of unsettled work), and the D1 batch window.
 */
export class ShowSchedule {
  /** Set while a flush is due at the end of the D1 batch window. */
  private d1FlushDue = false;
  /** Set while the alarm's upkeep runs: it sends the outbox and arms the next alarm. */
  private upkeepRunning = false;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly outbox: D1Outbox,
    /** The next live lock's expiry, if any. */
    private readonly nextExpiry: () => number | undefined,
    /** The alarm time last set, so an alarm that is already right is not set again. */
    private alarmAt: number | null,
  ) {}

  /** Flushes the outbox at the end of the batch window (now, if someone awaits flushToD1). */
  flushToD1Soon(): void {
    // Queued rows are unsettled work: should the object stop inside the window, an alarm
    // must bring it back to send them. One armed already (a lock's expiry) does, and so
    // does the alarm run under way; only an object with neither arms one.
    if (this.alarmAt === null && !this.upkeepRunning) {
      void this.armAlarm(Date.now() + D1_BATCH_WINDOW_MS + RETRY_MS);
    }
    if (this.d1FlushDue) return;
    this.d1FlushDue = true;
    const due = new Promise<void>((resolve) => setTimeout(resolve, D1_BATCH_WINDOW_MS)).then(() => {
      this.d1FlushDue = false;
      return this.flushToD1();
    });
    this.ctx.waitUntil(due);
  }

  /**
   * Sends queued D1 writes now, the batch window's included; what D1 did not take is
   * retried by the alarm. A window that ends after this finds the outbox empty.
   */
  async flushToD1(): Promise<void> {
    if (!(await this.outbox.flush())) await this.armAlarm(Date.now() + RETRY_MS);
  }

  /** One alarm, armed for the earliest of: the next lock expiry, `retryAt`. */
  async armAlarm(retryAt?: number): Promise<void> {
    const candidates = [this.nextExpiry(), retryAt].filter((t): t is number => t !== undefined);
    if (candidates.length === 0) return;
    const at = Math.min(...candidates);
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  /**
   * The alarm has fired: none is armed until the next armAlarm(). While `upkeep` runs, what
   * is queued for D1 needs no alarm behind it: upkeep sends the outbox and arms the next.
   */
  async alarmFired(upkeep: () => Promise<void>): Promise<void> {
    this.alarmAt = null;
    this.upkeepRunning = true;
    try {
      await upkeep();
    } finally {
      this.upkeepRunning = false;
    }
  }
}
