/**
 * The Stripe phase of `npm run bench` (and `--ci`; `--stripe` runs it alone): a small sale
 * paid through the Stripe stand-in (scripts/stripe-stand-in-server.ts, a Node HTTP server
 * speaking Stripe's REST API), then cancellations refunded through it, and the money
 * invariants checked against the stand-in's ledger, D1 and the API.
 *
 * The Worker is the same `wrangler deploy --dry-run` bundle, served by a workerd process of
 * its own (one Miniflare instance, direct socket, fresh state) with PAYMENT_PROVIDER=stripe
 * and STRIPE_API_BASE = the stand-in's origin: its `stripe` package talks plain http to
 * 127.0.0.1. The simulator's phases never see this process. The buyers and the stand-in
 * run in this Node process (the stand-in's ledger is read in memory).
 *
 * Buyers each make one best-available lock (1-2 seats) and pay it with `pm_card_visa`, with
 * some variations: every 10th (from 3) is declined first (`pm_card_chargeDeclined`), then
 * pays on the same lock under a new Idempotency-Key; every 10th (from 7) sends its booking
 * twice at once under one key, then again once answered; every 25th (from 5) first tries
 * `pm_card_threeDSecure2Required` (refused: 3-D Secure is not taken yet). Then every 4th
 * confirmed booking is cancelled by its owner (every 3rd of those twice at once, then again).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type StripeStandInServer, startStripeStandIn } from "../scripts/stripe-stand-in-server.ts";
import { signAccessToken } from "../src/auth/access-token.ts";
import type { RecordedRequest, StandInIntent } from "../test/support/stripe-stand-in.ts";
import { STAND_IN_SECRET_KEY } from "../test/support/stripe-stand-in.ts";
import { benchBindings } from "./bench-bindings.ts";
import { type CheckResult, examples } from "./invariants.ts";
import { CpuMeter, type CpuUse, withNewPids } from "./proc.ts";
import { formatChecks, recordPhase } from "./report.ts";
import { bundleWorker, projectRoot, readWorkerPlan, WorkerServer } from "./serve.ts";
import { type BenchShow, createShow } from "./show-setup.ts";
import { round, Samples, seededRandom } from "./stats.ts";

export interface StripeSaleSettings {
  seats: number;
  buyers: number;
  /** Every n-th confirmed booking is cancelled. */
  cancelEvery: number;
  deadlineMs: number;
  seed: number;
}

export function stripeSaleSettings(ci: boolean): StripeSaleSettings {
  return ci
    ? { seats: 100, buyers: 150, cancelEvery: 4, deadlineMs: 60_000, seed: 20261204 }
    : { seats: 300, buyers: 450, cancelEvery: 4, deadlineMs: 120_000, seed: 20261204 };
}

type Kind = "visa" | "decline-first" | "same-key-retries" | "3ds-first";

const PM = {
  visa: "pm_card_visa",
  declined: "pm_card_chargeDeclined",
  threeDS: "pm_card_threeDSecure2Required",
} as const;

interface Reply {
  status: number;
  body: string;
  replayed: boolean;
  ms: number;
  at: number;
}

interface ErrorBody {
  error?: { code?: string; details?: Record<string, unknown> };
}

/** A keep-alive client that also reports `Idempotent-Replayed`. */
class Client {
  private readonly agent: Agent;
  private readonly port: number;

