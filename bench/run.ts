/**
 * `npm run bench` (full) and `npm run bench:ci` (`--ci`, small and quick). Serves the Worker
 * on workerd with fresh state, the relays in a second workerd process (bench/server-pair.ts),
 * creates shows through the API, drives load from separate processes (bench/load.ts), runs
 * the phases of bench/bench-phases.ts, prints a table against the targets, checks the
 * invariants of every sale.
 * Exit code 1 when an invariant is breached (the performance targets only report).
 * `--flood` runs only the live-feed flood scenario instead (bench/flood-run.ts); `--queue`
 * only the waiting room under a crowd (bench/queue-run.ts; with `--ci`, a smaller crowd).
 * After the simulator's run (full or `--ci`), a sale paid through the local Stripe stand-in
 * in a workerd process of its own (bench/stripe-sale.ts); `--stripe` runs only that,
 * `--no-stripe` leaves it out. Before it, a presale (access code before sales_start, then
 * the public sale, under a per-buyer limit) in a workerd process of its own
 * (bench/presale-sale.ts); `--presale` runs only that, `--no-presale` leaves it out. Then a
 * standing area's sale (a 5,000-place floor; bench/area-sale.ts): `--areas`, `--no-areas`.
 * `--broadcast` runs only a sale watched by 10,000 viewers once per relay size, the relays
 * served apart (bench/broadcast.ts): `--relay-sizes 1000,2000,5000`, `--crowd-split <n>`
 * (load processes per front's crowd), `--rounds <n>`, `--viewers <n>`, `--alone` (each size
 * also with one relay's worth of viewers, that relay alone on the relay process's thread).
 *
 *   node bench/run.ts [--ci | --flood | --queue | --stripe | --presale | --areas | --broadcast]
 *     [--no-stripe] [--no-presale] [--no-areas] [--route direct|entry]
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { signAccessToken } from "../src/auth/access-token.ts";
import { runAreaSaleBench } from "./area-sale.ts";
import { benchBindings } from "./bench-bindings.ts";
import { type PhaseSettings, type Phases, runPhases } from "./bench-phases.ts";
import { billOf, formatBill, formatOperations } from "./bill.ts";
import { runBroadcastBench } from "./broadcast.ts";
import { ceilingOf, formatCeiling } from "./ceiling.ts";
import { floodSettings, runFloodBench } from "./flood-run.ts";
import { type CheckResult, checkInvariants, waitForD1 } from "./invariants.ts";
import { countOperations } from "./operation-counts.ts";
import { withoutIds } from "./phase.ts";
import { runPresaleSaleBench } from "./presale-sale.ts";
import { MemorySampler, machineInfo } from "./proc.ts";
import { runProfile } from "./profile-run.ts";
import { queueSettings, runQueueBench } from "./queue-run.ts";
import {
  type BenchReport,
  formatChecks,
  formatCosts,
  formatTable,
  mib,
  type PhaseCost,
  writeReport,
} from "./report.ts";
import { buildRows } from "./report-rows.ts";
import { bundleWorker, projectRoot, type Route, readWorkerPlan } from "./serve.ts";
import { ServerPair } from "./server-pair.ts";
import { measureShowThread } from "./show-thread.ts";
import { runStripeSaleBench } from "./stripe-sale.ts";

const { values: args } = parseArgs({
  options: {
    ci: { type: "boolean", default: false },
    flood: { type: "boolean", default: false },
    queue: { type: "boolean", default: false },
    route: { type: "string", default: "direct" },
    profile: { type: "boolean", default: false },
    stripe: { type: "boolean", default: false },
    "no-stripe": { type: "boolean", default: false },
    presale: { type: "boolean", default: false },
    areas: { type: "boolean", default: false },
    "no-areas": { type: "boolean", default: false },
    "no-presale": { type: "boolean", default: false },
    broadcast: { type: "boolean", default: false },
    "relay-sizes": { type: "string", default: "1000,2000,5000" },
    "crowd-split": { type: "string", default: "1" },
    rounds: { type: "string", default: "1" },
    viewers: { type: "string", default: "10000" },
    alone: { type: "boolean", default: false },
  },
});

const settings: PhaseSettings = args.ci
  ? {
      seats: 200,
      buyers: 100,
      viewerCounts: [1, 100],
      mainViewers: 100,
      connections: 16,
      warmupMs: 500,
      readMs: 2_000,
      serialLocks: 20,
      saleDeadlineMs: 45_000,
      stadiumSeats: 0,
    }
  : {
      seats: 1_000,
      buyers: 500,
      viewerCounts: [1, 1_000, 5_000, 10_000],
      mainViewers: 1_000,
      connections: 64,
      warmupMs: 2_000,
      readMs: 10_000,
      serialLocks: 50,
      saleDeadlineMs: 120_000,
      stadiumSeats: 50_000,
    };

const route = args.route as Route;
if (args.ci && args.flood) throw new Error("--ci and --flood are separate runs");
if (route !== "direct" && route !== "entry") throw new Error("--route is direct or entry");

const log = (line: string) => process.stdout.write(`${line}\n`);

const baseBindings = (secret: string): Record<string, string> => ({
  ...benchBindings(secret),
  // The CI sale's 100 viewers spread over three relays, so it checks that every relay
  // forwards every change; the full run keeps wrangler.toml's 5,000.
  ...(args.ci ? { VIEWERS_PER_RELAY: "40" } : {}),
});

/** Rate limiting on, with a seat-map limit no client reaches: the limiter's cost alone. */
const limitedBindings = (secret: string): Record<string, string> => ({
  ...baseBindings(secret),
  RATE_LIMITS_ENABLED: "true",
  RATE_LIMIT_SEAT_MAP: "100000000",
});

