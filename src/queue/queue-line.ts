import { compareEntries, type Entry } from "./queue-order.ts";

/** At most this many sample entries go out with a snapshot (see `samples`). */
const MAX_SAMPLES = 1000;

export interface LineSamples {
  /** Waiting entries between two samples: positions are exact when it is 1. */
  step: number;
  /** Every `step`-th waiting entry, in order: the step-th, the 2·step-th, ... */
  entries: Entry[];
}

/**
 * The waiting line in order, as the coordinator holds it in memory: entries read from the
 * shards are added, admission takes them from the front. Pure, so tests drive it directly.
 */
export class QueueLine {
  private waiting: Entry[] = [];
  /** Sorting is deferred to the next read, so a batch of additions is sorted once. */
  private sorted = true;

  get size(): number {
    return this.waiting.length;
  }

  add(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    this.waiting.push(...entries);
    this.sorted = false;
  }

  /**
   * Takes up to `count` entries from the front, in order, each only if it is before
   * `admissibleBefore` (its key): entries with later keys may still be on their way from a
   * shard that was read before they joined, and must not be passed over.
   */
  admit(count: number, admissibleBefore: number): Entry[] {
    this.sort();
    let taken = 0;
    while (taken < count && taken < this.waiting.length) {
      const next = this.waiting[taken];
      if (!next || next[0] >= admissibleBefore) break;
      taken += 1;
    }
    return this.waiting.splice(0, taken);
  }

  /** How many waiting entries could be admitted now (keys before `admissibleBefore`). */
  admissible(admissibleBefore: number): number {
    this.sort();
    let low = 0;
    let high = this.waiting.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const entry = this.waiting[mid];
      if (entry && entry[0] < admissibleBefore) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Every step-th waiting entry, so a Worker can tell a ticket's place without asking. */
  samples(): LineSamples {
    this.sort();
    const step = Math.max(1, Math.ceil(this.waiting.length / MAX_SAMPLES));
    const entries: Entry[] = [];
    for (let i = step - 1; i < this.waiting.length; i += step) {
      const entry = this.waiting[i];
      if (entry) entries.push(entry);
    }
    return { step, entries };
  }

  private sort(): void {
    if (this.sorted) return;
    this.waiting.sort(compareEntries);
    this.sorted = true;
  }
}

/**
 * How many waiting entries are ahead of `entry`, from a snapshot's samples: exact when the
 * step is 1, otherwise rounded down to a multiple of the step. An entry after every sample
 * (one the coordinator has not read yet) has the whole line ahead.
 */
export function aheadOf(entry: Entry, samples: LineSamples, waiting: number): number {
  let low = 0;
  let high = samples.entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const sample = samples.entries[mid];
    if (sample && compareEntries(sample, entry) < 0) low = mid + 1;
    else high = mid;
  }
  if (low === samples.entries.length) return Math.max(waiting, low * samples.step);
  return low * samples.step;
}
