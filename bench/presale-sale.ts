/**
 * The presale phase of `npm run bench` (and `--ci`; `--presale` runs it alone): a fresh show
 * whose `sales_start` is a few seconds ahead, with `max_tickets_per_user` 4 and one access
 * code admitting a quarter of the seats' worth of uses. Wave 1: more code holders than the
 * code admits lock (best available, with the code) and book at once before the start, while
 * the public's tries are sampled and must be refused (400 SALE_NOT_STARTED). Then, from
 * `sales_start`, the public sale with the other buyers until sold out. Some buyers of each
 * wave reach for more than 4 seats and must be refused (400 TICKET_LIMIT_REACHED).
 *
 * Checked afterwards against the code's `uses` (GET .../access-codes), D1 and the seat map.
 * The Worker runs in a workerd process of its own (fresh state, simulated provider), like
 * the Stripe phase's; the buyers in this Node process.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { signAccessToken } from "../src/auth/access-token.ts";
import { HttpClient, type Reply } from "./http.ts";
import { type CheckResult, examples } from "./invariants.ts";
import { formatChecks, recordPhase } from "./report.ts";
import { projectRoot, type WorkerServer } from "./serve.ts";
import { type BenchShow, createShow } from "./show-setup.ts";
import { BENCH_CARD, startSoloServer } from "./solo-server.ts";
import { round, Samples, seededRandom } from "./stats.ts";

export interface PresaleSettings {
  seats: number;
  /** Code holders in wave 1: more than the code admits. */
  presaleBuyers: number;
  publicBuyers: number;
  /** The code's max_uses: a quarter of the seats. */
  maxUses: number;
  maxTicketsPerUser: number;
  /** sales_start is this long after the show is set up. */
  leadMs: number;
  deadlineMs: number;
  seed: number;
}

export function presaleSettings(ci: boolean): PresaleSettings {
  return ci
    ? {
        seats: 200,
        presaleBuyers: 80,
        publicBuyers: 100,
        maxUses: 50,
        maxTicketsPerUser: 4,
        leadMs: 5_000,
        deadlineMs: 45_000,
        seed: 20261227,
      }
    : {
        seats: 1_000,
        presaleBuyers: 400,
        publicBuyers: 500,
        maxUses: 250,
        maxTicketsPerUser: 4,
        leadMs: 8_000,
        deadlineMs: 120_000,
        seed: 20261227,
      };
}

const CODE = "BENCH-PRESALE-27";

interface ErrorBody {
  error?: { code?: string; details?: { reason?: string } };
}

function errorOf(reply: Reply): ErrorBody["error"] {
  try {
    return (JSON.parse(reply.body) as ErrorBody).error;
  } catch {
    return undefined;
  }
}

interface Buyer {
  userId: string;
  token: string;
  /** Seats wanted in all; more than the limit for some, who must be refused the rest. */
  wants: number;
}

/** What one wave saw. */
class Wave {
  readonly bookLatency = new Samples();
  /** Refusals of lock requests, by error code (and reason). */
  readonly refusals: Record<string, number> = {};
  readonly unexpected: Record<string, number> = {};
  readonly lockIds = new Set<string>();
  /** Booking id → owner. */
  readonly confirmed = new Map<string, string>();
  /** Seats booked, by buyer. */
  readonly seatsOf = new Map<string, number>();
  seats = 0;
  lockAttempts = 0;
  conflicts = 0;
  firstAt = 0;
  lastBookedAt = 0;

  refuse(what: string): void {
    this.refusals[what] = (this.refusals[what] ?? 0) + 1;
  }

  count(what: string): void {
    this.unexpected[what] = (this.unexpected[what] ?? 0) + 1;
  }

  perSecond(): number {
    if (this.confirmed.size === 0) return 0;
    return round(
      this.confirmed.size / Math.max(1e-3, (this.lastBookedAt - this.firstAt) / 1000),
      1,
    );
  }
}

