/**
 * `npm run bench` (full) and `npm run bench:ci` (`--ci`, small and quick). Serves the Worker
 * on workerd with fresh state, creates a show through the API, drives load from a separate
 * process (bench/load.ts), prints a table against the targets, checks the invariants.
 * Exit code 1 when an invariant is breached (the performance targets only report).
 * `--flood` runs only the live-feed flood scenario instead (bench/flood-run.ts); `--queue`
 * only the waiting room under a crowd (bench/queue-run.ts; with `--ci`, a smaller crowd).
 *
 *   node bench/run.ts [--ci | --flood | --queue] [--route direct|entry]
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { signAccessToken } from "../src/auth/access-token.ts";
import { floodSettings, runFloodBench } from "./flood-run.ts";
import { checkInvariants, waitForD1 } from "./invariants.ts";
import { type Measured, measured, runLoad, withoutIds } from "./phase.ts";
import { MemorySampler, machineInfo } from "./proc.ts";
import type { HttpResult, SaleResult, SerialResult } from "./protocol.ts";
import { queueSettings, runQueueBench } from "./queue-run.ts";
import {
  type BenchReport,
  buildRows,
  formatChecks,
  formatCosts,
  formatTable,
  mib,
  writeReport,
} from "./report.ts";
import { bundleWorker, projectRoot, type Route, readWorkerPlan, WorkerServer } from "./serve.ts";
import { type BenchShow, createShow } from "./show-setup.ts";

const { values: args } = parseArgs({
  options: {
    ci: { type: "boolean", default: false },
    flood: { type: "boolean", default: false },
    queue: { type: "boolean", default: false },
    route: { type: "string", default: "direct" },
  },
});

const settings = args.ci
  ? {
      seats: 200,
      buyers: 100,
      viewers: 100,
      connections: 16,
      warmupMs: 500,
      readMs: 2_000,
      serialLocks: 20,
      saleDeadlineMs: 45_000,
    }
  : {
      seats: 1_000,
      buyers: 500,
      viewers: 1_000,
      connections: 64,
      warmupMs: 2_000,
      readMs: 10_000,
      serialLocks: 50,
      saleDeadlineMs: 120_000,
    };

const route = args.route as Route;
if (args.ci && args.flood) throw new Error("--ci and --flood are separate runs");
if (route !== "direct" && route !== "entry") throw new Error("--route is direct or entry");

const log = (line: string) => process.stdout.write(`${line}\n`);

interface Bench {
  server: WorkerServer;
  sampler: MemorySampler;
  secret: string;
  show: BenchShow;
  /** A second show, for the one-buyer phase, so the sale's show starts untouched. */
  probeShow: BenchShow;
  /** A third, like the first, for the sale watched by one viewer only. */
  quietShow: BenchShow;
}

interface Phases {
  health: Measured<HttpResult>;
  seatMap: Measured<HttpResult>;
  limited: Measured<HttpResult>;
  serial: Measured<SerialResult>;
  sale: Measured<SaleResult>;
  quietSale: Measured<SaleResult>;
}

/** The run's Ed25519 key of ticket tokens (a required secret): a private JWK with a kid. */
const ticketSigningKey = JSON.stringify({
  ...generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }),
  kid: "bench",
});

const baseBindings = (secret: string): Record<string, string> => ({
  TICKET_SIGNING_KEY: ticketSigningKey,
  PAYMENT_PROVIDER: "simulated",
  PAYMENT_TIMEOUT_MS: "10000",
  CURRENCY: "INR",
  DEV_TOKENS: "false",
  JWT_SECRET: secret,
  RATE_LIMITS_ENABLED: "false",
});

/** Rate limiting on, with a seat-map limit no client reaches: the limiter's cost alone. */
const limitedBindings = (secret: string): Record<string, string> => ({
  ...baseBindings(secret),
  RATE_LIMITS_ENABLED: "true",
  RATE_LIMIT_SEAT_MAP: "100000000",
});

async function runPhases(bench: Bench): Promise<Phases> {
  const { server, sampler, secret, show, probeShow, quietShow } = bench;
  const http = (path: string) => (serverPids: number[]) =>
    runLoad<HttpResult>(
      {
        kind: "http",
        baseUrl: server.url,
        path,
        serverPids,
        connections: settings.connections,
        warmupMs: settings.warmupMs,
        durationMs: settings.readMs,
      },
      secret,
      settings.warmupMs + settings.readMs + 30_000,
    );
  const seatsPath = `/v1/shows/${show.showId}/seats`;

  log("Phase 1/6: GET /health (baseline)...");
  const health = await measured(sampler, http("/health"));
  log("Phase 2/6: GET seat map, rate limits off...");
  const seatMap = await measured(sampler, http(seatsPath));
  log("Phase 3/6: GET seat map, rate limits on (RATE_LIMIT_SEAT_MAP=100000000)...");
  await server.reconfigure(limitedBindings(secret));
  const limited = await measured(sampler, http(seatsPath));
  await server.reconfigure(baseBindings(secret));

  log(`Phase 4/6: one buyer alone, ${settings.serialLocks} lock+book rounds (another show)...`);
  const serial = await measured(sampler, (serverPids) =>
    runLoad<SerialResult>(
      {
        kind: "serial",
        baseUrl: server.url,
        showId: probeShow.showId,
        locks: settings.serialLocks,
        serverPids,
      },
      secret,
      90_000,
    ),
  );

  const flashSale = (showId: string, viewers: number) => (serverPids: number[]) =>
    runLoad<SaleResult>(
      {
        kind: "sale",
        baseUrl: server.url,
        showId,
        buyers: settings.buyers,
        viewers,
        seed: 20_261_126,
        deadlineMs: settings.saleDeadlineMs,
        settleMs: 5_000,
        serverPids,
      },
      secret,
      settings.saleDeadlineMs + 90_000,
    );
  log(`Phase 5/6: flash sale, ${settings.buyers} buyers, ${settings.viewers} live viewers...`);
  const sale = await measured(sampler, flashSale(show.showId, settings.viewers));
  // The buyers choose seats from the live feed, so one viewer stays.
  log(`Phase 6/6: the same sale with 1 viewer (another show), for the cost of the fan-out...`);
  const quietSale = await measured(sampler, flashSale(quietShow.showId, 1));
  return { health, seatMap, limited, serial, sale, quietSale };
}

