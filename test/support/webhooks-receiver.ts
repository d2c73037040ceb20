import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, vi } from "vitest";
import type { z } from "zod";
import { webhookEndpointStub } from "../../src/contract/object-stubs.ts";
import type { WebhookEndpoint } from "../../src/webhooks/webhook-endpoint.ts";
import type { WebhookEvent } from "../../src/webhooks/webhook-event-types.ts";
import type {
  createdWebhookResponse,
  deliveryListResponse,
} from "../../src/webhooks/webhook-schemas.ts";
import { adminToken, call, tokenFor } from "./helpers.ts";
import { travelTo } from "./time.ts";

/**
 * A webhook receiver "on 127.0.0.1" for tests: the webhook objects run in the tests'
 * isolate, so their fetch() of the receiver's URL is answered here. It verifies every
 * delivery with the standardwebhooks package and keeps what it got; `mode` says how it
 * answers: up (204), down (503), refusing connections, hanging past the timeout, or taking
 * the event and then failing (so it is sent again).
 */

export type ReceiverMode = "up" | "down" | "unreachable" | "hang" | "take-then-fail";

export interface Received {
  id: string;
  timestamp: string;
  body: string;
  type: string;
  data: Record<string, unknown>;
  verified: boolean;
}

export class Receiver {
  mode: ReceiverMode = "up";
  readonly received: Received[] = [];
  /** Calls of the URL, including failed ones. */
  calls = 0;
  private secret = "";

  constructor(readonly url: string) {}

  /** Starts answering fetches of `url` (other fetches go through). */
  listen(secret: string): void {
    this.secret = secret;
    const original = globalThis.fetch.bind(globalThis);
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (!request.url.startsWith(this.url)) return original(input, init);
      return this.answer(request, init?.signal ?? undefined);
    });
  }

  private async answer(request: Request, signal: AbortSignal | undefined): Promise<Response> {
    this.calls += 1;
    const body = await request.text();
    switch (this.mode) {
      case "down":
        return new Response("unavailable", { status: 503 });
      case "unreachable":
        throw new TypeError("Network connection lost.");
      case "hang":
        return new Promise<Response>((_, reject) => {
          signal?.addEventListener("abort", () => reject(signal.reason));
        });
      default:
        this.take(request, body);
        return this.mode === "take-then-fail"
          ? new Response("oops", { status: 500 })
          : new Response(null, { status: 204 });
    }
  }

  private take(request: Request, body: string): void {
    const headers = {
      "webhook-id": request.headers.get("webhook-id") ?? "",
      "webhook-timestamp": request.headers.get("webhook-timestamp") ?? "",
      "webhook-signature": request.headers.get("webhook-signature") ?? "",
    };
    let verified = true;
    try {
      new Webhook(this.secret).verify(body, headers);
    } catch {
      verified = false;
    }
    const parsed = JSON.parse(body) as { type: string; data: Record<string, unknown> };
    this.received.push({
      id: headers["webhook-id"],
      timestamp: headers["webhook-timestamp"],
      body,
      type: parsed.type,
      data: parsed.data,
      verified,
    });
  }
}

/** An admin token that outlives the clock moves of these tests (days). */
export const longAdminToken = () => tokenFor("admin_webhooks", "admin", 7 * 86_400);

export type CreatedWebhook = z.infer<typeof createdWebhookResponse>["webhook"];

export async function createWebhook(url: string, events: string[]): Promise<CreatedWebhook> {
  const res = await call("POST", "/v1/webhooks", {
    token: await adminToken(),
    body: { url, events },
  });
  if (res.status !== 201) throw new Error(`webhook ${res.status}: ${await res.text()}`);
  return ((await res.json()) as z.infer<typeof createdWebhookResponse>).webhook;
}

export async function deleteWebhook(webhookId: string): Promise<void> {
  await call("DELETE", `/v1/webhooks/${webhookId}`, { token: await longAdminToken() });
}

export type DeliveryJson = z.infer<typeof deliveryListResponse>["deliveries"][number];

export async function deliveries(webhookId: string): Promise<DeliveryJson[]> {
  const res = await call("GET", `/v1/webhooks/${webhookId}/deliveries?limit=100`, {
    token: await longAdminToken(),
  });
  if (res.status !== 200) throw new Error(`deliveries ${res.status}: ${await res.text()}`);
  return ((await res.json()) as z.infer<typeof deliveryListResponse>).deliveries;
}

export const endpointStub = (webhookId: string) => webhookEndpointStub(env, webhookId);

export const endpointAlarm = (webhookId: string) =>
  runInDurableObject(endpointStub(webhookId), (_o: WebhookEndpoint, state) =>
    state.storage.getAlarm(),
  );

/** Moves the clock to the endpoint's alarm and runs it, whatever it is for; false if none. */
export async function runEndpointAlarm(webhookId: string): Promise<boolean> {
  const at = await endpointAlarm(webhookId);
  if (at === null) return false;
  travelTo(Math.max(at, Date.now()) + 1);
  return runDurableObjectAlarm(endpointStub(webhookId));
}

/**
 * Moves the clock to the endpoint's next try and runs it; false if no delivery is pending
 * (the alarm may still be armed then, for the clean-up of finished deliveries a week on).
 */
export async function runNextDelivery(webhookId: string): Promise<boolean> {
  const pending = await runInDurableObject(
    endpointStub(webhookId),
    (_o: WebhookEndpoint, state) =>
      state.storage.sql
        .exec<{ n: number }>("SELECT count(*) AS n FROM deliveries WHERE status = 'pending'")
        .one().n,
  );
  return pending > 0 && runEndpointAlarm(webhookId);
}

/** Waits (real time) until `check` answers a value, and answers it; fails after `ms`. */
export function eventually<T>(check: () => Promise<T | undefined>, ms = 5_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await check();
      if (value === undefined) throw new Error("condition not met in time");
      return value;
    },
    { timeout: ms, interval: 20 },
  );
}

/** Events as a show object hands them over, one per ordering key given (a booking's id). */
export function sampleEvents(...orderingKeys: string[]): WebhookEvent[] {
  return orderingKeys.map((key) => {
    const occurredAt = Date.now();
    return {
      eventId: `evt_${crypto.randomUUID().replaceAll("-", "")}`,
      type: "booking.confirmed",
      orderingKey: key,
      body: JSON.stringify({
        type: "booking.confirmed",
        timestamp: new Date(occurredAt).toISOString(),
        data: { booking_id: key },
      }),
      occurredAt,
    };
  });
}

/**
 * Webhooks made by the calling file's tests, deleted after each test: webhooks are global,
 * and one left behind would get other tests' events. The deletion runs with the real clock
 * and fetch (the setup file's reset, test/support/real-timers.ts, runs only after this).
 * Answers `webhookFor(receiver, events?)`: a webhook to the receiver, which it verifies.
 */
export function webhooksForEachTest(defaultEvents: string[] = ["booking.confirmed"]) {
  const made: string[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    for (const id of made.splice(0)) await deleteWebhook(id);
  });
  return async function webhookFor(receiver: Receiver, events = defaultEvents) {
    const webhook = await createWebhook(receiver.url, events);
    made.push(webhook.webhook_id);
    receiver.listen(webhook.secret);
    return webhook;
  };
}
