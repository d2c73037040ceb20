import { describe, expect, it } from "vitest";
import {
  bookedTicket,
  bookingWithTickets,
  checkIn,
  readTicket,
  scannerToken,
} from "./support/tickets-helpers.ts";

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

  it("admits one of two gates scanning the same seat's ticket at once, and leaves the party's other tickets valid", async () => {
    const { tickets, token } = await bookingWithTickets(3);
    const [first, second, third] = tickets;
    if (!first || !second || !third) throw new Error("three tickets expected");
    const [north, south] = await Promise.all([scannerToken("gate_n"), scannerToken("gate_s")]);
    const answers = await Promise.all([
      checkIn(north, { token: second.token, gate: "North" }),
      checkIn(south, { token: second.token, gate: "South" }),
    ]);
    expect(answers.map((res) => res.status).sort()).toEqual([200, 409]);
    expect((await readTicket(token, second.ticket_id)).status).toBe("used");
    expect((await readTicket(token, first.ticket_id)).status).toBe("valid");
    expect((await readTicket(token, third.ticket_id)).status).toBe("valid");
  });
});
