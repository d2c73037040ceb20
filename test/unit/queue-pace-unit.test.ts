import { describe, expect, it } from "vitest";
import { afterAdmitting, dueAt, nextDueAt, startPace } from "../../src/queue/admission-pace.ts";

describe("the admission pace", () => {
  it("admits admit_per_minute in a minute when the alarm fires when each entry falls due", () => {
    let pace = startPace(0);
    let now = 0;
    const admittedAt: number[] = [];
    while (now <= 60_000) {
      const due = dueAt(pace, 90, now);
      for (let i = 0; i < due; i++) admittedAt.push(now);
      pace = afterAdmitting(pace, due, due, now);
      now = nextDueAt(pace, 90, now);
    }
    expect(admittedAt.length).toBe(90);
    // Evenly: each 10 s holds a sixth of the minute's admissions.
    for (let start = 0; start < 60_000; start += 10_000) {
      const inWindow = admittedAt.filter((at) => at > start && at <= start + 10_000).length;
      expect(inWindow).toBe(15);
    }
  });

  it("banks nothing while the line is dry", () => {
    const pace = afterAdmitting(startPace(0), 0, 5, 10_000);
    expect(dueAt(pace, 60, 10_500)).toBe(0);
    expect(dueAt(pace, 60, 11_000)).toBe(1);
  });
});