function printReport(report: BenchReport, workerErrors: number, phases: Phases): void {
  log("");
  log(formatTable(report.rows));
  log("");
  log(formatCosts(report.costs));
  if (report.operations && report.bill) {
    log("");
    log(formatOperations(report.operations));
    log("");
    log(formatBill(report.bill));
  }
  log(formatCeiling(report.ceiling));
  const others = Math.max(...Object.values(report.costs).map((cost) => cost.otherCores));
  if (others >= 0.25) {
    log(
      `Note: other processes took up to ${others.toFixed(2)} of the ${report.machine.cores} cores in a phase; ` +
        "workerd runs JavaScript on one thread, so an idle machine gives higher figures.",
    );
  }
  for (const hot of phases.sales) {
    const s = hot.sale.result;
    log(
      `Sale, ${hot.viewers} viewers: ${s.seatsSold}/${s.seatsTotal} seats (wanted ${s.seatsWanted}) in ` +
        `${s.bookingsOk} bookings; ${s.lockAttempts} lock requests (${s.locksOk} ok, ${s.lockConflicts} conflicts), ` +
        `${s.bookingAttempts} booking requests; unexpected answers: ${JSON.stringify(s.unexpected)}; ` +
        `viewers ${hot.viewersConnected} connected (${hot.failedToConnect} failed, crowd connected in ` +
        `${hot.crowdConnectSeconds} s, caught up: ${hot.crowdCaughtUp}); crowd CPU ${hot.crowdClientCpuMs} ms`,
    );
  }
  log(`Worker errors and warnings logged: ${workerErrors}`);
  log("");
  log("Invariants:");
  log(formatChecks(report.invariants));
}

