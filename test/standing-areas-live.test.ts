import { describe, expect, it, vi } from "vitest";
import { type AreaCountsJson, festivalShow } from "./support/area-helpers.ts";
import { adminToken, call, lockSeats, tokenFor } from "./support/helpers.ts";
import { watch } from "./support/live-viewer.ts";

/**
 * The live seat map of a show with a standing area: its snapshot carries the area's
 * counts, and every change that moves places carries the area's full counts, in both
 * formats, chaining with the seats' versions.
 */

type AreaMessage = { type: string; version?: number; areas?: AreaCountsJson[] };

describe("a standing area on the live seat map", () => {
  it("is in the snapshot and in each change that moves it, in the full and the compact format", async () => {
    const { showId } = await festivalShow(40);
    const full = await watch(showId);
    const compact = await watch(showId, "?format=compact");
    for (const viewer of [full, compact]) {
      await vi.waitFor(() => expect(viewer.messages.length).toBeGreaterThan(0), { timeout: 3_000 });
      const first = viewer.messages[0] as AreaMessage;
      expect(first.areas).toEqual([
        { zone: "floor", capacity: 40, available: 40, locked: 0, held: 0, booked: 0 },
      ]);
    }

    const res = await lockSeats(await tokenFor("user_live_floor"), {
      show_id: showId,
      areas: [{ zone: "floor", quantity: 3 }],
    });
    expect(res.status).toBe(200);

    for (const viewer of [full, compact]) {
      await vi.waitFor(
        () => {
          const change = viewer.messages.find((m) => m.type === "seats") as AreaMessage | undefined;
          expect(change?.areas).toEqual([
            { zone: "floor", capacity: 40, available: 37, locked: 3, held: 0, booked: 0 },
          ]);
        },
        { timeout: 3_000 },
      );
    }
    full.ws.close();
    compact.ws.close();
  });
});

describe("a standing area's live counts when places come back on a path that names no area", () => {
  it("are sent when a pending booking of places is cancelled, and when the show is cancelled", async () => {
    const { showId } = await festivalShow(10);
    const user = "user_pending_floor";
    const token = await tokenFor(user);
    const locked = await lockSeats(token, {
      show_id: showId,
      areas: [{ zone: "floor", quantity: 3 }],
    });
    const lock = (await locked.json()) as { lock_id: string; areas: unknown[] };
    const viewer = await watch(showId, "?format=compact");
    const pending = await call("POST", "/v1/bookings", {
      token,
      headers: { "Idempotency-Key": `pending-${showId}` },
      body: {
        show_id: showId,
        lock_id: lock.lock_id,
        seat_ids: [],
        areas: lock.areas,
        user_id: user,
      },
    });
    expect(pending.status).toBe(201);
    const { booking } = (await pending.json()) as { booking: { booking_id: string } };

    const cancelled = await call("POST", `/v1/bookings/${booking.booking_id}/cancel`, { token });
    expect(cancelled.status).toBe(200);
    const lastAreas = () =>
      (viewer.messages.filter((m) => (m as AreaMessage).areas).at(-1) as AreaMessage | undefined)
        ?.areas;
    await vi.waitFor(() => expect(lastAreas()?.[0]).toMatchObject({ locked: 0, available: 10 }), {
      timeout: 3_000,
    });

    await lockSeats(await tokenFor("user_before_cancel"), {
      show_id: showId,
      areas: [{ zone: "floor", quantity: 2 }],
    });
    await vi.waitFor(() => expect(lastAreas()?.[0]).toMatchObject({ locked: 2 }), {
      timeout: 3_000,
    });
    const cancel = await call("POST", `/v1/shows/${showId}/cancel`, {
      token: await adminToken(),
      body: { reason: "storm" },
    });
    expect(cancel.status).toBe(202);
    await vi.waitFor(() => expect(lastAreas()?.[0]).toMatchObject({ locked: 0, available: 10 }), {
      timeout: 3_000,
    });
    const late = await watch(showId, "?format=compact");
    await vi.waitFor(() => expect(late.messages.length).toBeGreaterThan(0), { timeout: 3_000 });
    expect((late.messages[0] as AreaMessage).areas?.[0]).toMatchObject({ locked: 0 });
    viewer.ws.close();
    late.ws.close();
  });
});
