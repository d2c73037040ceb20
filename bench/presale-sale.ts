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
import { apiErrorOf, HttpClient } from "./http.ts";
import type { CheckResult } from "./invariants.ts";
import { type Buyer, CODE, PresaleSale, Wave } from "./presale-buyers.ts";
import { checkPresale, waitForD1 } from "./presale-checks.ts";
import { formatChecks, recordPhase } from "./report.ts";
import { projectRoot } from "./serve.ts";
import { createShow } from "./show-setup.ts";
import { startSoloServer } from "./solo-server.ts";
import { type Samples, seededRandom } from "./stats.ts";

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
        const error = reply ? apiErrorOf(reply) : undefined;
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

    const invariants = await checkPresale({
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
