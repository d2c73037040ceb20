import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ticketClient } from "../src/client.ts";
import { BASE, card, createShow, newKey, tokenFor } from "./support/helpers.ts";

/**
 * The typed client (src/client.ts) against the real Worker: the example of docs/api.md, lock →
 * book → read, compiled against the routes' declarations and run end to end.
 */

const viaWorker: typeof fetch = (input, init) => exports.default.fetch(input, init);

describe("the typed client", () => {
  it("locks the best seats, books them with a card and reads the booking back", async () => {
    const { showId } = await createShow();
    const api = ticketClient(BASE, { token: await tokenFor("user_client"), fetch: viaWorker });

    const locked = await api.v1.seats.lock.$post({
      json: { show_id: showId, quantity: 2, zone: "premium" },
      header: {},
    });
    expect(locked.status).toBe(200);
    if (locked.status !== 200) return;
    const lock = await locked.json();
    expect(lock.seat_ids).toHaveLength(2);

    const booked = await api.v1.bookings.$post({
      json: {
        show_id: showId,
        lock_id: lock.lock_id,
        seat_ids: lock.seat_ids,
        user_id: "user_client",
        payment_method: card(),
      },
      header: { "Idempotency-Key": newKey() },
    });
    expect(booked.status).toBe(201);
    if (booked.status !== 201) return;
    const { booking } = await booked.json();
    expect(booking.status).toBe("confirmed");

    const read = await api.v1.bookings[":booking_id"].$get({
      param: { booking_id: booking.booking_id },
    });
    expect(read.status).toBe(200);
    if (read.status !== 200) return;
    const detail = (await read.json()).booking;
    expect(detail.seats.map((seat) => seat.seat_id).sort()).toEqual([...lock.seat_ids].sort());
    expect(detail.total_amount).toBe(1000);
  });

  it("hands back the error envelope, typed, when the API refuses", async () => {
    const api = ticketClient(BASE, { fetch: viaWorker });
    const res = await api.v1.shows[":show_id"].$get({ param: { show_id: "show_missing" } });
    expect(res.status).toBe(404);
    if (res.status !== 404) return;
    const { error } = await res.json();
    expect(error.code).toBe("NOT_FOUND");
    expect(error.request_id).toBe(res.headers.get("X-Request-Id"));
  });
});
