import { describe, expect, it } from "vitest";
import {
  type BookingJson,
  bookingBody,
  call,
  card,
  createShow,
  expectError,
  type LockJson,
  lockSeats,
  newKey,
  postBooking,
  rowSeats,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";

/** The highest price a zone may have, and the most seats one lock (so one booking) holds. */
const MAX_PRICE = 1_000_000;
const MAX_SEATS = 10;

/** A pending booking of the ten seats of row A of a show whose premium zone costs `price`. */
async function pendingBookingOfTenSeats(price: number, user: string) {
  const { showId } = await createShow({ premium: price, standard: 300 });
  const token = await tokenFor(user);
  const seats = rowSeats(await seatMap(showId), "A").slice(0, MAX_SEATS);
  expect(seats).toHaveLength(MAX_SEATS);
  const locked = await lockSeats(token, { show_id: showId, seat_ids: seats });
  expect(locked.status).toBe(200);
  const lock = (await locked.json()) as LockJson;
  const created = await postBooking(token, bookingBody({ showId, token, user, seats, lock }, {}));
  expect(created.status).toBe(201);
  const { booking } = (await created.json()) as { booking: BookingJson };
  expect(booking.status).toBe("pending");
  return { token, booking };
}

function pay(token: string, body: Record<string, unknown>) {
  return call("POST", "/v1/payments", { token, body, headers: { "Idempotency-Key": newKey() } });
}

describe("POST /v1/payments amounts", () => {
  it("pays a pending booking of ten seats at the highest price, a total of 10,000,000", async () => {
    const { token, booking } = await pendingBookingOfTenSeats(MAX_PRICE, "user_pay_max");
    expect(booking.total_amount).toBe(MAX_PRICE * MAX_SEATS);
    const res = await pay(token, {
      booking_id: booking.booking_id,
      amount: booking.total_amount,
      payment_method: card(),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "succeeded", amount: 10_000_000 });
  });

  it("pays a total over 1,000,000 with two decimals", async () => {
    const { token, booking } = await pendingBookingOfTenSeats(999_999.99, "user_pay_cents");
    expect(booking.total_amount).toBe(9_999_999.9);
    const res = await pay(token, {
      booking_id: booking.booking_id,
      amount: 9_999_999.9,
      payment_method: card(),
    });
    expect(res.status).toBe(200);
  });

  it.each<[string, number]>([
    ["more than any booking can total", MAX_PRICE * MAX_SEATS + 0.01],
    ["negative", -1],
    ["more than two decimals", 1000.001],
    ["a float artefact of 0.1 + 0.2", 0.30000000000000004],
  ])("refuses an amount that is %s with 400 naming amount", async (_name, amount) => {
    const token = await tokenFor("user_pay_bad");
    const res = await pay(token, {
      booking_id: `booking_${"a".repeat(20)}_missing`,
      amount,
      payment_method: card(),
    });
    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details).toMatchObject({ field: "amount", reason: expect.any(String) });
  });
});
