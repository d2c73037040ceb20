import { afterEach, describe, expect, it, vi } from "vitest";
import type { LiveChange } from "../../src/contract/live-protocol.ts";
import { ChangeCoalescer } from "../../src/show/seats/change-coalescer.ts";

/**
 * The live feed's coalescing window: changes within it go out as one message, on its timer
 * or, when the thread is too busy for the timer to fire, with the first change after it.
 */

afterEach(() => {
  vi.useRealTimers();
});

function coalescer(windowMs: number) {
  let now = 0;
  const sent: LiveChange[] = [];
  const feed = new ChangeCoalescer(
    (change) => sent.push(change),
    windowMs,
    () => now,
  );
  return { feed, sent, at: (ms: number) => (now = ms) };
}

describe("the change coalescer", () => {
  it("sends changes within the window as one, each seat in its latest state, on the timer", () => {
    vi.useFakeTimers();
    const { feed, sent, at } = coalescer(20);
    feed.record(1, [[4, "l"]]);
    at(5);
    feed.record(2, [
      [4, "b"],
      [7, "l"],
    ]);
    expect(sent).toEqual([]);

    vi.advanceTimersByTime(20);

    expect(sent).toEqual([
      {
        from: 0,
        to: 2,
        changes: [
          [4, "b"],
          [7, "l"],
        ],
      },
    ]);
  });

  it("sends at the first change after the window when the timer has not fired", () => {
    vi.useFakeTimers();
    const { feed, sent, at } = coalescer(20);
    feed.record(10, [[1, "l"]]);
    at(12);
    feed.record(11, [[2, "l"]]);
    // The timer is held back (a busy thread): the clock moves, the timer does not run.
    at(25);
    feed.record(12, [[3, "b"]]);

    expect(sent).toEqual([
      {
        from: 9,
        to: 12,
        changes: [
          [1, "l"],
          [2, "l"],
          [3, "b"],
        ],
      },
    ]);
    at(26);
    feed.record(13, [[1, "a"]]);
    vi.advanceTimersByTime(20);
    // The late timer of the first window sends nothing of its own; the next one chains on.
    expect(sent.map(({ from, to }) => [from, to])).toEqual([
      [9, 12],
      [12, 13],
    ]);
  });

  it("sends what is pending on flush, and nothing when nothing is", () => {
    const { feed, sent } = coalescer(1_000);
    feed.flush();
    feed.record(3, [[0, "h"]]);
    feed.flush();
    feed.flush();

    expect(sent).toEqual([{ from: 2, to: 3, changes: [[0, "h"]] }]);
  });
});
