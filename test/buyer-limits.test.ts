import { describe, expect, it } from "vitest";
import {
  adminToken,
  call,
  createShow,
  expectError,
  type LockJson,
  lockSeats,
  rowSeats,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";

/**
 * Who may buy when and how much (docs/api.md, "Sale settings"): the per-buyer limit over
 * live locks and bookings, decided in the show object with the lock so parallel requests
 * cannot get around it, and the sale's window.
 */

async function patchShow(showId: string, body: Record<string, unknown>) {
  const res = await call("PATCH", `/v1/shows/${showId}`, { token: await adminToken(), body });
  if (res.status !== 200) throw new Error(`PATCH ${res.status}: ${await res.text()}`);
}

function lockBody(showId: string, seats: string[]) {
  return { show_id: showId, seat_ids: seats };
}

describe("a show's per-buyer limit", () => {
  it("lets one buyer's parallel locks take at most the limit, and says how many remain", async () => {
    const { showId } = await createShow();
    await patchShow(showId, { max_tickets_per_user: 4 });
    const token = await tokenFor("user_limit_parallel");
    const row = rowSeats(await seatMap(showId), "C");
    const pairs = [0, 2, 4, 6, 8].map((i) => row.slice(i, i + 2));

    const answers = await Promise.all(
      pairs.map((pair) => lockSeats(token, lockBody(showId, pair))),
    );

    const ok = answers.filter((res) => res.status === 200);
    expect(ok).toHaveLength(2);
    for (const res of answers.filter((r) => r.status !== 200)) {
      const error = await expectError(res, 400, "TICKET_LIMIT_REACHED");
      expect(error.details).toMatchObject({ limit: 4, remaining: 0, held: 4 });
    }
    const locked = (await seatMap(showId)).seats.filter((s) => s.status === "locked");
    expect(locked).toHaveLength(4);
  });

  it("counts booked seats, gives seats back when a lock is released, and spares other buyers", async () => {
    const { showId } = await createShow();
    await patchShow(showId, { max_tickets_per_user: 3 });
    const token = await tokenFor("user_limit_book");
    const row = rowSeats(await seatMap(showId), "D");
    const first = await lockSeats(token, lockBody(showId, row.slice(0, 2)));
    const lock = (await first.json()) as LockJson;
    const booked = await call("POST", "/v1/bookings", {
      token,
      headers: { "Idempotency-Key": `limit-${showId}` },
      body: {
        show_id: showId,
        lock_id: lock.lock_id,
        seat_ids: lock.seat_ids,
        user_id: "user_limit_book",
        payment_method: {
          type: "credit_card",
          card_number: "4111111111111111",
          expiry_month: 12,
          expiry_year: 2030,
          cvv: "123",
        },
      },
    });
    expect(booked.status).toBe(201);

    const tooMany = await lockSeats(token, lockBody(showId, row.slice(2, 4)));
    const one = await lockSeats(token, lockBody(showId, row.slice(2, 3)));
    const other = await lockSeats(
      await tokenFor("user_limit_other"),
      lockBody(showId, row.slice(4, 7)),
    );

    const error = await expectError(tooMany, 400, "TICKET_LIMIT_REACHED");
    expect(error.details).toMatchObject({ limit: 3, remaining: 1 });
    expect(one.status).toBe(200);
    expect(other.status).toBe(200);
    const oneLock = (await one.json()) as LockJson;
    await call("DELETE", `/v1/seats/lock/${oneLock.lock_id}`, { token });
    expect((await lockSeats(token, lockBody(showId, row.slice(7, 8)))).status).toBe(200);
  });

  it("is shown in the show, and cleared with null", async () => {
    const { showId } = await createShow();
    await patchShow(showId, { max_tickets_per_user: 2 });
    const read = await call("GET", `/v1/shows/${showId}`);
    expect(((await read.json()) as { show: { max_tickets_per_user: number } }).show).toMatchObject({
      max_tickets_per_user: 2,
    });

    await patchShow(showId, { max_tickets_per_user: null });
    const token = await tokenFor("user_limit_cleared");
    const row = rowSeats(await seatMap(showId), "C");

    expect((await lockSeats(token, lockBody(showId, row.slice(0, 5)))).status).toBe(200);
  });
});

describe("a show's sale window", () => {
  it("refuses locks before sales_start with 400 SALE_NOT_STARTED naming it", async () => {
    const { showId } = await createShow();
    const start = new Date(Date.now() + 3_600_000).toISOString();
    await patchShow(showId, { sales_start: start });

    const res = await lockSeats(await tokenFor("user_early"), { show_id: showId, quantity: 1 });

    const error = await expectError(res, 400, "SALE_NOT_STARTED");
    expect(error.details).toEqual({ sales_start: start });
  });

  it("refuses locks after sales_end with 400 SALE_ENDED naming it", async () => {
    const { showId } = await createShow();
    const end = new Date(Date.now() - 60_000).toISOString();
    await patchShow(showId, { sales_end: end });

    const res = await lockSeats(await tokenFor("user_late"), { show_id: showId, quantity: 1 });

    const error = await expectError(res, 400, "SALE_ENDED");
    expect(error.details).toEqual({ sales_end: end });
  });

  it("refuses a sales_end before sales_start with 400 naming sales_end, changing nothing", async () => {
    const { showId } = await createShow();
    const res = await call("PATCH", `/v1/shows/${showId}`, {
      token: await adminToken(),
      body: {
        sales_start: new Date(Date.now() + 7_200_000).toISOString(),
        sales_end: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });

    const error = await expectError(res, 400, "INVALID_INPUT");
    expect(error.details?.field).toBe("sales_end");
    const read = await call("GET", `/v1/shows/${showId}`);
    expect(((await read.json()) as { show: { sales_start: null } }).show.sales_start).toBeNull();
  });

  it("opens the waiting room at sales_start when it is turned on without opens_at", async () => {
    const { showId } = await createShow();
    const start = new Date(Date.now() + 3_600_000).toISOString();
    await patchShow(showId, { sales_start: start });

    const res = await call("PUT", `/v1/shows/${showId}/queue`, {
      token: await adminToken(),
      body: { admit_per_minute: 100 },
    });

    expect(res.status).toBe(200);
    expect(((await res.json()) as { opens_at: string }).opens_at).toBe(start);
  });
});
