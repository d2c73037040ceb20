import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { newSigningSecret, signDelivery } from "../src/webhooks/webhook-signature.ts";
import { checkTarget, localTargets } from "../src/webhooks/webhook-targets.ts";
import { adminToken, call, expectError, tokenFor } from "./support/helpers.ts";
import { deleteWebhook } from "./support/webhooks-receiver.ts";

const made: string[] = [];
afterEach(async () => {
  for (const id of made.splice(0)) await deleteWebhook(id);
});

async function create(body: unknown, token?: string): Promise<Response> {
  return call("POST", "/v1/webhooks", { token: token ?? (await adminToken()), body });
}

interface WebhookJson {
  webhook_id: string;
  url: string;
  events: string[];
  created_at: string;
  secret?: string;
}

describe("POST /v1/webhooks", () => {
  it("answers 201 with a whsec_ signing secret that no later read shows", async () => {
    const res = await create({
      url: "https://crm.example.com/hooks",
      events: ["booking.confirmed", "booking.confirmed", "show.cancelled"],
    });
    expect(res.status).toBe(201);
    const { webhook } = (await res.json()) as { webhook: WebhookJson };
    made.push(webhook.webhook_id);
    expect(webhook.webhook_id).toMatch(/^wh_[0-9a-z]{20}$/);
    expect(webhook.events).toEqual(["booking.confirmed", "show.cancelled"]);
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const list = await call("GET", "/v1/webhooks", { token: await adminToken() });
    const text = await list.text();
    expect(text).toContain(webhook.webhook_id);
    expect(text).not.toContain(webhook.secret ?? "whsec_");
    expect(text).not.toContain("secret");
  });

  it.each([
    ["http://crm.example.com/hooks", "must be an https URL"],
    ["https://10.1.2.3/hooks", "private"],
    ["https://192.168.0.10/hooks", "private"],
    ["https://172.20.0.1/hooks", "private"],
    ["https://169.254.169.254/latest/meta-data", "link-local"],
    ["https://127.0.0.2/hooks", "loopback"],
    ["https://0x7f.2/hooks", "loopback"], // 127.0.0.2, written in hex,
    ["https://localhost/hooks", "loopback"],
    ["https://api.localhost/hooks", "loopback"],
    ["https://[::1]/hooks", "loopback"],
    ["https://[fe80::1]/hooks", "link-local"],
    ["https://[fd00::5]/hooks", "private"],
    ["https://[::ffff:10.0.0.1]/hooks", "private"],
    ["https://user:pw@crm.example.com/hooks", "password"],
    ["not a url", "not a URL"],
    // IPv6 forms that carry a local IPv4, and ranges no receiver lives in.
    ["https://[64:ff9b:1::7f00:1]/hooks", "reserved"], // local-use NAT64
    ["https://[::ffff:0:7f00:1]/hooks", "loopback"], // IPv4-translated 127.0.0.1
    ["https://[2002:7f00:1::1]/hooks", "loopback"], // 6to4 of 127.0.0.1
    ["https://[2002:a9fe:a9fe::1]/hooks", "link-local"], // 6to4 of 169.254.169.254
    ["https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hooks", "reserved"], // Teredo
    ["https://[2001:db8::1]/hooks", "reserved"], // documentation
    ["https://[100::1]/hooks", "reserved"], // discard-only
    // IPv4 documentation ranges.
    ["https://192.0.2.10/hooks", "reserved"],
    ["https://198.51.100.7/hooks", "reserved"],
    ["https://203.0.113.99/hooks", "reserved"],
    // Names under suffixes that never reach the public internet.
    ["https://printer.local/hooks", "local"],
    ["https://app.localhost./hooks", "loopback"],
    ["https://metadata.google.internal/hooks", "local"],
    ["https://crm.acme.corp/hooks", "local"],
    ["https://nas.home.arpa/hooks", "local"],
    ["https://api.default.svc/hooks", "local"],
    // A URL no receiver can be at.
    ["https://example.com:0/hooks", "port"],
    ["https://a..b/hooks", "empty label"],
  ])("refuses the target %s with 400 naming url", async (url, reason) => {
    const error = await expectError(
      await create({ url, events: ["booking.confirmed"] }),
      400,
      "INVALID_INPUT",
    );
    expect(error.details).toMatchObject({ field: "url" });
    expect(String(error.details?.reason)).toContain(reason);
  });

  it("refuses a field it does not know, naming it", async () => {
    const url = "https://crm.example.com/extra";
    const error = await expectError(
      await create({ url, events: ["booking.confirmed"], extra: 1 }),
      400,
      "INVALID_INPUT",
    );
    expect(error.details?.field).toBe("extra");
    const list = await call("GET", "/v1/webhooks", { token: await adminToken() });
    expect(await list.text()).not.toContain(url);
  });

  it("keeps a repeated event type once, even when the list names every type and one twice", async () => {
    const every = [
      "booking.confirmed",
      "booking.cancelled",
      "booking.expired",
      "payment.refunded",
      "booking.payment_refunded_late",
      "show.updated",
      "show.cancelled",
    ];
    const res = await create({
      url: "https://crm.example.com/all",
      events: [...every, "booking.confirmed"],
    });
    expect(res.status).toBe(201);
    const { webhook } = (await res.json()) as { webhook: WebhookJson };
    made.push(webhook.webhook_id);
    expect(webhook.events).toEqual(every);
    const list = await call("GET", "/v1/webhooks", { token: await adminToken() });
    const { webhooks } = (await list.json()) as { webhooks: WebhookJson[] };
    expect(webhooks.find((w) => w.webhook_id === webhook.webhook_id)?.events).toEqual(every);
  });

  it("refuses a webhook past WEBHOOKS_MAX with 409 WEBHOOK_LIMIT_REACHED, even two at once for the last place, and takes one again after a deletion", async () => {
    const max = Number(env.WEBHOOKS_MAX);
    expect(max).toBeGreaterThan(1);
    const createOne = async (path: string) => {
      const res = await create({
        url: `https://crm.example.com/${path}`,
        events: ["show.updated"],
      });
      if (res.status === 201)
        made.push(((await res.clone().json()) as { webhook: WebhookJson }).webhook.webhook_id);
      return res;
    };
    for (let i = 0; i < max - 1; i++) expect((await createOne(`n${i}`)).status).toBe(201);
    // Two creations race for the last place: exactly one gets it.
    const raced = await Promise.all([createOne("race-a"), createOne("race-b")]);
    expect(raced.map((res) => res.status).sort()).toEqual([201, 409]);
    const over = await expectError(await createOne("over"), 409, "WEBHOOK_LIMIT_REACHED");
    expect(over.details).toMatchObject({ limit: max });
    const list = await call("GET", "/v1/webhooks", { token: await adminToken() });
    expect(((await list.json()) as { webhooks: unknown[] }).webhooks).toHaveLength(max);
    await deleteWebhook(made.shift() ?? "");
    expect((await createOne("again")).status).toBe(201);
  });

  it("refuses unknown event types and an empty list, naming the field", async () => {
    const unknown = await expectError(
      await create({ url: "https://crm.example.com/h", events: ["booking.created"] }),
      400,
      "INVALID_INPUT",
    );
    expect(String(unknown.details?.field)).toMatch(/^events/);
    const empty = await expectError(
      await create({ url: "https://crm.example.com/h", events: [] }),
      400,
      "INVALID_INPUT",
    );
    expect(empty.details?.field).toBe("events");
  });

  it("is for admins only", async () => {
    const res = await create(
      { url: "https://crm.example.com/h", events: ["booking.confirmed"] },
      await tokenFor("user_wh_nosy"),
    );
    await expectError(res, 403, "FORBIDDEN");
  });
});

