import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { webhookBacklog } from "../src/webhooks/webhook-backlog.ts";
import { adminToken, call } from "./support/helpers.ts";
import {
  deleteWebhook,
  endpointStub,
  Receiver,
  runNextDelivery,
  sampleEvents,
  webhooksForEachTest,
} from "./support/webhooks-receiver.ts";

const webhookFor = webhooksForEachTest();

const backlogOf = async (webhookId: string) =>
  (await webhookBacklog(env)).find((w) => w.webhook_id === webhookId);

describe("the webhook backlog of GET /v1/admin/status", () => {
  it("is empty when no webhook has anything waiting, failing or given up", async () => {
    const receiver = new Receiver("http://127.0.0.1:9831/hooks");
    const webhook = await webhookFor(receiver);
    const endpoint = endpointStub(webhook.webhook_id);
    await endpoint.accept(sampleEvents("booking_fine"));
    // Now, whether or not the object's own alarm has sent it already.
    await runDurableObjectAlarm(endpoint);
    expect(receiver.received).toHaveLength(1);
    expect(await webhookBacklog(env)).toEqual([]);
  });

  it("counts per webhook the deliveries not yet tried, those failing, and those given up", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    vi.spyOn(console, "error").mockImplementation(() => {});
    const healthy = new Receiver("http://127.0.0.1:9832/hooks");
    const quiet = await webhookFor(healthy);
    const broken = new Receiver("http://127.0.0.1:9833/hooks");
    broken.mode = "down";
    const webhook = await webhookFor(broken);
    // Two events of one booking (the second waits for the first) and one of another.
    await endpointStub(webhook.webhook_id).accept(
      sampleEvents("booking_x", "booking_x", "booking_y"),
    );
    await runNextDelivery(webhook.webhook_id);
    expect(await webhookBacklog(env)).toEqual([
      { webhook_id: webhook.webhook_id, pending: 1, failing: 2, failed: 0 },
    ]);

    // A day of failures: the two heads are given up, and the one behind starts failing.
    for (let i = 0; i < 60; i++) {
      const counts = await backlogOf(webhook.webhook_id);
      if (counts?.failed === 2 && counts.failing === 1) break;
      await runNextDelivery(webhook.webhook_id);
    }
    expect(await backlogOf(webhook.webhook_id)).toEqual({
      webhook_id: webhook.webhook_id,
      pending: 0,
      failing: 1,
      failed: 2,
    });
    expect(await backlogOf(quiet.webhook_id)).toBeUndefined();
    // The operator's status lists the same counts, and is not settled while it does.
    const res = await call("GET", "/v1/admin/status", { token: await adminToken() });
    const status = (await res.json()) as { settled: boolean; webhooks: unknown[] };
    expect(status.settled).toBe(false);
    expect(status.webhooks).toContainEqual({
      webhook_id: webhook.webhook_id,
      pending: 0,
      failing: 1,
      failed: 2,
    });

    // A deleted webhook has nothing left to send: it is not listed.
    await deleteWebhook(webhook.webhook_id);
    expect(await webhookBacklog(env)).toEqual([]);
  });
});