class PresaleSale {
  private readonly client: HttpClient;
  private readonly show: BenchShow;
  private readonly deadline: number;
  private readonly limit: number;

  constructor(client: HttpClient, show: BenchShow, deadlineMs: number, limit: number) {
    this.client = client;
    this.show = show;
    this.limit = limit;
    this.deadline = performance.now() + deadlineMs;
  }

  /**
   * Best-available locks (fewer seats when no row has as many together), each booked at
   * once, until the buyer has what it wants, is refused, or the show is sold out.
   */
  async run(buyer: Buyer, wave: Wave, code?: string, alreadyHeld = 0): Promise<void> {
    let held = alreadyHeld;
    let ask = Math.min(buyer.wants, this.limit);
    while (held < buyer.wants && performance.now() < this.deadline) {
      const body = {
        show_id: this.show.showId,
        quantity: Math.min(ask, buyer.wants - held),
        ...(code ? { access_code: code } : {}),
      };
      wave.lockAttempts++;
      const reply = await this.send("POST", "/v1/seats/lock", buyer, body);
      if (!reply) {
        wave.count("lock network");
        await sleep(50);
        continue;
      }
      if (reply.status === 200) {
        const lock = JSON.parse(reply.body) as { lock_id: string; seat_ids: string[] };
        wave.lockIds.add(lock.lock_id);
        if (!(await this.book(buyer, lock, wave))) return;
        held += lock.seat_ids.length;
        continue;
      }
      const error = errorOf(reply);
      if (error?.code === "SEATS_UNAVAILABLE" || error?.code === "SEATS_ALREADY_LOCKED") {
        wave.conflicts++;
        if (ask > 1) ask--;
        else if (await this.soldOut(buyer)) return;
        else await sleep(100);
        continue;
      }
      if (
        error?.code === "TICKET_LIMIT_REACHED" ||
        error?.code === "ACCESS_CODE_INVALID" ||
        error?.code === "SALE_NOT_STARTED"
      ) {
        wave.refuse(
          `${reply.status} ${error.code}${error.details?.reason ? ` ${error.details.reason}` : ""}`,
        );
        return;
      }
      wave.count(`lock ${reply.status} ${error?.code ?? ""}`.trim());
      await sleep(50);
    }
  }

  private async book(
    buyer: Buyer,
    lock: { lock_id: string; seat_ids: string[] },
    wave: Wave,
  ): Promise<boolean> {
    const body = {
      show_id: this.show.showId,
      lock_id: lock.lock_id,
      seat_ids: lock.seat_ids,
      user_id: buyer.userId,
      payment_method: BENCH_CARD,
    };
    for (let attempt = 1; attempt <= 5; attempt++) {
      const reply = await this.send("POST", "/v1/bookings", buyer, body, `presale-${lock.lock_id}`);
      if (reply?.status === 201) {
        const { booking } = JSON.parse(reply.body) as { booking: { booking_id: string } };
        wave.confirmed.set(booking.booking_id, buyer.userId);
        wave.seats += lock.seat_ids.length;
        wave.seatsOf.set(
          buyer.userId,
          (wave.seatsOf.get(buyer.userId) ?? 0) + lock.seat_ids.length,
        );
        wave.bookLatency.add(reply.ms);
        wave.lastBookedAt = Math.max(wave.lastBookedAt, reply.at);
        return true;
      }
      const code = reply ? errorOf(reply)?.code : undefined;
      wave.count(`book ${reply?.status ?? "network"} ${code ?? ""}`.trim());
      if (reply && reply.status < 500 && code !== "REQUEST_IN_PROGRESS") return false;
      await sleep(50 * attempt);
    }
    return false;
  }

  /** No seat available or held by a lock: nothing left to buy. */
  private async soldOut(buyer: Buyer): Promise<boolean> {
    const reply = await this.send("GET", `/v1/shows/${this.show.showId}/seats/status`, buyer);
    if (reply?.status !== 200) return false;
    const { status } = JSON.parse(reply.body) as { status: string };
    return !status.includes("a") && !status.includes("l");
  }

