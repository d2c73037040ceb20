import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { signPass } from "../src/queue/queue-tokens.ts";
import {
  call,
  card,
  createShow,
  expectError,
  newKey,
  postBooking,
  rowSeats,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";
import {
  join,
  QueueDriver,
  queuedShow,
  statusBody,
  turnQueueOff,
  turnQueuesOff,
} from "./support/queue-helpers.ts";
import { sleep } from "./support/time.ts";

afterEach(turnQueuesOff);

async function queuedGateShow() {
  const { showId, driver } = await queuedShow({ admit_per_minute: 600 }, { realClock: true });
  const seats = rowSeats(await seatMap(showId), "A").slice(0, 2);
  const { generation } = (await driver.snapshot()).settings;
  return { showId, seats, generation };
}

function lock(token: string, showId: string, seats: string[], pass?: string) {
  return call("POST", "/v1/seats/lock", {
    token,
    body: { show_id: showId, seat_ids: seats },
    headers: pass ? { "X-Queue-Pass": pass } : {},
  });
}

const passFor = (
  userId: string,
  showId: string,
  generation: number,
  expiresAt = Date.now() + 600_000,
) => signPass({ userId, showId, generation, expiresAt }, env.JWT_SECRET);

describe("locking seats while the show's waiting room is on", () => {
  it("is refused without a pass, with 403 QUEUE_REQUIRED and where to join", async () => {
    const { showId, seats } = await queuedGateShow();
    const res = await lock(await tokenFor("user_no_pass"), showId, seats);
    const error = await expectError(res, 403, "QUEUE_REQUIRED");
    expect(error.details?.join_url).toBe(`/v1/shows/${showId}/queue/join`);
  });

  it("is refused with an expired pass, another user's, another show's or a forged one", async () => {
    const { showId, seats, generation } = await queuedGateShow();
    const other = await createShow();
    const token = await tokenFor("user_bad_pass");
    const genuine = await passFor("user_bad_pass", showId, generation);
    const cases: [string, string][] = [
      [await passFor("user_bad_pass", showId, generation, Date.now() - 1_000), "expired"],
      [await passFor("user_someone_else", showId, generation), "issued to another user"],
      [await passFor("user_bad_pass", other.showId, generation), "issued for another show"],
      [`${genuine.split(".")[0]}.AAAA`, "not a pass issued by this service"],
    ];
    for (const [pass, reason] of cases) {
      const error = await expectError(
        await lock(token, showId, seats, pass),
        403,
        "QUEUE_PASS_INVALID",
      );
      expect(error.details).toMatchObject({ reason, join_url: `/v1/shows/${showId}/queue/join` });
    }
  });

  it("lets a holder admitted through the queue lock, book and pay with the pass", async () => {
    const { showId, seats } = await queuedGateShow();
    const driver = new QueueDriver(showId);
    await driver.useTestClock();
    const buyer = await join(showId, "user_admitted_buyer");
    // A later millisecond: a join's order key is its time (src/queue/queue-order.ts).
    await sleep(3);
    await driver.tick(1_000);
    const admitted = await statusBody(showId, buyer.ticket);
    expect(admitted.admitted).toBe(true);
    const pass = admitted.admitted ? (admitted.queue_pass ?? undefined) : undefined;
    const locked = await lock(buyer.token, showId, seats, pass);
    expect(locked.status).toBe(200);
    const { lock_id } = (await locked.json()) as { lock_id: string };
    const booking = await postBooking(buyer.token, {
      show_id: showId,
      lock_id,
      seat_ids: seats,
      user_id: buyer.user,
    });
    expect(booking.status).toBe(201);
    const { booking: pending } = (await booking.json()) as {
      booking: { booking_id: string; total_amount: number; status: string };
    };
    expect(pending.status).toBe("pending");
    const paid = await call("POST", "/v1/payments", {
      token: buyer.token,
      headers: { "Idempotency-Key": newKey() },
      body: {
        booking_id: pending.booking_id,
        amount: pending.total_amount,
        payment_method: card(),
      },
    });
    expect(paid.status).toBe(200);
    expect(await paid.json()).toMatchObject({ status: "succeeded" });
  });

  it("asks for nothing once the queue is turned off", async () => {
    const { showId, seats } = await queuedGateShow();
    await turnQueueOff(showId);
    const res = await lock(await tokenFor("user_after_queue"), showId, seats);
    expect(res.status).toBe(200);
  });
});
