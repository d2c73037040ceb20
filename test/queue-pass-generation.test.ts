import { afterEach, describe, expect, it } from "vitest";
import { call, expectError, rowSeats, seatMap } from "./support/helpers.ts";
import {
  join,
  type QueueDriver,
  queuedShow,
  status,
  statusBody,
  turnQueueOff,
  turnQueueOn,
  turnQueuesOff,
} from "./support/queue-helpers.ts";
import { sleep } from "./support/time.ts";

afterEach(turnQueuesOff);

async function queuedShowWithSeats() {
  const { showId, driver } = await queuedShow();
  const seats = rowSeats(await seatMap(showId), "A");
  return { showId, driver, seats };
}

function lock(token: string, showId: string, seats: string[], pass: string) {
  return call("POST", "/v1/seats/lock", {
    token,
    body: { show_id: showId, seat_ids: seats },
    headers: { "X-Queue-Pass": pass },
  });
}

/** Joins, lets the coordinator admit, and answers the pass status hands out. */
async function admittedPass(showId: string, driver: QueueDriver, user: string) {
  const joined = await join(showId, user);
  // A later millisecond: a join's order key is its time (src/queue/queue-order.ts).
  await sleep(3);
  await driver.tick(1_000);
  const answer = await statusBody(showId, joined.ticket);
  if (!answer.admitted || !answer.queue_pass) throw new Error("not admitted");
  return { ...joined, pass: answer.queue_pass };
}

describe("a queue pass and the line that issued it", () => {
  it("is refused with 403 QUEUE_PASS_INVALID once the queue was turned off and on again", async () => {
    const { showId, driver, seats } = await queuedShowWithSeats();
    const buyer = await admittedPass(showId, driver, "user_generation_buyer");
    await turnQueueOff(showId);
    await turnQueueOn(showId, { admit_per_minute: 600 });

    const refused = await lock(buyer.token, showId, seats.slice(0, 1), buyer.pass);
    const error = await expectError(refused, 403, "QUEUE_PASS_INVALID");
    expect(error.details).toMatchObject({
      field: "X-Queue-Pass",
      reason: "issued by an earlier waiting room of this show",
      join_url: `/v1/shows/${showId}/queue/join`,
    });

    // Through the new line, the same buyer gets a pass that opens the gate.
    const again = await admittedPass(showId, driver, "user_generation_buyer");
    expect((await lock(buyer.token, showId, seats.slice(0, 1), again.pass)).status).toBe(200);
  });

  it("is not handed out by status while the queue is off, and the earlier line's ticket is refused after", async () => {
    const { showId, driver, seats } = await queuedShowWithSeats();
    const holder = await join(showId, "user_generation_off");
    await turnQueueOff(showId);

    const whileOff = await statusBody(showId, holder.ticket);
    expect(whileOff).toEqual({ admitted: true, queue_pass: null, pass_expires_at: null });

    await turnQueueOn(showId, { admit_per_minute: 600 });
    const stale = await expectError(await status(showId, holder.ticket), 400, "INVALID_INPUT");
    expect(stale.details?.field).toBe("X-Queue-Ticket");
    const rejoined = await admittedPass(showId, driver, "user_generation_off");
    expect((await lock(holder.token, showId, seats.slice(1, 2), rejoined.pass)).status).toBe(200);
  });
});
