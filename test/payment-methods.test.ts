import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/app.ts";
import {
  BASE,
  bookingBody,
  card,
  type ErrorBody,
  ledger,
  lockedSeats,
  newKey,
  seatMap,
} from "./support/helpers.ts";

/**
 * Which payment methods a deployment takes: raw card fields only with the simulated
 * provider (card data never reaches our server with a real one), a provider's token only
 * with that provider. A refused method is 400 naming `payment_method`, and changes nothing.
 */

/** POST /v1/bookings through the app with `provider` configured. */
async function bookWith(
  provider: string,
  ctx: Awaited<ReturnType<typeof lockedSeats>>,
  method: unknown,
) {
  const execution = createExecutionContext();
  const res = await app.request(
    `${BASE}/v1/bookings`,
    {
      method: "POST",
      headers: {
        Authorization: `Bearer ${ctx.token}`,
        "Content-Type": "application/json",
        "Idempotency-Key": newKey(),
      },
      body: JSON.stringify(bookingBody(ctx, { payment_method: method })),
    },
    { ...env, PAYMENT_PROVIDER: provider },
    execution,
  );
  await waitOnExecutionContext(execution);
  return res;
}

async function expectRefused(res: Response, reason: RegExp) {
  expect(res.status).toBe(400);
  const { error } = (await res.json()) as ErrorBody;
  expect(error.code).toBe("INVALID_INPUT");
  expect(error.details?.field).toBe("payment_method");
  expect(String(error.details?.reason)).toMatch(reason);
}

describe("card fields with a real provider configured", () => {
  it("are refused with 400 naming payment_method, saying card data never reaches the server", async () => {
    const ctx = await lockedSeats(1, "user_card_to_stripe");
    const before = (await ledger()).length;
    const res = await bookWith("stripe", ctx, card());
    await expectRefused(res, /card data never reaches this server/);
    expect((await ledger()).length).toBe(before);
    const seat = (await seatMap(ctx.showId)).seats.find((s) => s.seat_id === ctx.seats[0]);
    expect(seat?.status).toBe("locked");
  });
});

describe("a Stripe token with the simulated provider", () => {
  it("is refused with 400 naming payment_method", async () => {
    const ctx = await lockedSeats(1, "user_token_to_simulator");
    const res = await bookWith("simulated", ctx, {
      type: "stripe",
      payment_method: "pm_card_visa",
    });
    await expectRefused(res, /not Stripe/);
  });

  it("must look like a PaymentMethod id, and nothing else may come with it", async () => {
    const ctx = await lockedSeats(1, "user_token_shape");
    const bad = await bookWith("stripe", ctx, { type: "stripe", payment_method: "tok_123" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorBody).error.details?.field).toMatch(/^payment_method/);
    const extra = await bookWith("stripe", ctx, {
      type: "stripe",
      payment_method: "pm_card_visa",
      card_number: "4242424242424242",
    });
    expect(extra.status).toBe(400);
  });
});