  constructor(baseUrl: string, sockets: number) {
    this.port = Number(new URL(baseUrl).port);
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  send(method: string, path: string, token: string, body?: unknown, key?: string): Promise<Reply> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (payload !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    if (key) headers["Idempotency-Key"] = key;
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request(
        { agent: this.agent, host: "127.0.0.1", port: this.port, method, path, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const at = performance.now();
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString("utf8"),
              replayed: res.headers["idempotent-replayed"] === "true",
              ms: at - started,
              at,
            });
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.setTimeout(30_000, () => req.destroy(new Error("no answer in 30 s")));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function errorOf(reply: Reply): ErrorBody["error"] {
  try {
    return (JSON.parse(reply.body) as ErrorBody).error;
  } catch {
    return undefined;
  }
}

function bookingIdOf(reply: Reply): string | undefined {
  try {
    return (JSON.parse(reply.body) as { booking?: { booking_id?: string } }).booking?.booking_id;
  } catch {
    return undefined;
  }
}

interface Buyer {
  userId: string;
  token: string;
  wants: number;
  kind: Kind;
}

/** What the buyers saw; checked against the ledger and D1 afterwards. */
class Outcomes {
  readonly paidLatency = new Samples();
  readonly declineLatency = new Samples();
  /** 3-D Secure taken (202): from the buyer finishing it to the booking read confirmed. */
  readonly actionLatency = new Samples();
  readonly cancelLatency = new Samples();
  /** Booking id → owner, from every 201 (first answers and replays). */
  readonly confirmed = new Map<string, Buyer>();
  readonly unexpected: Record<string, number> = {};
  /** Replays (same key) that named another booking than the key's first 201. */
  readonly replayMismatches: string[] = [];
  lockAttempts = 0;
  lockConflicts = 0;
  bookingRequests = 0;
  declines = 0;
  threeDSRefusals = 0;
  threeDSCompleted = 0;
  sameKeyRequests = 0;
  sameKeyInProgress = 0;
  sameKeyReplays = 0;
  cancelRequests = 0;
  cancelInProgress = 0;
  readonly cancelled = new Set<string>();
  firstAt = 0;
  lastPaidAt = 0;

  count(what: string): void {
    this.unexpected[what] = (this.unexpected[what] ?? 0) + 1;
  }
}

class StripeSale {
  private readonly client: Client;
  private readonly show: BenchShow;
  private readonly out: Outcomes;
  private readonly deadline: number;

  private readonly standInOrigin: string;

  constructor(
    client: Client,
    show: BenchShow,
    out: Outcomes,
    deadlineMs: number,
    standInOrigin: string,
  ) {
    this.standInOrigin = standInOrigin;
    this.client = client;
    this.show = show;
    this.out = out;
    this.deadline = performance.now() + deadlineMs;
  }

  /** One lock (fewer seats when no row has as many together), then its payment. */
  async run(buyer: Buyer): Promise<void> {
    let ask = buyer.wants;
    while (performance.now() < this.deadline) {
      this.out.lockAttempts++;
      const reply = await this.client
        .send("POST", "/v1/seats/lock", buyer.token, { show_id: this.show.showId, quantity: ask })
        .catch(() => undefined);
      if (!reply) {
        this.out.count("lock network");
        await sleep(50);
        continue;
      }
      if (reply.status === 200) {
        const lock = JSON.parse(reply.body) as { lock_id: string; seat_ids: string[] };
        await this.pay(buyer, lock);
        return;
      }
      const code = errorOf(reply)?.code;
      if (code === "SEATS_UNAVAILABLE" || code === "SEATS_ALREADY_LOCKED") {
        this.out.lockConflicts++;
        if (ask > 1) ask--;
        else if (await this.soldOut(buyer)) return;
        else await sleep(250);
        continue;
      }
      this.out.count(`lock ${reply.status} ${code ?? ""}`.trim());
      await sleep(50);
    }
  }

  /** No seat available or held by a lock: nothing left to buy. */
  private async soldOut(buyer: Buyer): Promise<boolean> {
    const reply = await this.client
      .send("GET", `/v1/shows/${this.show.showId}/seats/status`, buyer.token)
      .catch(() => undefined);
    if (reply?.status !== 200) return false;
    const { status } = JSON.parse(reply.body) as { status: string };
    return !status.includes("a") && !status.includes("l");
  }

  private async pay(buyer: Buyer, lock: { lock_id: string; seat_ids: string[] }): Promise<void> {
    const body = (pm: string) => ({
      show_id: this.show.showId,
      lock_id: lock.lock_id,
      seat_ids: lock.seat_ids,
      user_id: buyer.userId,
      payment_method: { type: "stripe", payment_method: pm },
    });
    if (buyer.kind === "decline-first" || buyer.kind === "3ds-first") {
      const pm = buyer.kind === "decline-first" ? PM.declined : PM.threeDS;
      const reply = await this.book(buyer, body(pm), `bench-stripe-${lock.lock_id}-first`);
      const error = reply ? errorOf(reply) : undefined;
      const reason = error?.details?.reason;
      const expected = buyer.kind === "decline-first" ? "card_declined" : "requires_action";
      if (reply?.status === 202 && buyer.kind === "3ds-first") {
        // A deployment that takes 3-D Secure: the buyer finishes it, Stripe's webhook
        // confirms the booking; the lock is paid for.
        await this.finishAction(buyer, reply);
        return;
      }
      if (reply?.status === 422 && error?.code === "PAYMENT_FAILED" && reason === expected) {
        if (buyer.kind === "decline-first") {
          this.out.declines++;
          this.out.declineLatency.add(reply.ms);
        } else {
          this.out.threeDSRefusals++;
        }
      } else {
        this.out.count(
          `${buyer.kind} ${reply?.status ?? "network"} ${error?.code ?? ""} ${String(reason ?? "")}`.trim(),
        );
      }
    }
    const key = `bench-stripe-${lock.lock_id}`;
    const paid = body(PM.visa);
    if (buyer.kind !== "same-key-retries") {
      for (let attempt = 1; attempt <= 5; attempt++) {
        const reply = await this.book(buyer, paid, key);
        if (reply?.status === 201) {
          this.confirmed(buyer, reply);
          return;
        }
        const code = reply ? errorOf(reply)?.code : undefined;
        this.out.count(`book ${reply?.status ?? "network"} ${code ?? ""}`.trim());
        if (reply && reply.status < 500 && code !== "REQUEST_IN_PROGRESS") return;
        await sleep(50 * attempt);
      }
      return;
    }
    // The same request twice at once under one key, then again until answered 201, then
    // once more: one booking, one intent, whatever the client does.
    const first = await Promise.all([this.book(buyer, paid, key), this.book(buyer, paid, key)]);
    this.out.sameKeyRequests += 2;
    let bookingId: string | undefined;
    const see = (reply: Reply | undefined) => {
      if (reply?.status === 201) {
        const id = bookingIdOf(reply);
        if (reply.replayed) this.out.sameKeyReplays++;
        if (bookingId && id !== bookingId)
          this.out.replayMismatches.push(`${key}: ${id} vs ${bookingId}`);
        bookingId ??= id;
        this.confirmed(buyer, reply);
        return;
      }
      const code = reply ? errorOf(reply)?.code : undefined;
      if (reply?.status === 409 && code === "REQUEST_IN_PROGRESS") this.out.sameKeyInProgress++;
      else this.out.count(`same-key ${reply?.status ?? "network"} ${code ?? ""}`.trim());
    };
    first.forEach(see);
    for (let attempt = 1; !bookingId && attempt <= 20; attempt++) {
      await sleep(50);
      this.out.sameKeyRequests++;
      see(await this.book(buyer, paid, key));
    }
    this.out.sameKeyRequests++;
    const again = await this.book(buyer, paid, key);
    if (again?.status === 201 && !again.replayed) this.out.count("same-key 201 not replayed");
    see(again);
  }

  /**
   * A 202 (payment waiting for the buyer): the buyer passes 3-D Secure at the stand-in, which
   * posts `payment_intent.succeeded` to the Worker's webhook; the booking must then read
   * confirmed.
   */
  private async finishAction(buyer: Buyer, reply: Reply): Promise<void> {
    const answer = JSON.parse(reply.body) as {
      booking?: { booking_id?: string };
      payment?: { client_secret?: string };
    };
    const bookingId = answer.booking?.booking_id;
    const intentId = answer.payment?.client_secret?.split("_secret_")[0];
    if (!bookingId || !intentId) {
      this.out.count("3ds-first 202 without booking or client secret");
      return;
    }
    const started = performance.now();
    const done = await fetch(
      `${this.standInOrigin}/_stand_in/intents/${encodeURIComponent(intentId)}/action`,
      { method: "POST", body: JSON.stringify({ result: "succeeds" }) },
    );
    const { webhook_status } = (await done.json()) as { webhook_status?: number };
    if (webhook_status !== 200) this.out.count(`3ds-first webhook ${webhook_status}`);
    for (let i = 0; i < 100; i++) {
      const read = await this.client.send("GET", `/v1/bookings/${bookingId}`, buyer.token);
      const status =
        read.status === 200
          ? (JSON.parse(read.body) as { booking: { status: string } }).booking.status
          : undefined;
      if (status === "confirmed") {
        this.out.threeDSCompleted++;
        this.out.actionLatency.add(performance.now() - started);
        this.out.confirmed.set(bookingId, buyer);
        this.out.lastPaidAt = Math.max(this.out.lastPaidAt, performance.now());
        return;
      }
      await sleep(100);
    }
    this.out.count("3ds-first booking never confirmed after the webhook");
  }

  private async book(buyer: Buyer, body: unknown, key: string): Promise<Reply | undefined> {
    this.out.bookingRequests++;
    try {
      return await this.client.send("POST", "/v1/bookings", buyer.token, body, key);
    } catch {
      this.out.count("book network");
      return undefined;
    }
  }

  private confirmed(buyer: Buyer, reply: Reply): void {
    const id = bookingIdOf(reply);
    if (!id) {
      this.out.count("201 without booking_id");
      return;
    }
    const status = (JSON.parse(reply.body) as { booking: { status: string } }).booking.status;
    if (status !== "confirmed") this.out.count(`201 booking ${status}`);
    if (!reply.replayed) this.out.paidLatency.add(reply.ms);
    this.out.confirmed.set(id, buyer);
    this.out.lastPaidAt = Math.max(this.out.lastPaidAt, reply.at);
  }

  /** The owner cancels; `twice`: two at once, then once more. Answers must agree. */
  async cancel(bookingId: string, buyer: Buyer, twice: boolean): Promise<void> {
    const path = `/v1/bookings/${bookingId}/cancel`;
    const once = async () => {
      this.out.cancelRequests++;
      return this.client.send("POST", path, buyer.token, undefined).catch(() => undefined);
    };
    const replies = twice ? await Promise.all([once(), once()]) : [await once()];
    let done = false;
    for (let attempt = 0; ; attempt++) {
      for (const reply of replies.splice(0)) {
        const code = reply ? errorOf(reply)?.code : undefined;
        if (reply?.status === 200) {
          const status = (JSON.parse(reply.body) as { booking: { status: string } }).booking.status;
          if (status === "cancelled") {
            if (!done) this.out.cancelLatency.add(reply.ms);
            done = true;
            this.out.cancelled.add(bookingId);
          } else this.out.count(`cancel 200 ${status}`);
        } else if (reply?.status === 409 && code === "REQUEST_IN_PROGRESS") {
          this.out.cancelInProgress++;
        } else {
          this.out.count(`cancel ${reply?.status ?? "network"} ${code ?? ""}`.trim());
        }
      }
      if ((done && !twice) || attempt >= 20) return;
      if (done) {
        // Once more after it is done: answers the same, refunds nothing more.
        twice = false;
        replies.push(await once());
        continue;
      }
      await sleep(100);
      replies.push(await once());
    }
  }
}

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
async function waitForD1(
  server: WorkerServer,
  showId: string,
  confirmed: number,
  cancelled: number,
): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < 15_000) {
    const [row] = await server.query<{ live: number; ok: number; gone: number }>(
      `SELECT
         (SELECT COUNT(*) FROM seat_locks WHERE show_id = ?1 AND status = 'locked') AS live,
         (SELECT COUNT(*) FROM bookings WHERE show_id = ?1 AND status = 'confirmed') AS ok,
         (SELECT COUNT(*) FROM bookings WHERE show_id = ?1 AND status = 'cancelled') AS gone`,
      showId,
    );
    if (row && row.live === 0 && row.ok === confirmed && row.gone === cancelled) break;
    await sleep(250);
  }
  return Math.round(performance.now() - started);
}

/** A Stripe request as a route: ids replaced (`/v1/payment_intents/:id/cancel`). */
function routeOf(request: RecordedRequest): string {
  const path = request.path.replace(/\/(pi|re|ch)_[A-Za-z0-9]+/g, "/:id").replace(/\?.*$/, "");
  return `${request.method} ${path}`;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
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

async function checkMoney(ctx: Context): Promise<CheckResult[]> {
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

export interface StripeSaleResult {
  settings: StripeSaleSettings;
  served: string;
  stripeStandIn: string;
  buyers: Record<Kind, number>;
  seatsSold: number;
  seatsTotal: number;
  bookingsConfirmed: number;
  bookingsPerSecond: number;
  saleSeconds: number;
  paidBookingLatencyMs: ReturnType<Samples["summary"]>;
  declineLatencyMs: ReturnType<Samples["summary"]>;
  /** Only when the Worker takes 3-D Secure (202): the buyer's pass to the booking confirmed. */
  threeDSLatencyMs: ReturnType<Samples["summary"]>;
  cancelLatencyMs: ReturnType<Samples["summary"]>;
  lockAttempts: number;
  lockConflicts: number;
  bookingRequests: number;
  stripeRequestsPerBooking: number;
  stripeRequestsSale: Record<string, number>;
  stripeRequestsPerCancellation: number;
  stripeRequestsCancel: Record<string, number>;
  cancellations: number;
  saleCpu: CpuUse & { hostCores: number };
  cancelCpu: CpuUse & { hostCores: number };
  workerErrors: number;
  invariants: CheckResult[];
}

/**
 * Runs the phase in a workerd process of its own; prints, writes JSON; the number of failed
 * checks. `root`: the tree whose Worker is bundled (this one by default).
 */
export async function runStripeSaleBench(
  ci: boolean,
  log: (line: string) => void,
  root = projectRoot,
): Promise<number> {
  const settings = stripeSaleSettings(ci);
  log("");
  log(
    `Stripe phase: ${settings.seats} seats, ${settings.buyers} buyers paying through the local Stripe stand-in, ` +
      `every ${settings.cancelEvery}th booking then cancelled (refund)`,
  );
  const workDir = mkdtempSync(join(tmpdir(), "ticket-bench-stripe-"));
  const secret = randomBytes(32).toString("hex");
  const webhookSecret = `whsec_${randomBytes(24).toString("hex")}`;
  const stand = await startStripeStandIn({ webhookSecret });
  let server: WorkerServer | undefined;
  try {
    const plan = readWorkerPlan();
    const bundle = bundleWorker(join(workDir, "bundle"), root);
    const [started, pids] = await withNewPids(() =>
      WorkerServer.start({
        plan,
        name: plan.name,
        modules: [bundle],
        stateDir: join(workDir, "state"),
        bindings: {
          ...benchBindings(secret),
          PAYMENT_PROVIDER: "stripe",
          STRIPE_API_BASE: stand.origin,
          STRIPE_SECRET_KEY: STAND_IN_SECRET_KEY,
          STRIPE_WEBHOOK_SECRET: webhookSecret,
        },
        route: "direct",
        remote: [],
        keepInMemory: [],
        registryPath: undefined,
        anchorModule: undefined,
      }),
    );
    server = started;
    stand.webhookUrl = `${server.url}/v1/payments/webhooks/stripe`;
    await server.applyMigrations();
    const served =
      `${server.describe()}; one workerd process (pid ${pids.join(", ")}) for the Worker and every object, ` +
      `PAYMENT_PROVIDER=stripe, STRIPE_API_BASE=${stand.origin}`;
    log(`Served: ${served}`);
    const stripeStandIn = `scripts/stripe-stand-in-server.ts at ${stand.origin}, in the bench's own Node process (pid ${process.pid}), beside the buyers`;
    log(`Stripe: ${stripeStandIn}`);

    const adminToken = await signAccessToken(
      { sub: "bench_admin", role: "admin", ttlSeconds: 3600 },
      secret,
    );
    const show = await createShow(server.url, adminToken, settings.seats);
    const client = new Client(server.url, settings.buyers * 2 + 8);
    // Wake the show object before the clock starts.
    await client.send("GET", `/v1/shows/${show.showId}/seats`, adminToken);

    const random = seededRandom(settings.seed);
    const buyers: Buyer[] = await Promise.all(
      Array.from({ length: settings.buyers }, async (_, i) => {
        const userId = `bench_stripe_buyer_${i}`;
        const kind: Kind =
          i % 25 === 5
            ? "3ds-first"
            : i % 10 === 3
              ? "decline-first"
              : i % 10 === 7
                ? "same-key-retries"
                : "visa";
        return {
          userId,
          token: await signAccessToken({ sub: userId, role: "user", ttlSeconds: 3600 }, secret),
          wants: random() < 0.3 ? 2 : 1,
          kind,
        };
      }),
    );
    const out = new Outcomes();
    const sale = new StripeSale(client, show, out, settings.deadlineMs, stand.origin);

    const saleMeter = new CpuMeter(pids);
    let host = process.cpuUsage();
    saleMeter.start();
    const saleStarted = performance.now();
    await Promise.all(buyers.map((buyer) => sale.run(buyer)));
    const saleEnded = performance.now();
    const saleCpu = {
      ...saleMeter.stop(),
      hostCores: cores(process.cpuUsage(host), saleEnded - saleStarted),
    };
    const saleRequests = stand.standIn.requests.length;
    const confirmedInSale = out.confirmed.size;

    // Cancellations: every n-th confirmed booking, in order of booking id, by its owner.
    const toCancel = [...out.confirmed.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .filter((_, i) => i % settings.cancelEvery === 0);
    const cancelMeter = new CpuMeter(pids);
    host = process.cpuUsage();
    cancelMeter.start();
    const cancelStarted = performance.now();
    await Promise.all(toCancel.map(([id, buyer], i) => sale.cancel(id, buyer, i % 3 === 0)));
    const cancelEnded = performance.now();
    const cancelCpu = {
      ...cancelMeter.stop(),
      hostCores: cores(process.cpuUsage(host), cancelEnded - cancelStarted),
    };
    const cancelRequests = stand.standIn.requests.slice(saleRequests);

    const expectedConfirmed = out.confirmed.size - out.cancelled.size;
    const waited = await waitForD1(server, show.showId, expectedConfirmed, out.cancelled.size);
    log(`Checking the Stripe sale's invariants (D1 caught up after ${waited} ms)...`);
    const invariants = await checkMoney({ server, stand, show, out, adminToken, client });
    const seats = await server.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM booking_seats bs JOIN bookings b ON b.booking_id = bs.booking_id
        WHERE b.show_id = ? AND b.status IN ('confirmed', 'cancelled')`,
      show.showId,
    );
    client.close();

    const saleSeconds = Math.max(1e-3, (out.lastPaidAt - saleStarted) / 1000);
    const result: StripeSaleResult = {
      settings,
      served,
      stripeStandIn,
      buyers: countBy(buyers, (b) => b.kind) as Record<Kind, number>,
      seatsSold: seats[0]?.n ?? 0,
      seatsTotal: show.totalSeats,
      bookingsConfirmed: confirmedInSale,
      bookingsPerSecond: round(confirmedInSale / saleSeconds, 1),
      saleSeconds: round(saleSeconds, 2),
      paidBookingLatencyMs: out.paidLatency.summary(),
      declineLatencyMs: out.declineLatency.summary(),
      threeDSLatencyMs: out.actionLatency.summary(),
      cancelLatencyMs: out.cancelLatency.summary(),
      lockAttempts: out.lockAttempts,
      lockConflicts: out.lockConflicts,
      bookingRequests: out.bookingRequests,
      stripeRequestsPerBooking: round(saleRequests / Math.max(1, confirmedInSale), 2),
      stripeRequestsSale: countBy(stand.standIn.requests.slice(0, saleRequests), routeOf),
      stripeRequestsPerCancellation: round(
        cancelRequests.length / Math.max(1, out.cancelled.size),
        2,
      ),
      stripeRequestsCancel: countBy(cancelRequests, routeOf),
      cancellations: out.cancelled.size,
      saleCpu,
      cancelCpu,
      workerErrors: server.workerErrors,
      invariants,
    };
    printResult(result, log);
    return recordPhase("stripe-sale.json", "Stripe phase", result, invariants, log);
  } finally {
    await server?.stop();
    await stand.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function cores(cpu: NodeJS.CpuUsage, ms: number): number {
  return round((cpu.user + cpu.system) / 1000 / Math.max(1, ms), 2);
}

function printResult(r: StripeSaleResult, log: (line: string) => void): void {
  const lat = (l: StripeSaleResult["paidBookingLatencyMs"]) =>
    `p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms (${l.count})`;
  log(
    `Stripe sale: ${r.seatsSold}/${r.seatsTotal} seats in ${r.bookingsConfirmed} paid bookings in ${r.saleSeconds} s = ` +
      `${r.bookingsPerSecond} bookings/s; buyers ${JSON.stringify(r.buyers)}; ${r.lockAttempts} lock requests ` +
      `(${r.lockConflicts} conflicts), ${r.bookingRequests} booking requests`,
  );
  log(
    `  paid booking (POST /v1/bookings to its first 201; replays left out): ${lat(r.paidBookingLatencyMs)}`,
  );
  log(`  declined booking (422): ${lat(r.declineLatencyMs)}`);
  if (r.threeDSLatencyMs.count > 0) {
    log(`  3-D Secure passed, to the booking confirmed by webhook: ${lat(r.threeDSLatencyMs)}`);
  }
  log(
    `  Stripe requests per paid booking: ${r.stripeRequestsPerBooking} (${JSON.stringify(r.stripeRequestsSale)})`,
  );
  log(
    `  cancellations: ${r.cancellations}, ${lat(r.cancelLatencyMs)}; Stripe requests per cancellation: ` +
      `${r.stripeRequestsPerCancellation} (${JSON.stringify(r.stripeRequestsCancel)})`,
  );
  const cpu = (c: StripeSaleResult["saleCpu"]) =>
    `workerd ${c.serverCores} cores (busiest thread ${c.busiestThreadCores}), ${c.serverCpuMs} CPU ms; ` +
    `bench process (buyers + stand-in) ${c.hostCores} cores; machine ${c.machineCores} cores`;
  log(`  sale CPU: ${cpu(r.saleCpu)}`);
  log(`  cancel CPU: ${cpu(r.cancelCpu)}`);
  log(`  Worker errors and warnings logged: ${r.workerErrors}`);
  log("Stripe invariants:");
  log(formatChecks(r.invariants));
}
