/**
 * After the sale: what D1, the show object and the simulated provider's ledger say must
 * agree. Each check passes or fails on its own; any failure fails the run.
 */
import type { LedgerCharge, WorkerServer } from "./serve.ts";
import type { BenchShow } from "./show-setup.ts";

export interface CheckResult {
  name: string;
  passed: boolean;
  detail: string;
}

interface BookingRow {
  booking_id: string;
  lock_id: string;
  status: string;
  total_amount: number;
  payment_id: string | null;
}
interface BookingSeatRow {
  booking_id: string;
  seat_id: string;
  price: number;
}
interface LockRow {
  lock_id: string;
  seat_id: string;
  status: string;
}
interface PaymentRow {
  payment_id: string;
  booking_id: string;
  amount: number;
  status: string;
}

const minor = (amount: number) => Math.round(Number(amount) * 100);

/** Shows at most a few examples of what went wrong. */
export function examples(items: readonly string[]): string {
  return items.length <= 3
    ? items.join(", ")
    : `${items.slice(0, 3).join(", ")} (+${items.length - 3})`;
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const list = groups.get(key(row)) ?? [];
    list.push(row);
    groups.set(key(row), list);
  }
  return groups;
}

/**
 * Reads one row of the show's D1 every 250 ms until `caughtUp` says D1 has the show's
 * changes (the show objects send them after their batch window), or `timeoutMs` passed;
 * the ms waited. `?1` in `sql` is the show id.
 */
export async function waitForD1Row<R>(
  server: WorkerServer,
  showId: string,
  sql: string,
  caughtUp: (row: R) => boolean,
  timeoutMs = 15_000,
): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const [row] = await server.query<R>(sql, showId);
    if (row && caughtUp(row)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return Math.round(performance.now() - started);
}

/** Waits (up to `timeoutMs`) for the show object's D1 outbox to have delivered everything. */
export function waitForD1(
  server: WorkerServer,
  show: BenchShow,
  timeoutMs: number,
): Promise<number> {
  return waitForD1Row<{ live: number; sold: number }>(
    server,
    show.showId,
    `SELECT
       (SELECT COUNT(*) FROM seat_locks WHERE show_id = ?1 AND status = 'locked') AS live,
       (SELECT COUNT(*) FROM booking_seats bs JOIN bookings b ON b.booking_id = bs.booking_id
         WHERE b.show_id = ?1 AND b.status = 'confirmed') AS sold`,
    (row) => row.live === 0 && row.sold === show.totalSeats,
    timeoutMs,
  );
}

