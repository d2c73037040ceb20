import { describe, expect, it } from "vitest";
import { attendance, reentryShow, scan } from "./support/reentry-helpers.ts";
import { scannerToken } from "./support/tickets-helpers.ts";

describe("re-entry under concurrency", () => {
  it("lets one of two gates scanning the same ticket in at the same moment through, and counts one entry", async () => {
    const { showId, tickets } = await reentryShow(1);
    const [ticket] = tickets;
    if (!ticket) throw new Error("a ticket expected");
    const [north, south] = await Promise.all([scannerToken("gate_n"), scannerToken("gate_s")]);
    const answers = await Promise.all([
      scan(north, ticket, "in", "North"),
      scan(south, ticket, "in", "South"),
    ]);
    expect(answers.map((res) => res.status).sort()).toEqual([200, 409]);
    const refused = answers.find((res) => res.status === 409);
    const body = (await refused?.json()) as { error: { code: string } };
    expect(body.error.code).toBe("TICKET_ALREADY_INSIDE");
    expect(await attendance(showId, north)).toMatchObject({ inside: 1, entered: 1, exited: 0 });
  });

  it("lets one of ten simultaneous out scans of a ticket inside through", async () => {
    const { showId, tickets } = await reentryShow(1);
    const [ticket] = tickets;
    if (!ticket) throw new Error("a ticket expected");
    const scanner = await scannerToken();
    expect((await scan(scanner, ticket, "in", "North")).status).toBe(200);
    const gates = await Promise.all(Array.from({ length: 10 }, (_, i) => scannerToken(`g${i}`)));
    const answers = await Promise.all(gates.map((g, i) => scan(g, ticket, "out", `G${i}`)));
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
    expect(await attendance(showId, scanner)).toMatchObject({ inside: 0, entered: 1, exited: 1 });
  });
});
