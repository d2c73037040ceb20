import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { WebhookEndpoint } from "../src/webhooks/webhook-endpoint.ts";
import {
  deleteWebhook,
  deliveries,
  endpointAlarm,
  endpointStub,
  Receiver,
  runEndpointAlarm,
  runNextDelivery,
  sampleEvents,
  webhooksForEachTest,
} from "./support/webhooks-receiver.ts";

const WEEK_MS = 7 * 24 * 3600_000;

const webhookFor = webhooksForEachTest();

/** Rows the endpoint object still keeps, read from its SQLite. */
const stored = (webhookId: string) =>
  runInDurableObject(endpointStub(webhookId), (_o: WebhookEndpoint, state) => ({
    deliveries: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM deliveries").one()
      .n,
    attempts: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM attempts").one().n,
    secret: state.storage.sql.exec<{ secret: string }>("SELECT secret FROM endpoint").one().secret,
  }));

describe("finished deliveries are cleared on the endpoint's own schedule", () => {
  it("deletes a delivered and a given-up delivery each a week after it finished, with no new event to wake the object", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const receiver = new Receiver("http://127.0.0.1:9821/hooks");
    const webhook = await webhookFor(receiver);
    const endpoint = endpointStub(webhook.webhook_id);

    await endpoint.accept(sampleEvents("booking_kept_a"));
    // Now, whether or not the object's own alarm has sent it already.
    await runDurableObjectAlarm(endpoint);
    expect(receiver.received).toHaveLength(1);
    receiver.mode = "down";
    await endpoint.accept(sampleEvents("booking_kept_b"));
    // Retried for a day, then given up.
    for (let i = 0; i < 40; i++) {
      const listed = await deliveries(webhook.webhook_id);
      if (listed.some((d) => d.status === "failed")) break;
      await runNextDelivery(webhook.webhook_id);
    }
    const [failed, delivered] = await deliveries(webhook.webhook_id);
    expect([delivered?.status, failed?.status]).toEqual(["delivered", "failed"]);

    // Nothing is left to send, yet the alarm stays armed: for the first clean-up.
    expect(await endpointAlarm(webhook.webhook_id)).toBe(
      Date.parse(delivered?.done_at ?? "") + WEEK_MS,
    );
    expect(await runEndpointAlarm(webhook.webhook_id)).toBe(true);
    expect((await deliveries(webhook.webhook_id)).map((d) => d.event_id)).toEqual([
      failed?.event_id,
    ]);
    expect(await endpointAlarm(webhook.webhook_id)).toBe(
      Date.parse(failed?.done_at ?? "") + WEEK_MS,
    );
    expect(await runEndpointAlarm(webhook.webhook_id)).toBe(true);
    expect(await deliveries(webhook.webhook_id)).toEqual([]);
    expect(await stored(webhook.webhook_id)).toMatchObject({ deliveries: 0, attempts: 0 });
    expect(await endpointAlarm(webhook.webhook_id)).toBeNull();
  });

  it("erases a deleted webhook's secret at once and its cancelled deliveries a week later, sending nothing", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const receiver = new Receiver("http://127.0.0.1:9822/hooks");
    receiver.mode = "down";
    const webhook = await webhookFor(receiver);
    await endpointStub(webhook.webhook_id).accept(sampleEvents("booking_deleted"));
    await runEndpointAlarm(webhook.webhook_id);
    expect((await stored(webhook.webhook_id)).deliveries).toBe(1);
    const calls = receiver.calls;

    await deleteWebhook(webhook.webhook_id);
    // The signing secret goes at once; the cancelled delivery a week later, sending nothing.
    expect((await stored(webhook.webhook_id)).secret).toBe("");
    const cleanup = await endpointAlarm(webhook.webhook_id);
    expect(cleanup).toBeGreaterThanOrEqual(Date.now() + WEEK_MS - 60_000);
    expect(await runEndpointAlarm(webhook.webhook_id)).toBe(true);
    expect(await stored(webhook.webhook_id)).toMatchObject({ deliveries: 0, attempts: 0 });
    expect(receiver.calls).toBe(calls);
    expect(await endpointAlarm(webhook.webhook_id)).toBeNull();
  });
});