async function main(): Promise<number> {
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  log(
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, ` +
      `Linux ${machine.kernel}, Node ${machine.node}, load average ${machine.loadAverage}`,
  );
  if (args.queue) {
    const q = queueSettings(args.ci ?? false);
    log(`Mode: queue: ${q.users} users join one show's waiting room, ${q.seats} seats behind it`);
  } else if (args.flood) {
    const f = floodSettings;
    log(
      `Mode: flood: ${f.seats} seats, ${f.viewers} viewers, ${f.buyers} buyers x ${f.cycles} ` +
        `lock+release cycles, without and with one client flooding the live feed`,
    );
  } else {
    log(
      `Mode: ${args.ci ? "ci" : "full"}: ${settings.seats} seats, ${settings.buyers} buyers, ` +
        `sales with ${settings.viewerCounts.join(", ")} viewers, reads ${settings.connections} ` +
        `connections x ${settings.readMs / 1000} s` +
        (settings.stadiumSeats > 0 ? `, a ${settings.stadiumSeats}-seat show` : ""),
    );
  }

  const workDir = mkdtempSync(join(tmpdir(), "ticket-bench-"));
  const secret = randomBytes(32).toString("hex");
  // The flood and the queue measure the show object with its viewers as they were
  // measured before the relays had a process of their own; the sales need that process.
  const bench = !args.flood && !args.queue;
  const bundle = bundleWorker(join(workDir, "bundle"));
  const pair = await ServerPair.start({
    plan: readWorkerPlan(),
    bundle,
    workDir,
    bindings: baseBindings(secret),
    route,
    relays: bench ? "process" : "same",
    // 10,000 viewers take two processes to accept them (see ServerPair); CI has 100.
    extraFronts: bench && !args.ci ? 1 : 0,
    anchor: bench,
    // The bundle through the bench's counting entry: operations are counted at the end.
    countOperations: bench,
  });
  const server = pair.main;
  const sampler = new MemorySampler(200);
  sampler.start();
  try {
    log(`Served: ${pair.describe()}`);
    log(`D1 migrations applied: ${(await server.applyMigrations()).join(", ")}`);
    const admin = await signAccessToken(
      { sub: "bench_admin", role: "admin", ttlSeconds: 3600 },
      secret,
    );
    if (args.queue) {
      const ci = args.ci ?? false;
      return await runQueueBench({
        server,
        secret,
        adminToken: admin,
        machine,
        startedAt,
        ci,
        log,
      });
    }
    if (args.flood) {
      const input = { server, sampler, secret, adminToken: admin, machine, startedAt, log };
      return await runFloodBench(input);
    }
    const phases = await runPhases({
      pair,
      sampler,
      secret,
      adminToken: admin,
      settings,
      baseBindings: baseBindings(secret),
      limitedBindings: limitedBindings(secret),
      log,
    });
    sampler.stop();
    // Issue 29: operations per lock+book pair, seat-map read and show load, counted.
    log("Operation counts (rate limiting on, as deployed)...");
    const operations = await countOperations({
      pair,
      classes: [...new Set(readWorkerPlan().durableObjects.map((d) => d.className))],
      secret,
      adminToken: admin,
      settings: {
        seats: settings.seats,
        buyers: settings.buyers,
        viewers: settings.mainViewers,
        connections: settings.connections,
        readMs: args.ci ? 1_000 : 3_000,
        saleDeadlineMs: settings.saleDeadlineMs,
      },
      limitedBindings: limitedBindings(secret),
      baseBindings: baseBindings(secret),
      log,
    });

    // The full run only: CI's time goes to the suite, and this is a measurement.
    let showsApart: Awaited<ReturnType<typeof measureShowThread>> | undefined;
    if (!args.ci) {
      log(
        "The show object's own thread: a 1-viewer sale, the show objects in their own process...",
      );
      showsApart = await measureShowThread({
        bundle,
        workDir,
        bindings: baseBindings(secret),
        route,
        secret,
        adminToken: admin,
        seats: settings.seats,
        buyers: settings.buyers,
        deadlineMs: settings.saleDeadlineMs,
        log,
      });
    }

    const invariants: CheckResult[] = [...(showsApart?.invariants ?? [])];
    for (const [i, show] of phases.saleShows.entries()) {
      const hot = phases.sales[i];
      if (!hot) continue;
      const waitedMs = await waitForD1(server, show, 15_000);
      log(
        `Checking the ${hot.viewers}-viewer sale's invariants (D1 caught up after ${waitedMs} ms)...`,
      );
      const checks = await checkInvariants(server, show, hot.sale.result.confirmedBookingIds);
      invariants.push(...checks.map((c) => ({ ...c, name: `${hot.viewers} viewers: ${c.name}` })));
    }

    const peakRssMiB = mib(sampler.overallPeak);
    const costs: Record<string, PhaseCost> = {
      health: phases.health.cost,
      seatMap: phases.seatMap.cost,
      seatMapLimited: phases.limited.cost,
      status: phases.status.cost,
      layout: phases.layout.cost,
      anchor: phases.anchor.cost,
      anchorAlone: phases.anchorAlone.cost,
      serial: phases.serial.cost,
      ...Object.fromEntries(phases.sales.map((hot) => [`sale${hot.viewers}`, hot.sale.cost])),
    };
    const report: BenchReport = {
      mode: args.ci ? "ci" : "full",
      startedAt,
      machine,
      served: pair.describe(),
      settings: { ...settings, route },
      health: phases.health.result,
      seatMap: phases.seatMap.result,
      seatMapLimited: phases.limited.result,
      status: phases.status.result,
      layout: phases.layout.result,
      anchor: phases.anchor.result,
      anchorAlone: phases.anchorAlone.result,
      serial: phases.serial.result,
      sales: phases.sales.map((hot) => ({
        ...hot,
        sale: withoutIds(hot.sale.result),
        cost: hot.sale.cost,
      })),
      stadium: phases.stadium,
      costs,
      peakRssMiB,
      rows: buildRows({ phases, costs, mainViewers: settings.mainViewers, peakRssMiB }),
      invariants,
      operations,
      bill: billOf(operations),
      ceiling: ceilingOf(
        phases.sales.find((hot) => hot.viewers === 1),
        phases.anchor.cost.serverCpuMsPerRequest,
        showsApart?.thread,
      ),
    };
    printReport(report, server.workerErrors + (pair.relay?.workerErrors ?? 0), phases);
    log(`Written: ${writeReport(projectRoot, report)}`);
    const failed = invariants.filter((check) => !check.passed).length;
    log(`${invariants.length - failed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  } finally {
    sampler.stop();
    await pair.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * The simulator's run, then (unless --no-presale) the presale phase and (unless --no-stripe)
 * the Stripe phase; --presale or --stripe: that alone.
 */
async function withStripe(): Promise<number> {
  const ci = args.ci ?? false;
  if (args.broadcast) {
    const failed = await runBroadcastBench({
      relaySizes: args["relay-sizes"].split(",").map(Number),
      viewers: Number(args.viewers),
      crowdSplit: Number(args["crowd-split"]),
      rounds: Number(args.rounds),
      alone: args.alone ?? false,
      route,
      log,
    });
    return failed === 0 ? 0 : 1;
  }
  if (args.presale) return (await runPresaleSaleBench(ci, log)) === 0 ? 0 : 1;
  if (args.areas) return (await runAreaSaleBench(ci, log)) === 0 ? 0 : 1;
  if (args.stripe) return (await runStripeSaleBench(ci, log)) === 0 ? 0 : 1;
  const code = await main();
  if (args.flood || args.queue) return code;
  const presaleFailed = args["no-presale"] ? 0 : await runPresaleSaleBench(ci, log);
  const areasFailed = args["no-areas"] ? 0 : await runAreaSaleBench(ci, log);
  const stripeFailed = args["no-stripe"] ? 0 : await runStripeSaleBench(ci, log);
  return code === 0 && presaleFailed === 0 && areasFailed === 0 && stripeFailed === 0 ? 0 : 1;
}

// `--profile`: CPU profiles of lock and book instead (issue 15; bench/profile-run.ts).
process.exitCode = args.profile ? await runProfile(log) : await withStripe();
