import { describe, expect, it } from "vitest";
import { bookedTicket, checkIn, scannerToken } from "./support/tickets-helpers.ts";

describe("check-in under concurrency", () => {
  it("admits one of 20 simultaneous scans of one ticket at 20 gates; the rest get 409", async () => {
    const { ticket } = await bookedTicket();
    const scanners = await Promise.all(
      Array.from({ length: 20 }, (_, i) => scannerToken(`gate_${i}`)),
    );
    const answers = await Promise.all(
      scanners.map((token, i) => checkIn(token, { token: ticket.token, gate: `G${i}` })),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const codes = await Promise.all(
      answers
        .filter((res) => res.status === 409)
        .map(async (res) => ((await res.json()) as { error: { code: string } }).error.code),
    );
    expect(new Set(codes)).toEqual(new Set(["TICKET_ALREADY_USED"]));
  });
});
