import { describe, expect, it } from "vitest";
import { adminToken, call, createShow, type SeatMapJson, seatMap } from "./support/helpers.ts";
import { reaches, watch } from "./support/live-viewer.ts";

/**
 * New prices change what the seat map shows, so they change its version and ETag like a
 * seat's change does: no reader may keep the old prices (from its ETag or a cache) while
 * locks already charge the new ones.
 */

async function patchPrices(showId: string, prices: Record<string, number>): Promise<void> {
  const res = await call("PATCH", `/v1/shows/${showId}`, {
    token: await adminToken(),
    body: { prices },
  });
  expect(res.status).toBe(200);
}

const premiumPrice = (map: SeatMapJson) => map.seats.find((s) => s.zone === "premium")?.price;

describe("a price change", () => {
  it("moves the seat map's version and ETag on, so If-None-Match gets the new prices", async () => {
    const { showId } = await createShow({ premium: 500, standard: 300 });
    const before = await call("GET", `/v1/shows/${showId}/seats`);
    const etag = before.headers.get("ETag") ?? "";
    const { version } = (await before.json()) as SeatMapJson;
    await patchPrices(showId, { premium: 750 });
    const after = await call("GET", `/v1/shows/${showId}/seats`, {
      headers: { "If-None-Match": etag },
    });
    expect(after.status).toBe(200);
    expect(after.headers.get("ETag")).not.toBe(etag);
    const map = (await after.json()) as SeatMapJson;
    expect(map.version).toBe(version + 1);
    expect(premiumPrice(map)).toBe(750);
    expect(map.zones.premium?.price).toBe(750);
  });

  it("moves the compact status's version on too", async () => {
    const { showId } = await createShow();
    const before = await call("GET", `/v1/shows/${showId}/seats/status`);
    const etag = before.headers.get("ETag") ?? "";
    await patchPrices(showId, { standard: 350 });
    const after = await call("GET", `/v1/shows/${showId}/seats/status`, {
      headers: { "If-None-Match": etag },
    });
    expect(after.status).toBe(200);
    expect(after.headers.get("ETag")).not.toBe(etag);
  });

  it("reaches live viewers as a snapshot with the new prices and the new version", async () => {
    const { showId } = await createShow({ premium: 500, standard: 300 });
    const viewer = await watch(showId);
    const { version } = await seatMap(showId);
    await reaches(viewer, version);
    await patchPrices(showId, { premium: 900 });
    await reaches(viewer, version + 1);
    const snapshot = viewer.messages.findLast((m) => m.type === "snapshot") as unknown as
      | SeatMapJson
      | undefined;
    expect(snapshot?.version).toBe(version + 1);
    expect(snapshot && premiumPrice(snapshot)).toBe(900);
  });

  it("reaches compact viewers as statuses at the new version", async () => {
    const { showId } = await createShow();
    const viewer = await watch(showId, "?format=compact");
    const { version } = await seatMap(showId);
    await reaches(viewer, version);
    await patchPrices(showId, { premium: 650 });
    await reaches(viewer, version + 1);
    expect(viewer.messages.at(-1)?.type).toBe("status");
  });
});