function printReport(report: BenchReport, workerErrors: number, confirmations: number): void {
  const s = report.sale;
  log("");
  log(formatTable(report.rows));
  log("");
  log(formatCosts(report.costs));
  const others = Math.max(...Object.values(report.costs).map((cost) => cost.otherCores));
  if (others >= 0.25) {
    log(
      `Note: other processes took up to ${others.toFixed(2)} of the ${report.machine.cores} cores in a phase; ` +
        "workerd runs JavaScript on one thread, so an idle machine gives higher figures.",
    );
  }
  log(
    `Sale: ${s.seatsSold}/${s.seatsTotal} seats (wanted ${s.seatsWanted}) in ${s.bookingsOk} bookings; ` +
      `${s.lockAttempts} lock requests (${s.locksOk} ok, ${s.lockConflicts} conflicts), ` +
      `${s.bookingAttempts} booking requests, ${confirmations} confirmations; ` +
      `unexpected answers: ${JSON.stringify(s.unexpected)}`,
  );
  log(
    `Viewers: ${s.viewersConnected}/${s.viewers} connected, ${s.messagesPerViewer} messages each, ` +
      `${s.broadcastDelayMs.count} (lock, viewer) delays, ${s.broadcastMissed} missed, ${s.viewerGaps} gaps, ` +
      `WebSocket extensions "${s.viewerExtensions}"; worker errors logged: ${workerErrors}`,
  );
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
        `${settings.viewers} viewers, reads ${settings.connections} connections x ${settings.readMs / 1000} s`,
    );
  }

  const workDir = mkdtempSync(join(tmpdir(), "ticket-bench-"));
  const secret = randomBytes(32).toString("hex");
  const server = await WorkerServer.start({
    plan: readWorkerPlan(),
    mainModule: bundleWorker(join(workDir, "bundle")),
    stateDir: join(workDir, "state"),
    bindings: baseBindings(secret),
    route,
  });
  const sampler = new MemorySampler(200);
  sampler.start();
  try {
    log(`Served: ${server.describe()}`);
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
    const show = await createShow(server.url, admin, settings.seats);
    const probeShow = await createShow(server.url, admin, 200);
    const quietShow = await createShow(server.url, admin, settings.seats);
    log(`Show ${show.showId}: ${show.totalSeats} seats, prices ${JSON.stringify(show.prices)}`);

    const phases = await runPhases({ server, sampler, secret, show, probeShow, quietShow });
    sampler.stop();

    const waitedMs = await waitForD1(server, show, 15_000);
    log(`Checking invariants (D1 caught up after ${waitedMs} ms)...`);
    const { confirmedBookingIds, ...sale } = phases.sale.result;
    const invariants = await checkInvariants(server, show, confirmedBookingIds);

    const peakRssMiB = mib(sampler.overallPeak);
    const costs = {
      health: phases.health.cost,
      seatMap: phases.seatMap.cost,
      seatMapLimited: phases.limited.cost,
      serial: phases.serial.cost,
      sale: phases.sale.cost,
      quietSale: phases.quietSale.cost,
    };
    const report: BenchReport = {
      mode: args.ci ? "ci" : "full",
      startedAt,
      machine,
      served: server.describe(),
      settings: { ...settings, route },
      health: phases.health.result,
      seatMap: phases.seatMap.result,
      seatMapLimited: phases.limited.result,
      serial: phases.serial.result,
      sale,
      quietSale: withoutIds(phases.quietSale.result),
      costs,
      peakRssMiB,
      rows: buildRows({
        health: phases.health.result,
        seatMap: phases.seatMap.result,
        limited: phases.limited.result,
        serial: phases.serial.result,
        sale: phases.sale.result,
        quietSale: phases.quietSale.result,
        costs,
        peakRssMiB,
      }),
      invariants,
    };
    printReport(report, server.workerErrors, confirmedBookingIds.length);
    log(`Written: ${writeReport(projectRoot, report)}`);
    const failed = invariants.filter((check) => !check.passed).length;
    log(`${invariants.length - failed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  } finally {
    sampler.stop();
    await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