  send(
    method: string,
    path: string,
    buyer: Buyer,
    body?: unknown,
    key?: string,
  ): Promise<Reply | undefined> {
    const headers: Record<string, string> = { Authorization: `Bearer ${buyer.token}` };
    if (key) headers["Idempotency-Key"] = key;
    return this.client.send(method, path, headers, body, 30_000).catch(() => undefined);
  }
}

export interface PresaleResult {
  settings: PresaleSettings;
  served: string;
  salesStart: string;
  /** Wave 1's last booking, before (negative) or after sales_start, in ms. */
  presaleEndedMsFromStart: number;
  presale: WaveFigures;
  public: WaveFigures;
  /** Public lock tries during the presale, by answer. */
  publicTriesBeforeStart: Record<string, number>;
  /** Code holders with 3+ seats asking the public sale for more: refused by the limit. */
  returners: { buyers: number; locked: number; refusals: Record<string, number> };
  codeUses: number;
  seatsSold: number;
  seatsTotal: number;
  workerErrors: number;
  invariants: CheckResult[];
}

interface WaveFigures {
  buyers: number;
  bookings: number;
  seats: number;
  bookingsPerSecond: number;
  lockAttempts: number;
  conflicts: number;
  refusals: Record<string, number>;
  unexpected: Record<string, number>;
  bookingLatencyMs: ReturnType<Samples["summary"]>;
}

function figures(wave: Wave, buyers: number): WaveFigures {
  return {
    buyers,
    bookings: wave.confirmed.size,
    seats: wave.seats,
    bookingsPerSecond: wave.perSecond(),
    lockAttempts: wave.lockAttempts,
    conflicts: wave.conflicts,
    refusals: wave.refusals,
    unexpected: wave.unexpected,
    bookingLatencyMs: wave.bookLatency.summary(),
  };
}

async function makeBuyers(
  prefix: string,
  count: number,
  secret: string,
  wants: (i: number) => number,
): Promise<Buyer[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const userId = `bench_${prefix}_${i}`;
      const token = await signAccessToken({ sub: userId, role: "user", ttlSeconds: 3600 }, secret);
      return { userId, token, wants: wants(i) };
    }),
  );
}

