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
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startStripeStandIn } from "../scripts/stripe-stand-in-server.ts";
import { signAccessToken } from "../src/auth/access-token.ts";
import { STAND_IN_SECRET_KEY } from "../test/support/stripe-stand-in.ts";
import { benchBindings } from "./bench-bindings.ts";
import type { CheckResult } from "./invariants.ts";
import { CpuMeter, type CpuUse, withNewPids } from "./proc.ts";
import { formatChecks, recordPhase } from "./report.ts";
import { bundleWorker, projectRoot, readWorkerPlan, WorkerServer } from "./serve.ts";
import { createShow } from "./show-setup.ts";
import { round, type Samples, seededRandom } from "./stats.ts";
import { type Buyer, Client, type Kind, Outcomes, StripeSale } from "./stripe-buyers.ts";
import { checkMoney, countBy, routeOf, waitForD1 } from "./stripe-money-checks.ts";

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
