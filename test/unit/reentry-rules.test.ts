import { describe, expect, it } from "vitest";
import { type LoggedScan, lastAcceptedBefore, replay } from "../../src/show/seats/reentry-rules.ts";

/** Which of a ticket's scans count, without the runtime. */

let seq = 0;
function scanAt(at: number, direction: "in" | "out", deviceId = "A"): LoggedScan {
  seq += 1;
  return { seq, ticketId: "t", direction, at, gate: null, deviceId, scanId: null, accepted: false };
}

const counted = (scans: LoggedScan[]) =>
  replay(scans).scans.map((s) => `${s.direction}@${s.at}:${s.accepted ? "yes" : "no"}`);

describe("re-entry's rule", () => {
  it("counts scans that alternate from in, in time order, whatever order they are given in", () => {
    const scans = [scanAt(30, "out"), scanAt(10, "in"), scanAt(20, "in"), scanAt(40, "in")];
    expect(counted(scans)).toEqual(["in@10:yes", "in@20:no", "out@30:yes", "in@40:yes"]);
    expect(counted([...scans].reverse())).toEqual(counted(scans));
    const result = replay(scans);
    expect(result.inside).toBe(true);
    expect(result.checkin?.at).toBe(10);
  });

  it("counts no out before the first in, and no check-in without an in", () => {
    const result = replay([scanAt(5, "out"), scanAt(6, "out")]);
    expect(result.scans.map((s) => s.accepted)).toEqual([false, false]);
    expect(result).toMatchObject({ inside: false, checkin: undefined });
  });

  it("breaks a tie of instants by device id, so every order of syncing agrees", () => {
    const b = scanAt(10, "in", "B");
    const a = scanAt(10, "in", "A");
    const judged = replay([b, a]).scans;
    expect(judged.map((s) => [s.deviceId, s.accepted])).toEqual([
      ["A", true],
      ["B", false],
    ]);
    expect(lastAcceptedBefore(judged, 1)?.deviceId).toBe("A");
  });
});
