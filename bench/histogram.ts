/**
 * A latency histogram (0.1 ms buckets up to 60 s) that load processes send to run.ts and
 * run.ts merges: a phase whose viewers are spread over several processes still gets exact
 * percentiles (to the bucket) over every (lock, viewer) pair, without shipping millions of
 * samples. Values below 0 count in the first bucket, above 60 s in the last.
 */
import type { Latency } from "./protocol.ts";
import { round } from "./stats.ts";

const BUCKET_MS = 0.1;
const BUCKETS = 600_000;

/** Non-empty buckets as [bucket, count] pairs, with the exact sum and maximum. */
export interface SparseHistogram {
  buckets: [number, number][];
  count: number;
  sum: number;
  max: number;
}

export class Histogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private count = 0;
  private sum = 0;
  private max = Number.NEGATIVE_INFINITY;

  add(ms: number): void {
    const bucket = Math.min(BUCKETS - 1, Math.max(0, Math.floor(ms / BUCKET_MS)));
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  merge(other: SparseHistogram): void {
    for (const [bucket, n] of other.buckets) this.counts[bucket] = (this.counts[bucket] ?? 0) + n;
    this.count += other.count;
    this.sum += other.sum;
    if (other.count > 0 && other.max > this.max) this.max = other.max;
  }

  sparse(): SparseHistogram {
    const buckets: [number, number][] = [];
    this.counts.forEach((n, bucket) => {
      if (n > 0) buckets.push([bucket, n]);
    });
    return { buckets, count: this.count, sum: this.sum, max: this.count > 0 ? this.max : 0 };
  }

  /** Nearest-rank percentiles; each is its bucket's upper edge (at most 0.1 ms high). */
  summary(): Latency {
    const rank = (p: number) => {
      const wanted = Math.max(1, Math.ceil(p * this.count));
      let seen = 0;
      for (let bucket = 0; bucket < BUCKETS; bucket++) {
        seen += this.counts[bucket] ?? 0;
        if (seen >= wanted) return (bucket + 1) * BUCKET_MS;
      }
      return this.max;
    };
    if (this.count === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
    return {
      count: this.count,
      p50: round(rank(0.5), 1),
      p90: round(rank(0.9), 1),
      p99: round(rank(0.99), 1),
      max: round(this.max),
      mean: round(this.sum / this.count),
    };
  }
}