export async function checkInvariants(
  server: WorkerServer,
  show: BenchShow,
  confirmedByBuyers: readonly string[],
): Promise<CheckResult[]> {
  const venueSeats = await server.query<{ seat_id: string; zone: string }>(
    "SELECT seat_id, zone FROM seats WHERE venue_id = ?",
    show.venueId,
  );
  const zonePrices = await server.query<{ zone: string; price: number }>(
    "SELECT zone, price FROM show_prices WHERE show_id = ?",
    show.showId,
  );
  const bookings = await server.query<BookingRow>(
    "SELECT booking_id, lock_id, status, total_amount, payment_id FROM bookings WHERE show_id = ?",
    show.showId,
  );
  const bookingSeats = await server.query<BookingSeatRow>(
    `SELECT bs.booking_id, bs.seat_id, bs.price FROM booking_seats bs
       JOIN bookings b ON b.booking_id = bs.booking_id
      WHERE b.show_id = ? AND b.status = 'confirmed'`,
    show.showId,
  );
  const locks = await server.query<LockRow>(
    "SELECT lock_id, seat_id, status FROM seat_locks WHERE show_id = ?",
    show.showId,
  );
  const payments = await server.query<PaymentRow>(
    `SELECT p.payment_id, p.booking_id, p.amount, p.status FROM payments p
       JOIN bookings b ON b.booking_id = p.booking_id WHERE b.show_id = ?`,
    show.showId,
  );
  // The ledger is the provider's, across every show: any confirmed booking accounts for a charge.
  const confirmedAnywhere = await server.query<{ booking_id: string }>(
    "SELECT booking_id FROM bookings WHERE status = 'confirmed'",
  );
  const ledger = await server.ledger();
  const seatMap = await fetch(`${server.url}/v1/shows/${show.showId}/seats`);
  const map = (await seatMap.json()) as { seats: { seat_id: string; status: string }[] };

  const confirmed = bookings.filter((b) => b.status === "confirmed");
  const confirmedIds = new Set(confirmed.map((b) => b.booking_id));
  const zoneOf = new Map(venueSeats.map((s) => [s.seat_id, s.zone]));
  const priceOf = new Map(zonePrices.map((p) => [p.zone, minor(p.price)]));
  const seatsOfBooking = groupBy(bookingSeats, (row) => row.booking_id);
  const rowsOfLock = groupBy(locks, (row) => row.lock_id);
  const results: CheckResult[] = [];

  {
    const sold = bookingSeats.map((row) => row.seat_id);
    const distinct = new Set(sold);
    const twice = [...groupBy(sold, (id) => id)].filter(([, l]) => l.length > 1).map(([id]) => id);
    const unsold = venueSeats.filter((s) => !distinct.has(s.seat_id)).map((s) => s.seat_id);
    const foreign = [...distinct].filter((id) => !zoneOf.has(id));
    results.push({
      name: "every seat sold exactly once (D1 booking_seats of confirmed bookings)",
      passed:
        twice.length === 0 &&
        unsold.length === 0 &&
        foreign.length === 0 &&
        distinct.size === show.totalSeats,
      detail:
        `${distinct.size}/${show.totalSeats} distinct seats in ${confirmed.length} confirmed bookings` +
        (twice.length ? `; sold twice: ${examples(twice)}` : "") +
        (unsold.length ? `; unsold: ${examples(unsold)}` : "") +
        (foreign.length ? `; not in the venue: ${examples(foreign)}` : ""),
    });
  }

  {
    const notBooked = map.seats.filter((s) => s.status !== "booked").map((s) => s.seat_id);
    results.push({
      name: "seat map shows every seat booked (show object)",
      passed:
        seatMap.status === 200 && notBooked.length === 0 && map.seats.length === show.totalSeats,
      detail: `${map.seats.length - notBooked.length}/${map.seats.length} booked${notBooked.length ? `; not booked: ${examples(notBooked)}` : ""}`,
    });
  }

  {
    const wrong: string[] = [];
    for (const [zone, price] of Object.entries(show.prices)) {
      if (priceOf.get(zone) !== minor(price)) wrong.push(`show_prices ${zone} is not ${price}`);
    }
    for (const booking of confirmed) {
      const seats = seatsOfBooking.get(booking.booking_id) ?? [];
      const lockRows = rowsOfLock.get(booking.lock_id) ?? [];
      const lockSeats = new Set(lockRows.map((row) => row.seat_id));
      const expected = seats.reduce(
        (sum, seat) => sum + (priceOf.get(zoneOf.get(seat.seat_id) ?? "") ?? Number.NaN),
        0,
      );
      const why: string[] = [];
      if (lockRows.length === 0) why.push("no lock rows");
      if (lockRows.some((row) => row.status !== "confirmed")) why.push("lock not confirmed");
      if (lockSeats.size !== seats.length || seats.some((s) => !lockSeats.has(s.seat_id))) {
        why.push("seats differ from the lock's");
      }
      if (seats.some((s) => minor(s.price) !== priceOf.get(zoneOf.get(s.seat_id) ?? ""))) {
        why.push("a seat price is not its zone's");
      }
      if (minor(booking.total_amount) !== expected) {
        why.push(`total ${booking.total_amount} != ${expected / 100}`);
      }
      if (why.length > 0) wrong.push(`${booking.booking_id}: ${why.join(", ")}`);
    }
    results.push({
      name: "each booking's seats and total match its lock (seat_locks) and the zone prices",
      passed: wrong.length === 0 && confirmed.length > 0,
      detail: `${confirmed.length} bookings checked against ${locks.length} lock rows and ${priceOf.size} zone prices${wrong.length ? `; ${wrong.length} wrong: ${examples(wrong)}` : ""}`,
    });
  }

  const succeeded = ledger.filter((charge) => charge.status === "succeeded");
  const chargesOf = groupBy(succeeded, (charge) => charge.reference);
  {
    const paymentOf = new Map(payments.map((p) => [p.booking_id, p]));
    const wrong: string[] = [];
    for (const booking of confirmed) {
      const charges: LedgerCharge[] = chargesOf.get(booking.booking_id) ?? [];
      const charge = charges[0];
      const payment = paymentOf.get(booking.booking_id);
      const total = minor(booking.total_amount);
      const why: string[] = [];
      if (charges.length !== 1) why.push(`${charges.length} succeeded charges`);
      if (charge && charge.amount_minor !== total)
        why.push(`charged ${charge.amount_minor} for ${total}`);
      if (payment?.status !== "succeeded") why.push("no succeeded payments row");
      if (payment && minor(payment.amount) !== total)
        why.push(`payments row says ${payment.amount}`);
      if (payment && charge && payment.payment_id !== charge.payment_id)
        why.push("payment ids differ");
      if (booking.payment_id !== charge?.payment_id)
        why.push("booking's payment_id is not the charge's");
      if (why.length > 0) wrong.push(`${booking.booking_id}: ${why.join(", ")}`);
    }
    results.push({
      name: "one succeeded charge per confirmed booking, for its amount (ledger and payments)",
      passed: wrong.length === 0 && confirmed.length > 0,
      detail: `${confirmed.length - wrong.length}/${confirmed.length} bookings charged once, right amount; ${ledger.length} ledger entries${wrong.length ? `; ${examples(wrong)}` : ""}`,
    });
  }

  {
    const anywhere = new Set(confirmedAnywhere.map((row) => row.booking_id));
    const orphans = succeeded.filter((charge) => !anywhere.has(charge.reference));
    const refunded = ledger.filter((charge) => charge.status === "refunded").length;
    results.push({
      name: "no succeeded (unrefunded) charge without a confirmed booking",
      passed: orphans.length === 0,
      detail: `${succeeded.length} succeeded, ${refunded} refunded, ${orphans.length} without a booking${orphans.length ? `: ${examples(orphans.map((c) => c.reference))}` : ""}`,
    });
  }

  {
    const told = new Set(confirmedByBuyers);
    const missing = [...told].filter((id) => !confirmedIds.has(id));
    const unheard = [...confirmedIds].filter((id) => !told.has(id));
    const live = locks.filter((row) => row.status === "locked").length;
    const open = bookings.filter((b) => b.status === "pending").length;
    results.push({
      name: "bookings confirmed to buyers = confirmed in D1; no live lock or pending booking left",
      passed: missing.length === 0 && unheard.length === 0 && live === 0 && open === 0,
      detail:
        `${told.size} confirmed to buyers, ${confirmedIds.size} in D1, ${live} live lock rows, ${open} pending` +
        (missing.length ? `; missing in D1: ${examples(missing)}` : "") +
        (unheard.length ? `; never confirmed to a buyer: ${examples(unheard)}` : ""),
    });
  }
  return results;
}
