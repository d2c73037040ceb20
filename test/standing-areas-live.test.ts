import { describe, expect, it, vi } from "vitest";
import { type AreaCountsJson, festivalShow } from "./support/area-helpers.ts";
import { lockSeats, tokenFor } from "./support/helpers.ts";
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
