import type { StripeStandInServer } from "../scripts/stripe-stand-in-server.ts";
import type { RecordedRequest, StandInIntent } from "../test/support/stripe-stand-in.ts";
import { type CheckResult, examples, waitForD1Row } from "./invariants.ts";
import type { WorkerServer } from "./serve.ts";
import type { BenchShow } from "./show-setup.ts";
import type { Client, Outcomes } from "./stripe-buyers.ts";

/**
 * The Stripe phase's money invariants (stripe-sale.ts): what the buyers saw (Outcomes)
 * against the stand-in's ledger of intents, charges and refunds, D1 and the API.
 */

interface BookingRow {
  booking_id: string;
  user_id: string;
  lock_id: string;
  status: string;
  total_amount: number;
  payment_id: string | null;
}

const minor = (amount: number) => Math.round(Number(amount) * 100);

/** Waits until D1 has every booking's last state (confirmed, cancelled) and no live lock. */
export function waitForD1(
  server: WorkerServer,
  showId: string,
  confirmed: number,
  cancelled: number,
): Promise<number> {
  return waitForD1Row<{ live: number; ok: number; gone: number }>(
    server,
    showId,
    `SELECT
       (SELECT COUNT(*) FROM seat_locks WHERE show_id = ?1 AND status = 'locked') AS live,
       (SELECT COUNT(*) FROM bookings WHERE show_id = ?1 AND status = 'confirmed') AS ok,
       (SELECT COUNT(*) FROM bookings WHERE show_id = ?1 AND status = 'cancelled') AS gone`,
    (row) => row.live === 0 && row.ok === confirmed && row.gone === cancelled,
  );
}

