import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { stubOf } from "./support/helpers.ts";
import {
  entryOf,
  expectSeatBookConsistent,
  joinWaitlist,
  releaseLock,
  soldOutShow,
} from "./support/waitlist-helpers.ts";
import { eventually, Receiver, webhooksForEachTest } from "./support/webhooks-receiver.ts";

/**
 * The buyer hears of an offer through the organizer's `waitlist.offered` webhook, and the
 * line outlives the show object: it is in the object's SQLite, rebuilt on load.
 */

const webhookFor = webhooksForEachTest(["waitlist.offered"]);

describe("the waitlist.offered event", () => {
  it("carries the buyer, the offered lock, its seats, its end and where to book it", async () => {
    const receiver = new Receiver("http://127.0.0.1:9811/hooks");
    await webhookFor(receiver);
    const { showId, sellerToken, locks } = await soldOutShow();
    await joinWaitlist(showId, "user_notified", { quantity: 2 });
    const freed = locks[0];
    if (!freed) throw new Error("no lock");

    await releaseLock(sellerToken, freed.lock_id);

    const event = await eventually(async () =>
      receiver.received.find((r) => r.type === "waitlist.offered" && r.data.show_id === showId),
    );
    const { offer } = await entryOf(showId, "user_notified");
    expect(event.verified).toBe(true);
    expect(event.data).toEqual({
      show_id: showId,
      user_id: "user_notified",
      lock_id: offer?.lock_id,
      seat_ids: offer?.seat_ids,
      expires_at: offer?.expires_at,
      offer_url: `https://tickets.example.com/?show=${showId}`,
    });
  });
});

describe("a restarted show object", () => {
  it("keeps the line and its order, and still offers released seats to the first", async () => {
    const { showId, sellerToken, locks } = await soldOutShow();
    await joinWaitlist(showId, "user_first_in_line", { quantity: 1 });
    await joinWaitlist(showId, "user_second_in_line", { quantity: 1 });
    const freed = locks[0];
    if (!freed) throw new Error("no lock");

    await evictDurableObject(stubOf(showId));
    await releaseLock(sellerToken, freed.lock_id);

    const first = await entryOf(showId, "user_first_in_line");
    const second = await entryOf(showId, "user_second_in_line");
    expect(first).toMatchObject({ position: 1, status: "offered" });
    expect(second).toMatchObject({ position: 2, status: "offered" });
    const offered = [...(first.offer?.seat_ids ?? []), ...(second.offer?.seat_ids ?? [])];
    expect(offered.sort()).toEqual([...freed.seat_ids].sort());
    await expectSeatBookConsistent(showId);
  });
});