describe("DELETE /v1/webhooks/{webhook_id} and its deliveries", () => {
  it("deletes once; then the webhook is gone from the list and its deliveries are 404", async () => {
    const token = await adminToken();
    const created = await create({ url: "https://crm.example.com/d", events: ["show.updated"] });
    const { webhook } = (await created.json()) as { webhook: WebhookJson };
    const empty = await call("GET", `/v1/webhooks/${webhook.webhook_id}/deliveries`, { token });
    expect(await empty.json()).toEqual({ webhook_id: webhook.webhook_id, deliveries: [] });
    const deleted = await call("DELETE", `/v1/webhooks/${webhook.webhook_id}`, { token });
    expect(deleted.status).toBe(200);
    expect(
      ((await deleted.json()) as { webhook: { deleted_at: string } }).webhook.deleted_at,
    ).toBeTruthy();
    await expectError(
      await call("DELETE", `/v1/webhooks/${webhook.webhook_id}`, { token }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call("GET", `/v1/webhooks/${webhook.webhook_id}/deliveries`, { token }),
      404,
      "NOT_FOUND",
    );
    const list = await call("GET", "/v1/webhooks", { token });
    expect(await list.text()).not.toContain(webhook.webhook_id);
  });

  it("refuses a malformed webhook id with 400 naming webhook_id", async () => {
    const error = await expectError(
      await call("DELETE", "/v1/webhooks/nope", { token: await adminToken() }),
      400,
      "INVALID_INPUT",
    );
    expect(error.details?.field).toBe("webhook_id");
  });
});

describe("targets and signatures", () => {
  it("lets only the hosts WEBHOOK_LOCAL_TARGETS lists be local, over http too", () => {
    const local = localTargets(" 127.0.0.1 ,");
    expect(checkTarget("http://127.0.0.1:9000/h", local).ok).toBe(true);
    expect(checkTarget("http://127.0.0.2:9000/h", local).ok).toBe(false);
    expect(checkTarget("http://127.0.0.1:9000/h", localTargets("")).ok).toBe(false);
    expect(checkTarget("ftp://127.0.0.1/h", local).ok).toBe(false);
    expect(checkTarget("https://[2606:4700::1111]/h", localTargets("")).ok).toBe(true);
    expect(checkTarget("https://1.1.1.1/h", localTargets("")).ok).toBe(true);
  });

  it("takes public targets: IPv6 forms carrying a public IPv4, a fully qualified name, any port but 0", () => {
    const none = localTargets("");
    for (const url of [
      "https://[2002:808:808::1]/h", // 6to4 of 8.8.8.8
      "https://[64:ff9b::808:808]/h", // NAT64 of 8.8.8.8
      "https://[::ffff:1.1.1.1]/h",
      "https://[2a00:1450:4001::200e]/h",
      "https://crm.example.com./h",
      "https://crm.example.com:8443/h",
      "https://hooks.example.co.uk/h",
    ]) {
      expect(checkTarget(url, none), url).toMatchObject({ ok: true });
    }
  });

  it("signs as Standard Webhooks says: the standardwebhooks package verifies it, and refuses a changed body", async () => {
    const secret = newSigningSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const body = '{"type":"booking.confirmed","timestamp":"2026-01-01T00:00:00.000Z","data":{}}';
    const headers = {
      "webhook-id": "evt_1",
      "webhook-timestamp": String(timestamp),
      "webhook-signature": await signDelivery(secret, "evt_1", timestamp, body),
    };
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, headers)).toMatchObject({ type: "booking.confirmed" });
    expect(() => new Webhook(secret).verify(body.replace("{}", '{"x":1}'), headers)).toThrow();
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow();
  });
});
