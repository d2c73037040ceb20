import { runInDurableObject } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { z } from "zod";
import type {
  createdWebhookResponse,
  deliveryListResponse,
  webhookListResponse,
} from "../src/webhooks/webhook-schemas.ts";
import {
  adminToken,
  type BookingJson,
  call,
  card,
  expectError,
  type LockJson,
  lockSeats,
  organizationWithShow,
  postBooking,
  rowSeats,
  seatMap,
  stubOf,
  tokenFor,
} from "./support/helpers.ts";
import { eventually } from "./support/webhooks-receiver.ts";

/**
 * Webhooks of an organization get its shows' events only; a webhook of the platform's own
 * (the admin's, no org_id) gets every organization's. An organizer lists and deletes only
 * its organization's webhooks.
 */

type WebhookJson = z.infer<typeof createdWebhookResponse>["webhook"];
type DeliveryJson = z.infer<typeof deliveryListResponse>["deliveries"][number];

const EVENTS = ["booking.confirmed", "booking.cancelled", "payment.refunded"];

const made: string[] = [];
afterEach(async () => {
  // Webhooks are global: one left behind would get later tests' events.
  vi.restoreAllMocks();
  const admin = await adminToken();
  for (const id of made.splice(0)) await call("DELETE", `/v1/webhooks/${id}`, { token: admin });
});

async function createWebhook(token: string, url: string): Promise<WebhookJson> {
  const res = await call("POST", "/v1/webhooks", { token, body: { url, events: EVENTS } });
  expect(res.status, await res.clone().text()).toBe(201);
  const { webhook } = (await res.json()) as z.infer<typeof createdWebhookResponse>;
  made.push(webhook.webhook_id);
  return webhook;
}

async function listWebhooks(token: string): Promise<string[]> {
  const res = await call("GET", "/v1/webhooks", { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as z.infer<typeof webhookListResponse>).webhooks.map(
    (w) => w.webhook_id,
  );
}

async function deliveriesOf(webhookId: string, token: string): Promise<DeliveryJson[]> {
  const res = await call("GET", `/v1/webhooks/${webhookId}/deliveries?limit=100`, { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as z.infer<typeof deliveryListResponse>).deliveries;
}

interface Delivered {
  /** The webhook-id header: the event's id. */
  id: string;
  type: string;
  bookingId: string;
  showId: string;
  verified: boolean;
}

/**
 * Receivers "on 127.0.0.1", one per webhook URL, each verifying with its webhook's secret:
 * one fetch spy answers them all (the webhook objects run in the tests' isolate), so
 * several can listen in one test.
 */
class Receivers {
  private readonly inboxes = new Map<string, { secret: string; got: Delivered[] }>();

  constructor() {
    const original = globalThis.fetch.bind(globalThis);
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      const inbox = this.inboxes.get(request.url);
      if (!inbox) return original(input, init);
      const body = await request.text();
      let verified = true;
      try {
        new Webhook(inbox.secret).verify(body, {
          "webhook-id": request.headers.get("webhook-id") ?? "",
          "webhook-timestamp": request.headers.get("webhook-timestamp") ?? "",
          "webhook-signature": request.headers.get("webhook-signature") ?? "",
        });
      } catch {
        verified = false;
      }
      const event = JSON.parse(body) as {
        type: string;
        data: { booking_id: string; show_id: string };
      };
      inbox.got.push({
        id: request.headers.get("webhook-id") ?? "",
        type: event.type,
        bookingId: event.data.booking_id,
        showId: event.data.show_id,
        verified,
      });
      return new Response(null, { status: 204 });
    });
  }

  /** What the webhook's URL receives from now on. */
  inboxOf(webhook: WebhookJson): Delivered[] {
    const got: Delivered[] = [];
    this.inboxes.set(webhook.url, { secret: webhook.secret, got });
    return got;
  }
}

