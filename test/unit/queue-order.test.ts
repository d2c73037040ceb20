import { describe, expect, it } from "vitest";
import { aheadOf, QueueLine } from "../../src/queue/queue-line.ts";
import { compareEntries, type Entry, orderKey, shardOf } from "../../src/queue/queue-order.ts";

/** The line's order, without the runtime: keys, shards, admission from the front. */

const OPENS = 1_800_000_000_000;

describe("the order of the line", () => {
  it("is first come, first served after the opening, whatever shard each join went to", () => {
    const joins: Entry[] = [0, 1, 2, 3, 4, 5].map((i) => [
      orderKey(OPENS + 10 * i, OPENS, Math.random()),
      (i * 7) % 4,
      10 - i,
    ]);
    const line = new QueueLine();
    line.add([...joins].reverse());
    expect(line.admit(6, Number.POSITIVE_INFINITY)).toEqual(joins);
  });

  it("puts everyone who joined before the opening ahead of later joins, in an order unrelated to arrival", () => {
    const early: Entry[] = Array.from({ length: 200 }, (_, i) => [
      orderKey(OPENS - 60_000 + i, OPENS, Math.random()),
      0,
      i + 1,
    ]);
    const late: Entry = [orderKey(OPENS + 1, OPENS, Math.random()), 0, 201];
    const line = new QueueLine();
    line.add([late, ...early]);
    const admitted = line.admit(201, Number.POSITIVE_INFINITY);
    expect(admitted.at(-1)).toEqual(late);
    const seqs = admitted.slice(0, 200).map((entry) => entry[2]);
    expect(new Set(seqs).size).toBe(200);
    expect(seqs).not.toEqual(early.map((entry) => entry[2]));
  });

  it("does not admit an entry whose key is at or past what every shard has been read up to", () => {
    const line = new QueueLine();
    line.add([
      [100, 0, 1],
      [200, 1, 1],
    ]);
    expect(line.admissible(200)).toBe(1);
    expect(line.admit(2, 200)).toEqual([[100, 0, 1]]);
    expect(line.size).toBe(1);
  });

  it("breaks ties of equal keys by shard, then by sequence", () => {
    const a: Entry = [5, 1, 2];
    const b: Entry = [5, 2, 1];
    const c: Entry = [5, 2, 3];
    expect([c, b, a].sort(compareEntries)).toEqual([a, b, c]);
  });

  it("tells how many wait ahead exactly from samples of a short line, and within a step of a long one", () => {
    const short = new QueueLine();
    short.add(Array.from({ length: 50 }, (_, i): Entry => [i, 0, i + 1]));
    expect(aheadOf([20, 0, 21], short.samples(), short.size)).toBe(20);
    const long = new QueueLine();
    long.add(Array.from({ length: 5_000 }, (_, i): Entry => [i, 0, i + 1]));
    const samples = long.samples();
    expect(samples.entries.length).toBeLessThanOrEqual(1000);
    const ahead = aheadOf([3_000, 0, 3_001], samples, long.size);
    expect(Math.abs(ahead - 3_000)).toBeLessThanOrEqual(samples.step);
  });

  it("puts a join the coordinator has not read yet behind everyone waiting", () => {
    const line = new QueueLine();
    line.add([
      [1, 0, 1],
      [2, 0, 2],
    ]);
    expect(aheadOf([10, 3, 1], line.samples(), line.size)).toBe(2);
  });

  it("spreads users over every shard", () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) {
      const shard = shardOf(`user_${i}`, 16);
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });
});
