import { afterEach, describe, expect, it } from "vitest";
import { call, createShow, expectError, tokenFor } from "./support/helpers.ts";
import {
  type Joined,
  join,
  queuedShow,
  status,
  statusBody,
  turnQueuesOff,
  waiting,
} from "./support/queue-helpers.ts";
import { sleep } from "./support/time.ts";

afterEach(turnQueuesOff);

describe("joining a show's waiting room", () => {
  it("answers a ticket whose place is not known yet, and the same place to the same user joining again", async () => {
    const { showId } = await queuedShow({ admit_per_minute: 60 });
    const first = await join(showId, "user_join_twice");
    // No join can be counted before the coordinator has read every shard after it.
    expect(first.body).toMatchObject({
      admitted: false,
      position: null,
      ahead: null,
      position_known: false,
    });
    expect(waiting(first.body).estimated_wait_seconds).toBeGreaterThanOrEqual(1);
    const again = await join(showId, "user_join_twice");
    expect(again.entry).toEqual(first.entry);
  });

  it("admits after the opening first come, first served, one at a time at the pace", async () => {
    const { showId, driver } = await queuedShow({ admit_per_minute: 60 });
    const users: Joined[] = [];
    for (let i = 0; i < 6; i++) {
      users.push(await join(showId, `user_fifo_${i}`));
      await sleep(3); // distinct join times: the order is the join time
    }
    // The first read takes in the joins; places are exact once a second read confirms that
    // no join before them was still on its way.
    await driver.tick();
    await driver.tick();
    const { admitted: first } = await driver.snapshot();
    expect(first).toBeLessThanOrEqual(2);
    for (const [i, user] of users.entries()) {
      const place =
        i < first
          ? { admitted: true }
          : { position: i + 1, ahead: i - first, position_known: true };
      expect(await statusBody(showId, user.ticket)).toMatchObject(place);
    }
    for (let admitted = first + 1; admitted <= users.length; admitted++) {
      await driver.tick(1_000);
      const answers = await Promise.all(users.map((user) => statusBody(showId, user.ticket)));
      expect(answers.map((answer) => answer.admitted)).toEqual(users.map((_, i) => i < admitted));
    }
  });

  it("puts the pre-opening crowd in a random order at the opening and admits every one of them once", async () => {
    const opensAt = Date.now() + 10_000;
    const { showId, driver } = await queuedShow({
      admit_per_minute: 60,
      opens_at: new Date(opensAt).toISOString(),
    });
    const crowd: Joined[] = [];
    for (let i = 0; i < 24; i++) {
      crowd.push(await join(showId, `user_crowd_${i}`));
      await sleep(2); // joins in distinct milliseconds, as a real crowd's arrive
    }
    const before = await statusBody(showId, crowd[0]?.ticket ?? "");
    expect(waiting(before).estimated_wait_seconds).toBeGreaterThanOrEqual(9);
    await driver.tick(opensAt - driver.now() - 100); // just before the opening: no one in
    expect((await driver.snapshot()).admitted).toBe(0);
    const order: string[] = [];
    while (order.length < crowd.length) {
      await driver.tick(1_000);
      for (const user of crowd) {
        if (order.includes(user.user)) continue;
        if ((await statusBody(showId, user.ticket)).admitted) order.push(user.user);
      }
    }
    expect(new Set(order).size).toBe(crowd.length);
    expect((await driver.snapshot()).admitted).toBe(crowd.length);
    expect(order).not.toEqual(crowd.map((user) => user.user));
  });

  it("refuses a forged, altered or another show's ticket with 400 naming X-Queue-Ticket", async () => {
    const { showId } = await queuedShow({ admit_per_minute: 60 });
    const other = await queuedShow({ admit_per_minute: 60 });
    const mine = await join(showId, "user_ticket_checks");
    const [payload, mac] = mine.ticket.split(".");
    const forged = `${payload}x.${mac}`;
    const foreign = (await join(other.showId, "user_ticket_checks")).ticket;
    for (const bad of [forged, "not-a-ticket", foreign]) {
      const error = await expectError(await status(showId, bad), 400, "INVALID_INPUT");
      expect(error.details?.field).toBe("X-Queue-Ticket");
    }
    const missing = await call("GET", `/v1/shows/${showId}/queue/status`);
    expect((await expectError(missing, 400, "INVALID_INPUT")).details?.field).toBe(
      "X-Queue-Ticket",
    );
  });

  it("lets a holder whose turn passed and whose pass expired join again at the back", async () => {
    const { showId, driver } = await queuedShow({ admit_per_minute: 60, pass_ttl_seconds: 60 });
    const first = await join(showId, "user_too_late");
    // A later millisecond: a join's order key is its time (src/queue/queue-order.ts).
    await sleep(3);
    await driver.tick(1_000);
    expect((await statusBody(showId, first.ticket)).admitted).toBe(true);
    const waiting = await join(showId, "user_behind");
    await driver.tick(61_000);
    await driver.tick(1_000);
    const turnPassed = await expectError(
      await status(showId, first.ticket),
      403,
      "QUEUE_PASS_INVALID",
    );
    expect(turnPassed.details?.join_url).toBe(`/v1/shows/${showId}/queue/join`);
    const again = await join(showId, "user_too_late");
    expect(again.entry).not.toEqual(first.entry);
    expect(again.entry[0]).toBeGreaterThan(waiting.entry[0]);
  });

  it("answers 404 to a join when the show has no waiting room", async () => {
    const { showId } = await createShow();
    const res = await call("POST", `/v1/shows/${showId}/queue/join`, {
      token: await tokenFor("user_no_queue"),
    });
    await expectError(res, 404, "NOT_FOUND");
  });
});