/** A Stripe request as a route: ids replaced (`/v1/payment_intents/:id/cancel`). */
export function routeOf(request: RecordedRequest): string {
  const path = request.path.replace(/\/(pi|re|ch)_[A-Za-z0-9]+/g, "/:id").replace(/\?.*$/, "");
  return `${request.method} ${path}`;
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

interface Context {
  server: WorkerServer;
  stand: StripeStandInServer;
  show: BenchShow;
  out: Outcomes;
  adminToken: string;
  client: Client;
}

export async function checkMoney(ctx: Context): Promise<CheckResult[]> {
  const { server, stand, show, out, adminToken, client } = ctx;
  const { intents, refunds, charges, requests } = stand.standIn;
  const bookings = await server.query<BookingRow>(
    "SELECT booking_id, user_id, lock_id, status, total_amount, payment_id FROM bookings WHERE show_id = ?",
    show.showId,
  );
  const payments = await server.query<{
    payment_id: string;
    booking_id: string;
    status: string;
    amount: number;
  }>(
    `SELECT p.payment_id, p.booking_id, p.status, p.amount FROM payments p
       JOIN bookings b ON b.booking_id = p.booking_id WHERE b.show_id = ?`,
    show.showId,
  );
  const bookingSeats = await server.query<{ booking_id: string; seat_id: string; status: string }>(
    `SELECT bs.booking_id, bs.seat_id, b.status FROM booking_seats bs
       JOIN bookings b ON b.booking_id = bs.booking_id WHERE b.show_id = ?`,
    show.showId,
  );
  const locks = await server.query<{ status: string }>(
    "SELECT status FROM seat_locks WHERE show_id = ?",
    show.showId,
  );
  const mapReply = await client.send("GET", `/v1/shows/${show.showId}/seats`, adminToken);
  const map = JSON.parse(mapReply.body) as { seats: { seat_id: string; status: string }[] };

  const byId = new Map(bookings.map((b) => [b.booking_id, b]));
  const confirmed = bookings.filter((b) => b.status === "confirmed");
  const cancelled = bookings.filter((b) => b.status === "cancelled");
  const paid = [...confirmed, ...cancelled];
  const paymentOf = new Map(payments.map((p) => [p.booking_id, p]));
  const succeeded = intents.filter((i) => i.status === "succeeded");
  const intentsOfBooking = new Map<string, StandInIntent[]>();
  for (const intent of succeeded) {
    const id = intent.metadata.booking_id ?? "";
    intentsOfBooking.set(id, [...(intentsOfBooking.get(id) ?? []), intent]);
  }
  const results: CheckResult[] = [];

  {
    const wrong: string[] = [];
    for (const booking of paid) {
      const found = intentsOfBooking.get(booking.booking_id) ?? [];
      const intent = found[0];
      const why: string[] = [];
      if (found.length !== 1) why.push(`${found.length} succeeded intents`);
      if (intent && intent.amount !== minor(booking.total_amount)) {
        why.push(`intent ${intent.amount} for total ${booking.total_amount}`);
      }
      if (intent && intent.currency !== "inr") why.push(`currency ${intent.currency}`);
      const paidCharges = charges.filter(
        (c) => c.payment_intent === intent?.id && c.status === "succeeded",
      );
      if (intent && paidCharges.length !== 1) why.push(`${paidCharges.length} succeeded charges`);
      if (booking.payment_id !== intent?.id) why.push("bookings.payment_id is not the intent");
      if (paymentOf.get(booking.booking_id)?.payment_id !== intent?.id) {
        why.push("payments row is not the intent");
      }
      if (why.length > 0) wrong.push(`${booking.booking_id}: ${why.join(", ")}`);
    }
    results.push({
      name: "one succeeded PaymentIntent per paid booking (metadata booking_id), for its total; D1 names it",
      passed: wrong.length === 0 && paid.length > 0,
      detail:
        `${paid.length - wrong.length}/${paid.length} paid bookings (${confirmed.length} confirmed, ` +
        `${cancelled.length} cancelled) with exactly one succeeded intent and charge; ` +
        `${intents.length} intents in all${wrong.length ? `; ${examples(wrong)}` : ""}`,
    });
  }

  {
    const orphans: string[] = [];
    const unknownToApi: string[] = [];
    for (const intent of succeeded) {
      const id = intent.metadata.booking_id ?? "";
      const booking = byId.get(id);
      if (!booking || (booking.status !== "confirmed" && booking.status !== "cancelled")) {
        orphans.push(`${intent.id} (${id || "no booking_id"})`);
        continue;
      }
      const read = await client.send("GET", `/v1/bookings/${id}`, adminToken);
      const seen =
        read.status === 200
          ? (JSON.parse(read.body) as { booking: { payment_id: string } }).booking
          : undefined;
      if (seen?.payment_id !== intent.id) unknownToApi.push(`${id}: GET ${read.status}`);
    }
    // Intents that did not succeed must have moved no money, and be the refusals seen.
    const others = intents.filter((i) => i.status !== "succeeded");
    const moved = others.filter((i) =>
      charges.some((c) => c.payment_intent === i.id && c.status === "succeeded"),
    );
    const statuses = countBy(others, (i) => i.status);
    const declined = statuses.requires_payment_method ?? 0;
    const canceled = statuses.canceled ?? 0;
    const strays = others.length - declined - canceled;
    // Their booking ids name bookings deleted with the failed payment (by design).
    const namesKnown = others.filter((i) => byId.has(i.metadata.booking_id ?? "")).length;
    results.push({
      name: "no PaymentIntent without a booking: every succeeded one is a booking the API shows; the rest charged nothing",
      passed:
        orphans.length === 0 &&
        unknownToApi.length === 0 &&
        moved.length === 0 &&
        strays === 0 &&
        declined === out.declines &&
        canceled === out.threeDSRefusals,
      detail:
        `${succeeded.length} succeeded, all read back by GET /v1/bookings/{id}` +
        `${orphans.length ? `; without a booking: ${examples(orphans)}` : ""}` +
        `${unknownToApi.length ? `; not shown by the API: ${examples(unknownToApi)}` : ""}; ` +
        `${declined} declined (buyers saw ${out.declines}), ${canceled} canceled after 3-D Secure ` +
        `(buyers refused ${out.threeDSRefusals}; ${out.threeDSCompleted} passed it, webhook), ${strays} in another state, ${moved.length} of them charged; ` +
        `${namesKnown} of ${others.length} name a booking in D1`,
    });
  }

  {
    const refundsOf = new Map<string, number>();
    for (const refund of refunds) {
      refundsOf.set(refund.payment_intent, (refundsOf.get(refund.payment_intent) ?? 0) + 1);
    }
    const wrong: string[] = [];
    for (const booking of cancelled) {
      const n = refundsOf.get(booking.payment_id ?? "") ?? 0;
      const refund = refunds.find((r) => r.payment_intent === booking.payment_id);
      if (n !== 1) wrong.push(`${booking.booking_id}: ${n} refunds`);
      else if (refund && refund.amount !== minor(booking.total_amount)) {
        wrong.push(
          `${booking.booking_id}: refunded ${refund.amount} of ${minor(booking.total_amount)}`,
        );
      }
      if (paymentOf.get(booking.booking_id)?.status !== "refunded") {
        wrong.push(
          `${booking.booking_id}: payments row ${paymentOf.get(booking.booking_id)?.status}`,
        );
      }
    }
    const cancelledIntents = new Set(cancelled.map((b) => b.payment_id));
    const stray = refunds.filter((r) => !cancelledIntents.has(r.payment_intent));
    const askedNotDone = [...out.cancelled].filter((id) => byId.get(id)?.status !== "cancelled");
    results.push({
      name: "one refund per cancelled booking, for its total, and none for any other",
      passed:
        wrong.length === 0 &&
        stray.length === 0 &&
        askedNotDone.length === 0 &&
        refunds.length === cancelled.length &&
        cancelled.length === out.cancelled.size &&
        cancelled.length > 0,
      detail:
        `${cancelled.length} cancelled in D1 (${out.cancelled.size} answered cancelled, ` +
        `${out.cancelRequests} cancel requests), ${refunds.length} refunds, ${stray.length} for other bookings` +
        `${wrong.length ? `; ${examples(wrong)}` : ""}` +
        `${askedNotDone.length ? `; answered cancelled, not in D1: ${examples(askedNotDone)}` : ""}`,
    });
  }

  {
    const confirmedSeats = bookingSeats.filter((row) => row.status === "confirmed");
    const owner = new Map<string, string>();
    const twice: string[] = [];
    for (const row of confirmedSeats) {
      if (owner.has(row.seat_id)) twice.push(row.seat_id);
      owner.set(row.seat_id, row.booking_id);
    }
    const booked = new Set(map.seats.filter((s) => s.status === "booked").map((s) => s.seat_id));
    const mapDiffers = [...booked].filter((id) => !owner.has(id));
    const notOnMap = [...owner.keys()].filter((id) => !booked.has(id));
    const freed = bookingSeats.filter((r) => r.status === "cancelled").map((r) => r.seat_id);
    const status = new Map(map.seats.map((s) => [s.seat_id, s.status]));
    const freedNotAvailable = freed.filter((id) => status.get(id) !== "available");
    const bookingsOfSeats = new Set(confirmedSeats.map((r) => r.booking_id)).size;
    results.push({
      name: "no seat sold twice; confirmed bookings = bookings of the booked seats; cancelled seats free",
      passed:
        twice.length === 0 &&
        mapDiffers.length === 0 &&
        notOnMap.length === 0 &&
        freedNotAvailable.length === 0 &&
        bookingsOfSeats === confirmed.length &&
        mapReply.status === 200,
      detail:
        `${owner.size} seats in ${confirmed.length} confirmed bookings (${bookingsOfSeats} bookings own booked seats), ` +
        `${booked.size} booked on the seat map, ${freed.length} freed by cancellations` +
        `${twice.length ? `; sold twice: ${examples(twice)}` : ""}` +
        `${mapDiffers.length ? `; booked on the map, no booking: ${examples(mapDiffers)}` : ""}` +
        `${notOnMap.length ? `; sold, not booked on the map: ${examples(notOnMap)}` : ""}` +
        `${freedNotAvailable.length ? `; freed, not available: ${examples(freedNotAvailable)}` : ""}`,
    });
  }

  {
    const told = new Set(out.confirmed.keys());
    const paidIds = new Set(paid.map((b) => b.booking_id));
    const missing = [...told].filter((id) => !paidIds.has(id));
    const unheard = [...paidIds].filter((id) => !told.has(id));
    const live = locks.filter((l) => l.status === "locked").length;
    const pending = bookings.filter((b) => b.status === "pending").length;
    const expired = bookings.filter((b) => b.status === "expired").length;
    results.push({
      name: "bookings confirmed to buyers = paid in D1; each Idempotency-Key gave one booking; nothing left open",
      passed:
        missing.length === 0 &&
        unheard.length === 0 &&
        out.replayMismatches.length === 0 &&
        live === 0 &&
        pending === 0 &&
        expired === 0 &&
        Object.keys(out.unexpected).length === 0,
      detail:
        `${told.size} confirmed to buyers, ${paidIds.size} paid in D1; ${out.sameKeyRequests} same-key ` +
        `requests (${out.sameKeyReplays} replayed, ${out.sameKeyInProgress} in progress), ` +
        `${out.replayMismatches.length} named another booking; ${live} live locks, ${pending} pending, ` +
        `${expired} expired; unexpected answers: ${JSON.stringify(out.unexpected)}` +
        `${missing.length ? `; missing in D1: ${examples(missing)}` : ""}` +
        `${unheard.length ? `; never confirmed to a buyer: ${examples(unheard)}` : ""}` +
        `${out.replayMismatches.length ? `; ${examples(out.replayMismatches)}` : ""}`,
    });
  }

  {
    const refused = requests.filter((r) => r.refused !== null);
    const failed = requests.filter((r) => r.status >= 500 || (r.status >= 400 && r.status !== 402));
    const declinedAnswers = requests.filter((r) => r.status === 402 && !r.replayed).length;
    // Our own keys only (pi:, re:, ca: ...): never none, never the library's random one.
    const unkeyed = requests.filter(
      (r) =>
        r.method === "POST" && (!r.idempotencyKey || r.idempotencyKey.startsWith("stripe-node")),
    );
    const deliveries = stand.deliveries;
    const undelivered = deliveries.filter((d) => d.status !== 200);
    const versions = new Set(requests.map((r) => r.stripeVersion));
    results.push({
      name: "Stripe saw only well-formed requests under our keys: none refused, no error but the declines",
      passed:
        refused.length === 0 &&
        failed.length === 0 &&
        unkeyed.length === 0 &&
        undelivered.length === 0 &&
        declinedAnswers === out.declines,
      detail:
        `${requests.length} requests, ${refused.length} refused by parameter checks, ${failed.length} other errors, ` +
        `${declinedAnswers} card declines (402), ${unkeyed.length} POSTs without our Idempotency-Key; ` +
        `Stripe-Version ${[...versions].join(", ")}; ${deliveries.length} webhook events posted, ` +
        `${undelivered.length} not answered 200` +
        `${failed.length ? `; ${examples(failed.map((r) => `${routeOf(r)} ${r.status} ${r.refused ?? ""}`))}` : ""}`,
    });
  }
  return results;
}
