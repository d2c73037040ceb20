import { describe, expect, it } from "vitest";
import { forgetQueueSnapshot } from "../src/queue/snapshot-cache.ts";
import { adminToken, call, createShow, expectError, tokenFor } from "./support/helpers.ts";
import { turnQueueOff, turnQueueOn } from "./support/queue-helpers.ts";

describe("a show's waiting-room settings", () => {
  it("are off until an admin turns the queue on, and say so publicly", async () => {
    const { showId } = await createShow();
    const res = await call("GET", `/v1/shows/${showId}/queue`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      enabled: false,
      opens_at: null,
      admit_per_minute: null,
      pass_ttl_seconds: null,
      waiting: 0,
      admitted: 0,
    });
  });

  it("take admit_per_minute and opens_at, default the pass to 600 s, and turn off again", async () => {
    const { showId } = await createShow();
    const opensAt = new Date(Date.now() + 3_600_000).toISOString();
    const on = await turnQueueOn(showId, { admit_per_minute: 300, opens_at: opensAt });
    expect(on).toMatchObject({ enabled: true, admit_per_minute: 300, pass_ttl_seconds: 600 });
    const read = await call("GET", `/v1/shows/${showId}/queue`);
    expect(await read.json()).toMatchObject({ enabled: true, opens_at: opensAt, waiting: 0 });
    await turnQueueOff(showId);
    const off = await call("GET", `/v1/shows/${showId}/queue`);
    expect(await off.json()).toMatchObject({ enabled: false });
  });

  it("refuse a pace that is not a positive whole number, naming the field", async () => {
    const { showId } = await createShow();
    const res = await call("PUT", `/v1/shows/${showId}/queue`, {
      token: await adminToken(),
      body: { admit_per_minute: 0 },
    });
    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details?.field).toBe("admit_per_minute");
  });

  it("can be changed by admins only", async () => {
    const { showId } = await createShow();
    const res = await call("PUT", `/v1/shows/${showId}/queue`, {
      token: await tokenFor("user_not_admin"),
      body: { admit_per_minute: 10 },
    });
    await expectError(res, 403, "FORBIDDEN");
  });

  it("answer 404 for a show that does not exist", async () => {
    forgetQueueSnapshot("show_missing_queue");
    await expectError(await call("GET", "/v1/shows/show_missing_queue/queue"), 404, "NOT_FOUND");
  });
});
