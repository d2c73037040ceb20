import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type Joined,
  join,
  queuedShow,
  statusBody,
  turnQueuesOff,
  waiting,
} from "./support/queue-helpers.ts";
import { sleep } from "./support/time.ts";

/**
 * Places in line as a new user sees them: the coordinator runs on its own alarm (once a
 * second, real time), as it does in production, and answers are read through the routes.
 */

afterEach(turnQueuesOff);

/** A join's answer gives the right place or says it is not known yet; never a wrong one. */
function expectPlaceOrUnknown(body: Record<string, unknown>, position: number) {
  if (body.position_known === false) {
    expect(body).toMatchObject({ position: null, ahead: null });
  } else {
    expect(body).toMatchObject({ position, ahead: position - 1 });
  }
  expect(body.estimated_wait_seconds).toBeGreaterThanOrEqual(1);
}

describe("places in the waiting room", () => {
  it("grow with join order for users joining one after another after the opening, within seconds", async () => {
    // One a minute: nobody is admitted while the test runs.
    const { showId } = await queuedShow({ admit_per_minute: 1 }, { realClock: true });
    const users: Joined[] = [];
    for (let i = 0; i < 5; i++) {
      const joined = await join(showId, `user_places_${i}`);
      expectPlaceOrUnknown(joined.body, i + 1);
      users.push(joined);
      await sleep(3); // distinct join times: after the opening the order is the join time
    }
    await vi.waitFor(
      async () => {
        const answers = await Promise.all(users.map((user) => statusBody(showId, user.ticket)));
        expect(answers).toEqual(
          users.map((_, i) => ({
            admitted: false,
            position_known: true,
            position: i + 1,
            ahead: i,
            // One admission a minute: everyone ahead, and then this one.
            estimated_wait_seconds: (i + 1) * 60,
          })),
        );
      },
      { timeout: 10_000, interval: 250 },
    );
    // Joining again keeps the place, and now says which it is.
    const third = users[2] as Joined;
    const again = await join(showId, third.user);
    expect(again.entry).toEqual(third.entry);
    expect(again.body).toMatchObject({ position: 3, ahead: 2, position_known: true });
  });

  it("count everyone who joined before the opening, each at one place of a shuffled line", async () => {
    const { showId } = await queuedShow(
      { admit_per_minute: 60, opens_at: new Date(Date.now() + 3_600_000).toISOString() },
      { realClock: true },
    );
    const crowd: Joined[] = [];
    for (let i = 0; i < 6; i++) {
      const joined = await join(showId, `user_places_crowd_${i}`);
      const place = waiting(joined.body);
      expect(place.position === null || place.position_known === true).toBe(true);
      crowd.push(joined);
    }
    const byKey = [...crowd].sort((a, b) => a.entry[0] - b.entry[0]);
    await vi.waitFor(
      async () => {
        for (const user of crowd) {
          const answer = await statusBody(showId, user.ticket);
          const position = byKey.indexOf(user) + 1;
          expect(answer).toMatchObject({ position_known: true, position, ahead: position - 1 });
          // The opening is an hour away: the wait is at least that.
          expect(waiting(answer).estimated_wait_seconds).toBeGreaterThan(3_590);
        }
      },
      { timeout: 10_000, interval: 250 },
    );
  });
});
