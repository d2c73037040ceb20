import { afterEach, describe, expect, it } from "vitest";
import { adminToken, call, createShow } from "./support/helpers.ts";
import { join, QueueDriver, turnQueueOff, turnQueueOn } from "./support/queue-helpers.ts";

let showId = "";
afterEach(() => turnQueueOff(showId));

describe("the admission pace of a show's waiting room", () => {
  it("admits admit_per_minute within 5% over a simulated minute, spread evenly over it", async () => {
    ({ showId } = await createShow());
    const driver = new QueueDriver(showId);
    await driver.useTestClock();
    await turnQueueOn(showId, { admit_per_minute: 120 });
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from({ length: 25 }, (_, i) => join(showId, `user_pace_${batch * 25 + i}`)),
      );
    }
    await driver.tick(1_000);
    const start = driver.now();
    const startAdmitted = (await driver.snapshot()).admitted;
    const counts: number[] = [];
    let windowEnd = start + 10_000;
    let admittedBefore = startAdmitted;
    while (driver.now() < start + 60_000) {
      await driver.tick();
      if (driver.now() >= windowEnd) {
        const { admitted } = await driver.snapshot();
        counts.push(admitted - admittedBefore);
        admittedBefore = admitted;
        windowEnd += 10_000;
      }
    }
    const { admitted, waiting } = await driver.snapshot();
    const inMinute = admitted - startAdmitted;
    expect(inMinute).toBeGreaterThanOrEqual(114);
    expect(inMinute).toBeLessThanOrEqual(126);
    expect(waiting).toBe(250 - admitted);
    // Spread evenly: each 10 s holds about a sixth (20), never a burst.
    for (const count of counts) expect(Math.abs(count - 20)).toBeLessThanOrEqual(2);
  });

  it("costs the shards two storage rows per join, and the coordinator a few per tick, not per join", async () => {
    ({ showId } = await createShow());
    const driver = new QueueDriver(showId);
    await driver.useTestClock();
    await turnQueueOn(showId, { admit_per_minute: 60 });
    await Promise.all(Array.from({ length: 100 }, (_, i) => join(showId, `user_rows_${i}`)));
    await driver.tick(1_000);
    const res = await call("GET", `/v1/shows/${showId}/queue/stats`, { token: await adminToken() });
    const stats = (await res.json()) as { rows_written: { shards: number; coordinator: number } };
    // The entry's row and its user index entry.
    expect(stats.rows_written.shards / 100).toBe(2);
    expect(stats.rows_written.coordinator).toBeLessThan(10);
  });
});
