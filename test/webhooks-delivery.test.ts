import { abortAllDurableObjects, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { TEST_CARDS } from "../src/payments/payment-simulator.ts";
import { WebhookEndpoint } from "../src/webhooks/webhook-endpoint.ts";
import { RETRY_WINDOW_MS, webhookRetryDelay } from "../src/webhooks/webhook-sender.ts";
import {
  call,
  card,
  createShow,
  lockSeats,
  postBooking,
  rowSeats,
  seatMap,
  stubOf,
  tokenFor,
} from "./support/helpers.ts";
import { travelTo } from "./support/time.ts";
import {
  type DeliveryJson,
  deleteWebhook,
  deliveries,
  endpointAlarm,
  eventually,
  Receiver,
  runNextDelivery,
  webhooksForEachTest,
} from "./support/webhooks-receiver.ts";

const ALL_EVENTS = [
  "booking.confirmed",
  "booking.cancelled",
  "booking.expired",
  "payment.refunded",
  "show.updated",
  "show.cancelled",
];

const webhookFor = webhooksForEachTest(ALL_EVENTS);

/** `user` locks `count` seats of `row` and books them: with a card (confirmed) or not (pending). */
async function book(showId: string, user: string, row: string, paid: boolean) {
  const token = await tokenFor(user, "user", 7 * 86_400);
  const seats = rowSeats(await seatMap(showId), row).slice(0, 2);
  const locked = await lockSeats(token, {
    show_id: showId,
    seat_ids: seats,
    lock_duration_seconds: 60,
  });
  const lock = (await locked.json()) as { lock_id: string };
  const res = await postBooking(token, {
    show_id: showId,
    lock_id: lock.lock_id,
    seat_ids: seats,
    user_id: user,
    ...(paid ? { payment_method: card() } : {}),
  });
  expect(res.status).toBe(201);
  const { booking } = (await res.json()) as { booking: { booking_id: string; status: string } };
  return { token, bookingId: booking.booking_id };
}

/** The deliveries of `showId`'s events, once there are `count` of them. */
async function deliveriesOf(webhookId: string, count: number): Promise<DeliveryJson[]> {
  return eventually(async () => {
    const listed = await deliveries(webhookId);
    return listed.length >= count ? listed : undefined;
  });
}

describe("a receiver on 127.0.0.1 that fails for a while, then recovers", () => {
  it("gets every event, each verified, in order per booking, repeats only under the same webhook-id", async () => {
    const receiver = new Receiver("http://127.0.0.1:9801/hooks");
    const webhook = await webhookFor(receiver);
    receiver.mode = "down";
    const { showId } = await createShow();
    const start = Date.now();

    // A: paid, then cancelled (refund); B: pending, then expires; C: paid.
    const a = await book(showId, "user_wh_a", "A", true);
    const cancelled = await call("POST", `/v1/bookings/${a.bookingId}/cancel`, { token: a.token });
    expect(cancelled.status).toBe(200);
    const b = await book(showId, "user_wh_b", "B", false);
    const c = await book(showId, "user_wh_c", "C", true);
    // The show hands events over with its D1 batch window: A's and C's are handed over
    // before the clock moves on.
    await deliveriesOf(webhook.webhook_id, 4);
    travelTo(start + 61_000);
    await seatMap(showId); // the read sees B's lock expire: B expires with it

    const expected = [
      [a.bookingId, "booking.confirmed"],
      [a.bookingId, "payment.refunded"],
      [a.bookingId, "booking.cancelled"],
      [b.bookingId, "booking.expired"],
      [c.bookingId, "booking.confirmed"],
    ];
    await deliveriesOf(webhook.webhook_id, expected.length);

    // Down, refusing connections, hanging past the timeout, then taking events but failing.
    // A's first event heads its booking's queue; each mode runs until it has been tried
    // (the queues' first tries were not all at one moment, so a run may try others only).
    const headId = (await deliveries(webhook.webhook_id))
      .filter((d) => d.type === "booking.confirmed")
      .sort((x, y) => Date.parse(x.occurred_at) - Date.parse(y.occurred_at))[0]?.event_id;
    const head = async () => {
      const found = (await deliveries(webhook.webhook_id)).find((d) => d.event_id === headId);
      if (!found) throw new Error("the head delivery is gone");
      return found;
    };
    const modes = ["down", "down", "unreachable", "hang", "take-then-fail"] as const;
    const waits: number[] = [];
    for (const mode of modes) {
      receiver.mode = mode;
      const tried = (await head()).attempts;
      for (let runs = 0; (await head()).attempts === tried; runs++) {
        expect(runs).toBeLessThan(5);
        expect(await runNextDelivery(webhook.webhook_id)).toBe(true);
      }
      const after = await head();
      waits.push(Date.parse(after.next_attempt_at ?? "") - Date.parse(after.last_attempt_at ?? ""));
    }
    // Backoff: each wait is longer than the one before.
    for (let i = 1; i < waits.length; i++) {
      expect(waits[i] ?? 0).toBeGreaterThan(waits[i - 1] ?? 0);
    }
    const waiting = await deliveries(webhook.webhook_id);
    const first = waiting.find((d) => d.event_id === headId);
    expect(first?.status).toBe("pending");
    expect(first?.attempts).toBeGreaterThanOrEqual(modes.length);
    expect(first?.last_response_status).toBe(500);
    expect(first?.next_attempt_at).not.toBeNull();
    expect(first?.recent_attempts.map((t) => t.response_status)).toEqual(
      expect.arrayContaining([500, null, 503]),
    );

    // A restart in the middle loses nothing: deliveries are in the object's storage.
    await abortAllDurableObjects();
    receiver.mode = "up";
    for (let i = 0; i < 5 && (await runNextDelivery(webhook.webhook_id)); i++);

    const listed = await deliveries(webhook.webhook_id);
    const ours = listed.filter((d) => expected.some(([, type]) => type === d.type));
    expect(ours.every((d) => d.status === "delivered" && d.next_attempt_at === null)).toBe(true);
    expect(receiver.received.every((r) => r.verified)).toBe(true);

    // Every event arrived; a repeat carries the id and the bytes of the first delivery.
    const byId = new Map<string, string>();
    for (const r of receiver.received) {
      const first = byId.get(r.id);
      if (first !== undefined) expect(r.body).toBe(first);
      byId.set(r.id, r.body);
    }
    expect(receiver.received.length).toBeGreaterThan(byId.size); // take-then-fail repeated some
    const firsts = [...byId.values()].map(
      (body) => JSON.parse(body) as { type: string; data: { booking_id: string } },
    );
    const got = firsts
      .filter((e) => [a.bookingId, b.bookingId, c.bookingId].includes(e.data.booking_id))
      .map((e) => [e.data.booking_id, e.type]);
    expect(new Set(byId.keys()).size).toBe(listed.filter((d) => d.status === "delivered").length);
    for (const bookingId of [a.bookingId, b.bookingId, c.bookingId]) {
      expect(got.filter(([id]) => id === bookingId)).toEqual(
        expected.filter(([id]) => id === bookingId),
      );
    }
    const refund = firsts.find((e) => e.type === "payment.refunded");
    expect(refund?.data).toMatchObject({ booking_id: a.bookingId, show_id: showId });
  });
});

describe("the retry schedule", () => {
  it("doubles from 5 seconds up to 4 hours and keeps going for 24 hours", () => {
    expect([1, 2, 3, 4].map(webhookRetryDelay)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(webhookRetryDelay(40)).toBe(4 * 3600_000);
    let elapsed = 0;
    let tries = 1;
    while (elapsed < RETRY_WINDOW_MS) elapsed += webhookRetryDelay(tries++);
    expect(tries).toBeGreaterThan(12);
    expect(elapsed).toBeGreaterThanOrEqual(24 * 3600_000);
  });

  it("gives a delivery up only after 24 hours of failures, and then sends the booking's next event", async () => {
    const receiver = new Receiver("http://127.0.0.1:9802/hooks");
    const webhook = await webhookFor(receiver);
    receiver.mode = "down";
    const { showId } = await createShow();
    const start = Date.now();
    const a = await book(showId, "user_wh_late", "A", true);
    await call("POST", `/v1/bookings/${a.bookingId}/cancel`, { token: a.token });
    await deliveriesOf(webhook.webhook_id, 3);
    for (;;) {
      const at = await endpointAlarm(webhook.webhook_id);
      if (at === null || at >= start + RETRY_WINDOW_MS) break;
      await runNextDelivery(webhook.webhook_id);
      const [confirmed] = (await deliveries(webhook.webhook_id)).filter(
        (d) => d.type === "booking.confirmed",
      );
      expect(confirmed?.status).toBe("pending");
    }
    // Still failing a day later: given up; the booking's next event goes out in its turn.
    travelTo(start + RETRY_WINDOW_MS + 60_000);
    for (let i = 0; i < 3; i++) await runNextDelivery(webhook.webhook_id);
    receiver.mode = "up";
    for (let i = 0; i < 3; i++) await runNextDelivery(webhook.webhook_id);
    const listed = await deliveries(webhook.webhook_id);
    expect(listed.find((d) => d.type === "booking.confirmed")?.status).toBe("failed");
    expect(receiver.received.map((r) => r.type)).toEqual(["payment.refunded", "booking.cancelled"]);
  });
});

describe("the hand-over from the show object", () => {
  it("sends no event for a change that did not happen (a declined card)", async () => {
    const receiver = new Receiver("http://127.0.0.1:9803/hooks");
    const webhook = await webhookFor(receiver);
    const { showId } = await createShow();
    const token = await tokenFor("user_wh_declined");
    const seats = rowSeats(await seatMap(showId), "A").slice(0, 1);
    const lock = (await (await lockSeats(token, { show_id: showId, seat_ids: seats })).json()) as {
      lock_id: string;
    };
    const declined = await postBooking(token, {
      show_id: showId,
      lock_id: lock.lock_id,
      seat_ids: seats,
      user_id: "user_wh_declined",
      payment_method: card(TEST_CARDS.declined),
    });
    expect(declined.status).toBe(422);
    const paid = await postBooking(token, {
      show_id: showId,
      lock_id: lock.lock_id,
      seat_ids: seats,
      user_id: "user_wh_declined",
      payment_method: card(),
    });
    expect(paid.status).toBe(201);
    const listed = await deliveriesOf(webhook.webhook_id, 1);
    expect(listed.map((d) => d.type)).toEqual(["booking.confirmed"]);
  });

  it("keeps events in the show's storage while the webhook object cannot take them, and its alarm hands them over", async () => {
    const receiver = new Receiver("http://127.0.0.1:9804/hooks");
    const webhook = await webhookFor(receiver, ["booking.confirmed"]);
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const accept = vi.spyOn(WebhookEndpoint.prototype, "accept").mockImplementation(async () => {
      throw new Error("webhook object unavailable");
    });
    const { showId } = await createShow();
    const a = await book(showId, "user_wh_handover", "A", true);
    await eventually(async () => (accept.mock.calls.length > 0 ? true : undefined));
    expect(await deliveries(webhook.webhook_id)).toEqual([]);
    accept.mockRestore();
    // The show object keeps the event, and its alarm (armed for the retry) hands it over.
    const show = stubOf(showId);
    await eventually(async () => ((await runDurableObjectAlarm(show)) ? true : undefined));
    const [delivery] = await deliveriesOf(webhook.webhook_id, 1);
    expect(delivery?.type).toBe("booking.confirmed");
    await eventually(async () => (receiver.received.length > 0 ? true : undefined));
    expect(receiver.received[0]?.data).toMatchObject({
      booking_id: a.bookingId,
      status: "confirmed",
    });
  });

  it("sends nothing more once the webhook is deleted", async () => {
    const receiver = new Receiver("http://127.0.0.1:9805/hooks");
    const webhook = await webhookFor(receiver);
    receiver.mode = "down";
    const { showId } = await createShow();
    await book(showId, "user_wh_deleted", "A", true);
    await deliveriesOf(webhook.webhook_id, 1);
    await runNextDelivery(webhook.webhook_id);
    const calls = receiver.calls;
    await deleteWebhook(webhook.webhook_id);
    receiver.mode = "up";
    expect(await runNextDelivery(webhook.webhook_id)).toBe(false);
    await book(showId, "user_wh_deleted2", "B", true);
    expect(receiver.calls).toBe(calls);
    const res = await call("GET", `/v1/webhooks/${webhook.webhook_id}/deliveries`, {
      token: await tokenFor("admin_wh", "admin"),
    });
    expect(res.status).toBe(404);
  });
});