/** `user` locks seat `index` of row A and pays for it. */
async function buy(showId: string, user: string, index: number): Promise<BookingJson> {
  const token = await tokenFor(user);
  const seat = rowSeats(await seatMap(showId), "A")[index] ?? "";
  const locked = await lockSeats(token, { show_id: showId, seat_ids: [seat] });
  expect(locked.status).toBe(200);
  const { lock_id } = (await locked.json()) as LockJson;
  const res = await postBooking(token, {
    show_id: showId,
    lock_id,
    seat_ids: [seat],
    user_id: user,
    payment_method: card(),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { booking: BookingJson }).booking;
}

/** Each event received once (a retried delivery repeats its id), as booking id and type. */
function eventsOf(inbox: Delivered[], showIds: string[]): string[] {
  const byId = new Map(inbox.filter((d) => showIds.includes(d.showId)).map((d) => [d.id, d]));
  return [...byId.values()].map((d) => `${d.bookingId} ${d.type}`).sort();
}

/** The events a show's bookings make: each confirmed, and the first cancelled and refunded. */
function expectedEvents(bookings: BookingJson[]): string[] {
  const [first] = bookings;
  return [
    ...bookings.map((b) => `${b.booking_id} booking.confirmed`),
    `${first?.booking_id} booking.cancelled`,
    `${first?.booking_id} payment.refunded`,
  ].sort();
}

/**
 * Events the show has not handed to every webhook it hands them to yet (its outbox forgets
 * an event only once all have it).
 */
function outboxOf(showId: string): Promise<number> {
  return runInDurableObject(
    stubOf(showId),
    (_object, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM webhook_outbox").one().n,
  );
}

const BUYERS = 4;

describe("webhooks of two organizations selling at once", () => {
  it("A webhook of organization A receives none of B's events while both sell at once", async () => {
    const a = await organizationWithShow("Hooked chain A");
    const b = await organizationWithShow("Hooked chain B");
    const receivers = new Receivers();
    const hookA = await createWebhook(a.organizer, "http://127.0.0.1:9871/hooks/a");
    const hookB = await createWebhook(b.organizer, "http://127.0.0.1:9872/hooks/b");
    const platform = await createWebhook(await adminToken(), "http://127.0.0.1:9873/hooks/all");
    expect([hookA.org_id, hookB.org_id, platform.org_id]).toEqual([a.orgId, b.orgId, null]);
    const inboxA = receivers.inboxOf(hookA);
    const inboxB = receivers.inboxOf(hookB);
    const inboxAll = receivers.inboxOf(platform);

    // Buyers of both organizations at once; then one booking of each is cancelled (refunded).
    const sales = await Promise.all(
      [a, b].map((org, o) =>
        Promise.all(
          Array.from({ length: BUYERS }, (_, i) => buy(org.showId, `user_hooked_${o}_${i}`, i)),
        ),
      ),
    );
    const [salesA = [], salesB = []] = sales;
    await Promise.all(
      sales.map(async ([first], o) => {
        const token = await tokenFor(`user_hooked_${o}_0`);
        const res = await call("POST", `/v1/bookings/${first?.booking_id}/cancel`, { token });
        expect(res.status).toBe(200);
      }),
    );
    const expectedA = expectedEvents(salesA);
    const expectedB = expectedEvents(salesB);

    // Every event handed over (to whichever webhooks get it), and the platform's webhook has
    // both organizations' events.
    await eventually(async () =>
      (await outboxOf(a.showId)) + (await outboxOf(b.showId)) === 0 ? true : undefined,
    );
    const both = [...expectedA, ...expectedB].sort();
    await eventually(async () =>
      eventsOf(inboxAll, [a.showId, b.showId]).length >= both.length ? true : undefined,
    );
    expect(eventsOf(inboxAll, [a.showId, b.showId])).toEqual(both);
    await eventually(async () =>
      eventsOf(inboxA, [a.showId]).length >= expectedA.length &&
      eventsOf(inboxB, [b.showId]).length >= expectedB.length
        ? true
        : undefined,
    );

    // Each organization's webhook got exactly its own show's events, and nothing else.
    expect(eventsOf(inboxA, [a.showId])).toEqual(expectedA);
    expect(eventsOf(inboxB, [b.showId])).toEqual(expectedB);
    expect(inboxA.every((d) => d.showId === a.showId && d.verified)).toBe(true);
    expect(inboxB.every((d) => d.showId === b.showId && d.verified)).toBe(true);
    expect(inboxAll.every((d) => d.verified)).toBe(true);

    // What each webhook's object holds agrees: the events of its organization's show only.
    const eventIdsOf = (showId: string) =>
      new Set(inboxAll.filter((d) => d.showId === showId).map((d) => d.id));
    for (const [hook, showId, organizer] of [
      [hookA, a.showId, a.organizer],
      [hookB, b.showId, b.organizer],
    ] as const) {
      const held = await deliveriesOf(hook.webhook_id, organizer);
      expect(new Set(held.map((d) => d.event_id))).toEqual(eventIdsOf(showId));
    }
  });
});

describe("an organizer's webhooks", () => {
  it("are the only ones it lists, and another organization's cannot be deleted or read (404)", async () => {
    const a = await organizationWithShow("Listing chain A");
    const b = await organizationWithShow("Listing chain B");
    const hookA = await createWebhook(a.organizer, "https://crm-a.example.com/hooks");
    const hookB = await createWebhook(b.organizer, "https://crm-b.example.com/hooks");
    const platform = await createWebhook(await adminToken(), "https://ops.example.com/hooks");

    expect(await listWebhooks(a.organizer)).toEqual([hookA.webhook_id]);
    expect(await listWebhooks(b.organizer)).toEqual([hookB.webhook_id]);
    expect(await listWebhooks(await adminToken())).toEqual(
      expect.arrayContaining([hookA.webhook_id, hookB.webhook_id, platform.webhook_id]),
    );

    for (const other of [hookB.webhook_id, platform.webhook_id]) {
      const deleted = await call("DELETE", `/v1/webhooks/${other}`, { token: a.organizer });
      await expectError(deleted, 404, "NOT_FOUND");
      const read = await call("GET", `/v1/webhooks/${other}/deliveries`, { token: a.organizer });
      await expectError(read, 404, "NOT_FOUND");
    }
    expect(await listWebhooks(b.organizer)).toEqual([hookB.webhook_id]);
    expect(await listWebhooks(await adminToken())).toContain(platform.webhook_id);

    // Its own it deletes.
    const own = await call("DELETE", `/v1/webhooks/${hookA.webhook_id}`, { token: a.organizer });
    expect(own.status).toBe(200);
    expect(await listWebhooks(a.organizer)).toEqual([]);
  });

  it("cannot be made for another organization: naming its org_id is 404", async () => {
    const a = await organizationWithShow("Creating chain A");
    const b = await organizationWithShow("Creating chain B");
    const res = await call("POST", "/v1/webhooks", {
      token: a.organizer,
      body: { url: "https://crm-a.example.com/hooks", events: EVENTS, org_id: b.orgId },
    });
    await expectError(res, 404, "NOT_FOUND");
    expect(await listWebhooks(b.organizer)).toEqual([]);
    expect(await listWebhooks(a.organizer)).toEqual([]);
  });
});
