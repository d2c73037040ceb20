import { abortAllDurableObjects } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { D1Outbox } from "../src/show/d1/d1-outbox.ts";
import {
  bookingBody,
  call,
  card,
  ledger,
  lockedSeats,
  newKey,
  postBooking,
} from "./support/helpers.ts";

/**
 * Sends a request whose effect is committed in the show object, then stops the object
 * while it waits for D1 (which never answers), before the client hears anything.
 */
async function cutOffWhileWritingD1(send: () => Promise<Response>): Promise<void> {
  vi.spyOn(console, "error").mockImplementation(() => {});
  const hang = vi
    .spyOn(D1Outbox.prototype, "flush")
    .mockImplementation(() => new Promise<boolean>(() => {}));
  const cutOff = send().catch((err: unknown) => err);
  await vi.waitFor(() => expect(hang).toHaveBeenCalled(), { timeout: 3_000 });
  await abortAllDurableObjects();
  await cutOff;
  hang.mockRestore();
}

describe("an Idempotency-Key retried after the object stopped", () => {
  it("replays the booking paid at once, with one charge", async () => {
    const ctx = await lockedSeats(2);
    const key = newKey();
    const body = bookingBody(ctx);
    await cutOffWhileWritingD1(() => postBooking(ctx.token, body, key));
    const retry = await postBooking(ctx.token, body, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    const { booking } = (await retry.json()) as {
      booking: { booking_id: string; status: string };
    };
    expect(booking.status).toBe("confirmed");
    const charges = (await ledger()).filter((c) => c.reference === booking.booking_id);
    expect(charges.map((c) => c.status)).toEqual(["succeeded"]);
  });

  it("replays a pending booking", async () => {
    const ctx = await lockedSeats(1);
    const key = newKey();
    const body = bookingBody(ctx, {});
    await cutOffWhileWritingD1(() => postBooking(ctx.token, body, key));
    const retry = await postBooking(ctx.token, body, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(((await retry.json()) as { booking: { status: string } }).booking.status).toBe(
      "pending",
    );
  });

  it("replays a payment of a pending booking, with one charge", async () => {
    const ctx = await lockedSeats(1);
    const created = await postBooking(ctx.token, bookingBody(ctx, {}));
    const { booking } = (await created.json()) as {
      booking: { booking_id: string; total_amount: number };
    };
    const key = newKey();
    const payment = {
      booking_id: booking.booking_id,
      amount: booking.total_amount,
      payment_method: card(),
    };
    const pay = () =>
      call("POST", "/v1/payments", {
        token: ctx.token,
        body: payment,
        headers: { "Idempotency-Key": key },
      });
    await cutOffWhileWritingD1(pay);
    const retry = await pay();
    expect(retry.status).toBe(200);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(((await retry.json()) as { status: string }).status).toBe("succeeded");
    const charges = (await ledger()).filter((c) => c.reference === booking.booking_id);
    expect(charges.map((c) => c.status)).toEqual(["succeeded"]);
  });
});
