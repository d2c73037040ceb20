import { describe, expect, it, vi } from "vitest";
import { SeatRelay } from "../src/relay/seat-relay.ts";
import { ShowObject } from "../src/show/show-object.ts";
import { createShow, lockSeats, rowSeats, seatMap, tokenFor } from "./support/helpers.ts";
import { expectChained, reaches, statusesSeenBy, watch } from "./support/live-viewer.ts";

/**
 * A relay joins the show's feed with its first viewer, and the join awaits the layout
 * (megabytes for a stadium). A change published during that await must not make the relay
 * leave the feed: it would then accept the viewer and forward nothing ever again.
 */

/**
 * Holds every layout read until `release()`, and lets the relay take one publish first:
 * `published` resolves a turn after the relay queued the change, when it has acted on it.
 */
function slowLayoutAndFirstPublish() {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const layout = ShowObject.prototype.layout;
  vi.spyOn(ShowObject.prototype, "layout").mockImplementation(async function (this: ShowObject) {
    await gate;
    return layout.call(this);
  });
  const attached = vi.spyOn(ShowObject.prototype, "attachRelay");
  const publish = SeatRelay.prototype.publish;
  let taken = () => {};
  const published = new Promise<void>((resolve) => {
    taken = resolve;
  });
  vi.spyOn(SeatRelay.prototype, "publish").mockImplementation(function (this: SeatRelay, change) {
    publish.call(this, change);
    // The relay takes a change after one turn of the event loop; this runs after that.
    setTimeout(taken, 0);
  });
  return { release, attached, published };
}

/**
 * A viewer arriving (`query`) on a relay whose join is held at the layout while a lock
 * is published to it; then, once the viewer is in, a second lock. Answers the viewer, the
 * two seats and the version of the second lock.
 */
async function lockDuringJoin(showId: string, row: string, query = "") {
  const seats = rowSeats(await seatMap(showId), row);
  const token = await tokenFor(`user_join_race_${row}`);
  const slow = slowLayoutAndFirstPublish();
  const arriving = watch(showId, query);
  await vi.waitFor(() => expect(slow.attached).toHaveBeenCalled());
  expect((await lockSeats(token, { show_id: showId, seat_ids: [seats[0]] })).status).toBe(200);
  await slow.published;
  slow.release();
  const viewer = await arriving;
  vi.restoreAllMocks();
  expect((await lockSeats(token, { show_id: showId, seat_ids: [seats[1]] })).status).toBe(200);
  return { viewer, second: seats[1] ?? "", version: (await seatMap(showId)).version };
}

describe("a relay joining the feed while a change is published", () => {
  it("stays in the feed, so its viewer gets the changes after the snapshot", async () => {
    const { showId } = await createShow();
    const { viewer, second, version } = await lockDuringJoin(showId, "A");
    await reaches(viewer, version);
    expectChained(viewer);
    expect(statusesSeenBy(viewer).get(second)).toBe("locked");
  });

  it("resumes a viewer with `since` with no gap in its versions", async () => {
    const { showId } = await createShow();
    const since = (await seatMap(showId)).version;
    const { viewer, second, version } = await lockDuringJoin(showId, "B", `?since=${since}`);
    await reaches(viewer, version);
    expectChained(viewer);
    const first = viewer.messages[0];
    if (first?.type === "seats") expect(first.from_version).toBe(since);
    expect(statusesSeenBy(viewer).get(second)).toBe("locked");
  });
});

describe("a relay whose last viewer leaves while another arrives", () => {
  it("is in the feed again for the new viewer", async () => {
    const { showId } = await createShow();
    const seats = rowSeats(await seatMap(showId), "C");
    const token = await tokenFor("user_leave_race");
    const first = await watch(showId);
    await reaches(first, (await seatMap(showId)).version);
    first.ws.close(1000);
    const viewer = await watch(showId);
    expect((await lockSeats(token, { show_id: showId, seat_ids: [seats[0]] })).status).toBe(200);
    await reaches(viewer, (await seatMap(showId)).version);
    expectChained(viewer);
    expect(statusesSeenBy(viewer).get(seats[0] ?? "")).toBe("locked");
  });
});
