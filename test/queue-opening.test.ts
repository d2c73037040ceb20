import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { shardStub } from "../src/queue/queue-coordinator.ts";
import { compareEntries, type Entry } from "../src/queue/queue-order.ts";
import { adminToken, call, expectError } from "./support/helpers.ts";
import { join, queuedShow, statusBody, turnQueuesOff } from "./support/queue-helpers.ts";
import { sleep } from "./support/time.ts";

afterEach(turnQueuesOff);

async function putQueue(showId: string, body: Record<string, unknown>) {
  return call("PUT", `/v1/shows/${showId}/queue`, { token: await adminToken(), body });
}

describe("moving the opening of a waiting room", () => {
  it("is refused with 409 QUEUE_ALREADY_ADMITTING once the line admits, so later joiners stay behind those waiting", async () => {
    const { showId, driver } = await queuedShow({ admit_per_minute: 60 });
    const first = await join(showId, "user_opening_first");
    // A later millisecond: a join's order key is its time (src/queue/queue-order.ts).
    await sleep(3);
    await driver.tick(1_000);
    expect((await statusBody(showId, first.ticket)).admitted).toBe(true);
    const second = await join(showId, "user_opening_second");
    // A later millisecond: a join's order key is its time (src/queue/queue-order.ts).
    await sleep(3);
    const third = await join(showId, "user_opening_third");
    // A later millisecond: a join's order key is its time (src/queue/queue-order.ts).
    await sleep(3);

    const later = new Date(Date.now() + 3_600_000).toISOString();
    const refused = await putQueue(showId, { admit_per_minute: 60, opens_at: later });
    const error = await expectError(refused, 409, "QUEUE_ALREADY_ADMITTING");
    expect(error.details).toMatchObject({ field: "opens_at" });
    const settings = await (await call("GET", `/v1/shows/${showId}/queue`)).json();
    expect(settings).toMatchObject({ enabled: true, admitted: 1 });
    expect(Date.parse((settings as { opens_at: string }).opens_at)).toBeLessThan(Date.now());

    const newcomer = await join(showId, "user_opening_newcomer");
    expect(compareEntries(newcomer.entry, third.entry)).toBeGreaterThan(0);
    await driver.tick(1_000);
    await driver.tick(1_000);
    // One a second: the two who waited are in, the newcomer is next.
    expect((await statusBody(showId, second.ticket)).admitted).toBe(true);
    expect((await statusBody(showId, third.ticket)).admitted).toBe(true);
    expect(await statusBody(showId, newcomer.ticket)).toMatchObject({ admitted: false });
  });

  it("is still taken before the opening, and a new pace is taken while admitting", async () => {
    const { showId } = await queuedShow({
      admit_per_minute: 60,
      opens_at: new Date(Date.now() + 600_000).toISOString(),
    });
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const moved = await putQueue(showId, { admit_per_minute: 60, opens_at: later });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ opens_at: later });

    const open = await queuedShow({ admit_per_minute: 60 });
    const faster = await putQueue(open.showId, { admit_per_minute: 600 });
    expect(faster.status).toBe(200);
    expect(await faster.json()).toMatchObject({ admit_per_minute: 600 });
  });

  it("never places a new join at or below the admission cursor it is told, whatever opening it is told", async () => {
    // A snapshot a few seconds old can still show an opening ahead while the line admits.
    const opensAt = Date.now() + 3_600_000;
    const cursor: Entry = [opensAt - 1, 15, 1_000];
    const shard = shardStub(env, "show_opening_invariant", 1, 0);
    const fresh = await shard.join({
      shard: 0,
      userId: "user_opening_fresh",
      opensAt,
      cursor,
      expiredCursor: cursor,
    });
    expect(compareEntries(fresh.entry, cursor)).toBeGreaterThan(0);
    // A holder whose turn passed joins again: after the cursor too, or 403 "turn passed" forever.
    const again = await shard.join({
      shard: 0,
      userId: "user_opening_fresh",
      opensAt,
      cursor: fresh.entry,
      expiredCursor: fresh.entry,
    });
    expect(again.created).toBe(true);
    expect(compareEntries(again.entry, fresh.entry)).toBeGreaterThan(0);
  });
});
