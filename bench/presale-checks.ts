import { type CheckResult, examples, waitForD1Row } from "./invariants.ts";
import type { Wave } from "./presale-buyers.ts";
import type { PresaleSettings } from "./presale-sale.ts";
import type { WorkerServer } from "./serve.ts";
import type { BenchShow } from "./show-setup.ts";

/**
 * The presale phase's invariants (presale-sale.ts): the code's uses, the sale window, the
 * per-buyer limit and no seat sold twice, against the API, D1 and the seat map.
 */

/** Until D1 has every confirmed booking and no live lock (at most 15 s); the ms waited. */
export function waitForD1(
  server: WorkerServer,
  showId: string,
  confirmed: number,
): Promise<number> {
  return waitForD1Row<{ live: number; booked: number }>(
    server,
    showId,
    `SELECT
       (SELECT COUNT(*) FROM seat_locks WHERE show_id = ?1 AND status = 'locked') AS live,
       (SELECT COUNT(*) FROM bookings WHERE show_id = ?1 AND status = 'confirmed') AS booked`,
    (row) => row.live === 0 && row.booked >= confirmed,
  );
}

export async function checkPresale(input: {
  server: WorkerServer;
  show: BenchShow;
  settings: PresaleSettings;
  salesStart: string;
  presale: Wave;
  publicWave: Wave;
  publicTries: Record<string, number>;
  publicLocksBeforeStart: string[];
  codeList: { uses: number; max_uses: number }[];
  seatMap: { seat_id: string; status: string }[];
  returns: Wave;
  returners: number;
}): Promise<CheckResult[]> {
  const { server, show, settings, salesStart, presale, publicWave } = input;
  const bookings = await server.query<{ booking_id: string; lock_id: string; user_id: string }>(
    "SELECT booking_id, lock_id, user_id FROM bookings WHERE show_id = ? AND status = 'confirmed'",
    show.showId,
  );
  const bookingSeats = await server.query<{ seat_id: string; user_id: string }>(
    `SELECT bs.seat_id, b.user_id FROM booking_seats bs JOIN bookings b ON b.booking_id = bs.booking_id
      WHERE b.show_id = ? AND b.status = 'confirmed'`,
    show.showId,
  );
  const earlyLocks = await server.query<{ lock_id: string; created_at: string }>(
    "SELECT DISTINCT lock_id, created_at FROM seat_locks WHERE show_id = ? AND created_at < ?",
    show.showId,
    salesStart,
  );
  const results: CheckResult[] = [];

  {
    const code = input.codeList[0];
    const withCode = bookings.filter((b) => presale.lockIds.has(b.lock_id)).length;
    results.push({
      name: "code bookings <= max_uses; the code's uses = its bookings (API, buyers, D1)",
      passed:
        input.codeList.length === 1 &&
        code !== undefined &&
        code.max_uses === settings.maxUses &&
        code.uses <= settings.maxUses &&
        code.uses === withCode &&
        withCode === presale.confirmed.size,
      detail:
        `max_uses ${code?.max_uses}, uses ${code?.uses}; ${presale.confirmed.size} bookings confirmed to code holders, ` +
        `${withCode} in D1 on the code's locks`,
    });
  }

  {
    const codeLocks = presale.lockIds;
    const uncoded = earlyLocks.filter((l) => !codeLocks.has(l.lock_id)).map((l) => l.lock_id);
    const sampled = Object.values(input.publicTries).reduce((a, b) => a + b, 0);
    const refused = Object.entries(input.publicTries)
      .filter(
        ([what]) =>
          what === "400 SALE_NOT_STARTED" || what.startsWith("wrong code: 403 ACCESS_CODE_INVALID"),
      )
      .reduce((sum, [, n]) => sum + n, 0);
    results.push({
      name: "no lock without the code before sales_start (public tries; D1 seat_locks)",
      passed:
        uncoded.length === 0 &&
        input.publicLocksBeforeStart.length === 0 &&
        sampled > 0 &&
        refused === sampled,
      detail:
        `${refused}/${sampled} public tries refused (${JSON.stringify(input.publicTries)}); ` +
        `${earlyLocks.length} locks in D1 made before sales_start, ${uncoded.length} not the code's` +
        (uncoded.length ? `: ${examples(uncoded)}` : ""),
    });
  }

  {
    const perUser = new Map<string, number>();
    for (const row of bookingSeats) perUser.set(row.user_id, (perUser.get(row.user_id) ?? 0) + 1);
    const over = [...perUser].filter(([, n]) => n > settings.maxTicketsPerUser);
    const most = Math.max(0, ...perUser.values());
    const limitRefusals = [presale, publicWave, input.returns]
      .map((w) => w.refusals["400 TICKET_LIMIT_REACHED"] ?? 0)
      .reduce((a, b) => a + b, 0);
    const returnsRefused = input.returns.refusals["400 TICKET_LIMIT_REACHED"] ?? 0;
    results.push({
      name: `no buyer holds more than ${settings.maxTicketsPerUser} seats (D1 confirmed bookings)`,
      passed:
        over.length === 0 && input.returns.lockIds.size === 0 && returnsRefused === input.returners,
      detail:
        `${perUser.size} buyers, most seats held by one ${most}; ${limitRefusals} locks refused TICKET_LIMIT_REACHED ` +
        `(${returnsRefused}/${input.returners} code holders with 3+ seats asking the public sale for more)` +
        (over.length ? `; over: ${examples(over.map(([u, n]) => `${u} ${n}`))}` : ""),
    });
  }

  {
    const counts = new Map<string, number>();
    for (const row of bookingSeats) counts.set(row.seat_id, (counts.get(row.seat_id) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    results.push({
      name: "no seat sold twice (D1 booking_seats of confirmed bookings)",
      passed: twice.length === 0 && bookingSeats.length > 0,
      detail: `${bookingSeats.length} seats sold, ${counts.size} distinct${twice.length ? `; twice: ${examples(twice)}` : ""}`,
    });
  }

  {
    const sold = new Set(bookingSeats.map((row) => row.seat_id));
    const booked = new Set(
      input.seatMap.filter((s) => s.status === "booked").map((s) => s.seat_id),
    );
    const notBooked = [...sold].filter((id) => !booked.has(id));
    const notSold = [...booked].filter((id) => !sold.has(id));
    const buyersSeats = presale.seats + publicWave.seats + input.returns.seats;
    results.push({
      name: "seats sold = booked seats in the seat map (D1, show object, buyers)",
      passed:
        input.seatMap.length === show.totalSeats &&
        notBooked.length === 0 &&
        notSold.length === 0 &&
        buyersSeats === sold.size,
      detail:
        `${sold.size} sold in D1, ${booked.size}/${input.seatMap.length} booked in the seat map, ${buyersSeats} booked by buyers` +
        (notBooked.length ? `; sold, not booked: ${examples(notBooked)}` : "") +
        (notSold.length ? `; booked, not sold: ${examples(notSold)}` : ""),
    });
  }

  {
    const told = new Set([
      ...presale.confirmed.keys(),
      ...publicWave.confirmed.keys(),
      ...input.returns.confirmed.keys(),
    ]);
    const inD1 = new Set(bookings.map((b) => b.booking_id));
    const missing = [...told].filter((id) => !inD1.has(id));
    const unheard = [...inD1].filter((id) => !told.has(id));
    results.push({
      name: "bookings confirmed to buyers = confirmed in D1",
      passed: missing.length === 0 && unheard.length === 0,
      detail:
        `${told.size} confirmed to buyers, ${inD1.size} in D1` +
        (missing.length ? `; missing in D1: ${examples(missing)}` : "") +
        (unheard.length ? `; never confirmed to a buyer: ${examples(unheard)}` : ""),
    });
  }
  return results;
}
