import { describe, expect, it } from "vitest";
import { expectError } from "./support/helpers.ts";
import { attendance, reentryShow, scan } from "./support/reentry-helpers.ts";
import { readTicket, scannerToken } from "./support/tickets-helpers.ts";

interface ScanAnswer {
  checkin: { ticket_id: string; checked_in_at: string; gate: string | null };
  scan: { direction: string; gate: string | null; inside: boolean };
}

async function accepted(res: Response): Promise<ScanAnswer> {
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as ScanAnswer;
}

describe("re-entry online, across two gates", () => {
  it("lets tickets in and out at two gates and counts entries and exits per gate and who is inside", async () => {
    const { showId, tickets, token } = await reentryShow(2);
    const [ana, ben] = tickets;
    if (!ana || !ben) throw new Error("two tickets expected");
    const [north, south] = await Promise.all([scannerToken("gate_n"), scannerToken("gate_s")]);

    const first = await accepted(await scan(north, ana, "in", "North"));
    expect(first.scan).toEqual({
      direction: "in",
      scanned_at: first.checkin.checked_in_at,
      gate: "North",
      inside: true,
    });
    await accepted(await scan(south, ben, "in", "South"));
    const out = await accepted(await scan(south, ana, "out", "South"));
    expect(out.scan).toMatchObject({ direction: "out", gate: "South", inside: false });
    // The check-in stays the first entry.
    expect(out.checkin).toEqual(first.checkin);
    const back = await accepted(await scan(south, ana, "in", "South"));
    expect(back.checkin).toEqual(first.checkin);
    await accepted(await scan(north, ben, "out", "North"));

    expect(await attendance(showId, north)).toEqual({
      show_id: showId,
      inside: 1,
      entered: 3,
      exited: 2,
      gates: [
        { gate: "North", entered: 1, exited: 1 },
        { gate: "South", entered: 2, exited: 1 },
      ],
    });
    expect(await readTicket(token, ana.ticket_id)).toMatchObject({
      status: "used",
      checked_in_at: first.checkin.checked_in_at,
      gate: "North",
    });
  });

  it("refuses in while inside with 409 TICKET_ALREADY_INSIDE and out while outside with 409 TICKET_NOT_INSIDE", async () => {
    const { showId, tickets } = await reentryShow(1);
    const [ticket] = tickets;
    if (!ticket) throw new Error("a ticket expected");
    const scanner = await scannerToken();

    const never = await expectError(
      await scan(scanner, ticket, "out", "North"),
      409,
      "TICKET_NOT_INSIDE",
    );
    expect(never.details).toEqual({ ticket_id: ticket.ticket_id, last_scan: null });

    await accepted(await scan(scanner, ticket, "in", "North"));
    const twice = await expectError(
      await scan(scanner, ticket, "in", "South"),
      409,
      "TICKET_ALREADY_INSIDE",
    );
    expect(twice.details).toMatchObject({
      ticket_id: ticket.ticket_id,
      last_scan: { direction: "in", gate: "North", device_id: "online:gate1" },
    });

    await accepted(await scan(scanner, ticket, "out", "South"));
    const left = await expectError(
      await scan(scanner, ticket, "out", "North"),
      409,
      "TICKET_NOT_INSIDE",
    );
    expect(left.details).toMatchObject({ last_scan: { direction: "out", gate: "South" } });

    // Refused scans count nowhere.
    expect(await attendance(showId, scanner)).toMatchObject({ inside: 0, entered: 1, exited: 1 });
  });

  it("counts a scan retried with its scan_id once, and answers it as the first time", async () => {
    const { showId, tickets } = await reentryShow(1);
    const [ticket] = tickets;
    if (!ticket) throw new Error("a ticket expected");
    const scanner = await scannerToken();
    const first = await scan(scanner, ticket, "in", "North", "scan-in-0001");
    const firstBody = await first.json();
    const retry = await scan(scanner, ticket, "in", "North", "scan-in-0001");
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(firstBody);
    await accepted(await scan(scanner, ticket, "out", "North", "scan-out-0001"));
    expect((await scan(scanner, ticket, "out", "North", "scan-out-0001")).status).toBe(200);
    expect(await attendance(showId, scanner)).toMatchObject({ inside: 0, entered: 1, exited: 1 });
  });
});
