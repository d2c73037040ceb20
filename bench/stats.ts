import type { Latency } from "./protocol.ts";

/** A growable list of samples (milliseconds), summarised once at the end. */
export class Samples {
  private values = new Float64Array(1024);
  private size = 0;

  add(value: number): void {
    if (this.size === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.size++] = value;
  }

  get count(): number {
    return this.size;
  }

  /** Nearest-rank percentiles over everything added so far. */
  summary(): Latency {
    const sorted = this.values.slice(0, this.size).sort();
    const rank = (p: number) =>
      sorted.length === 0
        ? 0
        : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0);
    let total = 0;
    for (const value of sorted) total += value;
    return {
      count: sorted.length,
      p50: round(rank(0.5)),
      p90: round(rank(0.9)),
      p99: round(rank(0.99)),
      max: round(sorted.length === 0 ? 0 : (sorted[sorted.length - 1] ?? 0)),
      mean: round(sorted.length === 0 ? 0 : total / sorted.length),
    };
  }
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Small, seedable PRNG (mulberry32): the same seed gives the same sale. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The middle value (the mean of the two middle ones for an even count); 0 for none. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