/** Runs the phase in a workerd process of its own; prints, writes JSON; the failed checks. */
export async function runPresaleSaleBench(
  ci: boolean,
  log: (line: string) => void,
  root = projectRoot,
): Promise<number> {
  const settings = presaleSettings(ci);
  log("");
  log(
    `Presale phase: ${settings.seats} seats, max ${settings.maxTicketsPerUser} per buyer; a code admitting ` +
      `${settings.maxUses} uses raced by ${settings.presaleBuyers} holders before sales_start, then ` +
      `${settings.publicBuyers} public buyers`,
  );
  const secret = randomBytes(32).toString("hex");
  const solo = await startSoloServer(root, "presale", secret);
  const { server, served } = solo;
  try {
    log(`Served: ${served}`);
    const adminToken = await signAccessToken(
      { sub: "bench_admin", role: "admin", ttlSeconds: 3600 },
      secret,
    );
    const admin: Buyer = { userId: "bench_admin", token: adminToken, wants: 0 };
    const show = await createShow(server.url, adminToken, settings.seats);
    const client = new HttpClient(server.url, settings.presaleBuyers + settings.publicBuyers + 16);

    const random = seededRandom(settings.seed);
    // Every 8th holder and every 10th public buyer wants 6: the limit refuses them the rest.
    const presaleBuyers = await makeBuyers("presale", settings.presaleBuyers, secret, (i) =>
      i % 8 === 5 ? 6 : 1 + Math.floor(random() * 3),
    );
    const publicBuyers = await makeBuyers("public", settings.publicBuyers, secret, (i) =>
      i % 10 === 3 ? 6 : 1 + Math.floor(random() * 4),
    );

    const salesStartMs = Date.now() + settings.leadMs;
    const salesStart = new Date(salesStartMs).toISOString();
    const sale = new PresaleSale(client, show, settings.deadlineMs, settings.maxTicketsPerUser);
    const patched = await sale.send("PATCH", `/v1/shows/${show.showId}`, admin, {
      sales_start: salesStart,
      max_tickets_per_user: settings.maxTicketsPerUser,
    });
    if (patched?.status !== 200) throw new Error(`PATCH show: ${patched?.status} ${patched?.body}`);
    const made = await sale.send("POST", `/v1/shows/${show.showId}/access-codes`, admin, {
      code: CODE,
      max_uses: settings.maxUses,
    });
    if (made?.status !== 201) throw new Error(`POST access-codes: ${made?.status} ${made?.body}`);
    // Wake the show object before the clock starts.
    await sale.send("GET", `/v1/shows/${show.showId}/seats`, admin);
    log(`sales_start ${salesStart} (in ${salesStartMs - Date.now()} ms)`);

    // Wave 1, with the public's tries sampled meanwhile (until 1 s before the start, so
    // no try can arrive after it), one with a wrong code among them.
    const presale = new Wave();
    const publicTries: Record<string, number> = {};
    const publicLocksBeforeStart: string[] = [];
    const samplePublic = async () => {
      for (let i = 0; Date.now() < salesStartMs - 1_000; i++) {
        const buyer = publicBuyers[i % publicBuyers.length] as Buyer;
        const wrongCode = i % 5 === 4;
        const reply = await sale.send("POST", "/v1/seats/lock", buyer, {
          show_id: show.showId,
          quantity: 1,
          ...(wrongCode ? { access_code: "NOT-THE-CODE" } : {}),
        });
        const error = reply ? errorOf(reply) : undefined;
        const what = `${wrongCode ? "wrong code: " : ""}${reply?.status ?? "network"} ${error?.code ?? ""}${error?.details?.reason ? ` ${error.details.reason}` : ""}`;
        publicTries[what] = (publicTries[what] ?? 0) + 1;
        if (reply?.status === 200) {
          publicLocksBeforeStart.push((JSON.parse(reply.body) as { lock_id: string }).lock_id);
        }
        await sleep(200);
      }
    };
    presale.firstAt = performance.now();
    await Promise.all([
      ...presaleBuyers.map((buyer) => sale.run(buyer, presale, CODE)),
      samplePublic(),
    ]);
    const presaleEndedMsFromStart = Math.round(
      Date.now() - (performance.now() - presale.lastBookedAt) - salesStartMs,
    );

    // The public sale, from sales_start. Code holders with 3 or more seats come back first
    // for 6 in all: the limit counts their presale seats, so they must be refused.
    await sleep(Math.max(0, salesStartMs - Date.now() + 20));
    const returners = presaleBuyers
      .filter((buyer) => (presale.seatsOf.get(buyer.userId) ?? 0) >= 3)
      .map((buyer) => ({
        buyer: { ...buyer, wants: 6 },
        held: presale.seatsOf.get(buyer.userId) ?? 0,
      }));
    const returns = new Wave();
    const publicWave = new Wave();
    publicWave.firstAt = performance.now();
    await Promise.all([
      ...returners.map(({ buyer, held }) => sale.run(buyer, returns, undefined, held)),
      ...publicBuyers.map((buyer) => sale.run(buyer, publicWave)),
    ]);

    const codes = await sale.send("GET", `/v1/shows/${show.showId}/access-codes`, admin);
    const codeList =
      codes?.status === 200
        ? (JSON.parse(codes.body) as { access_codes: { uses: number; max_uses: number }[] })
            .access_codes
        : [];
    const waited = await waitForD1(
      server,
      show.showId,
      presale.confirmed.size + publicWave.confirmed.size,
    );
    log(`Checking the presale's invariants (D1 caught up after ${waited} ms)...`);
    const map = await sale.send("GET", `/v1/shows/${show.showId}/seats`, admin);
    const seatMap =
      map?.status === 200
        ? (JSON.parse(map.body) as { seats: { seat_id: string; status: string }[] }).seats
        : [];
    client.close();

    const invariants = await check({
      server,
      show,
      settings,
      salesStart,
      presale,
      publicWave,
      publicTries,
      publicLocksBeforeStart,
      codeList,
      seatMap,
      returns,
      returners: returners.length,
    });
    const sold = await server.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM booking_seats bs JOIN bookings b ON b.booking_id = bs.booking_id
        WHERE b.show_id = ? AND b.status = 'confirmed'`,
      show.showId,
    );
    const result: PresaleResult = {
      settings,
      served,
      salesStart,
      presaleEndedMsFromStart,
      presale: figures(presale, presaleBuyers.length),
      public: figures(publicWave, publicBuyers.length),
      publicTriesBeforeStart: publicTries,
      returners: {
        buyers: returners.length,
        locked: returns.lockIds.size,
        refusals: returns.refusals,
      },
      codeUses: codeList[0]?.uses ?? -1,
      seatsSold: sold[0]?.n ?? 0,
      seatsTotal: show.totalSeats,
      workerErrors: server.workerErrors,
      invariants,
    };
    printResult(result, log);
    return recordPhase("presale-sale.json", "Presale phase", result, invariants, log);
  } finally {
    await solo.stop();
  }
}

/** Until D1 has every confirmed booking and no live lock (at most 15 s); the ms waited. */
async function waitForD1(server: WorkerServer, showId: string, confirmed: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < 15_000) {
    const [row] = await server.query<{ live: number; booked: number }>(
      `SELECT
         (SELECT COUNT(*) FROM seat_locks WHERE show_id = ?1 AND status = 'locked') AS live,
         (SELECT COUNT(*) FROM bookings WHERE show_id = ?1 AND status = 'confirmed') AS booked`,
      showId,
    );
    if (row && row.live === 0 && row.booked >= confirmed) break;
    await sleep(250);
  }
  return Math.round(performance.now() - started);
}

async function check(input: {
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

function printResult(r: PresaleResult, log: (line: string) => void): void {
  const wave = (name: string, w: WaveFigures) =>
    `${name}: ${w.buyers} buyers, ${w.bookings} bookings (${w.seats} seats) = ${w.bookingsPerSecond} bookings/s, ` +
    `booking p50 ${w.bookingLatencyMs.p50} ms p99 ${w.bookingLatencyMs.p99} ms; ${w.lockAttempts} lock requests ` +
    `(${w.conflicts} conflicts); refusals ${JSON.stringify(w.refusals)}; unexpected ${JSON.stringify(w.unexpected)}`;
  log(
    `Presale sale: ${r.seatsSold}/${r.seatsTotal} seats sold; code uses ${r.codeUses}/${r.settings.maxUses}; ` +
      `wave 1's last booking ${Math.abs(r.presaleEndedMsFromStart)} ms ${r.presaleEndedMsFromStart <= 0 ? "before" : "after"} sales_start`,
  );
  log(`  ${wave("presale (with the code)", r.presale)}`);
  log(`  public tries before sales_start: ${JSON.stringify(r.publicTriesBeforeStart)}`);
  log(
    `  code holders with 3+ seats back in the public sale for more: ${r.returners.buyers}, ` +
      `${r.returners.locked} locks got, refusals ${JSON.stringify(r.returners.refusals)}`,
  );
  log(`  ${wave("public sale", r.public)}`);
  log(`  Worker errors and warnings logged: ${r.workerErrors}`);
  log("Presale invariants:");
  log(formatChecks(r.invariants));
}
