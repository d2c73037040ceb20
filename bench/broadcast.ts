/**
 * `npm run bench -- --broadcast` (issue 29): one sale watched by 10,000 viewers, once per
 * relay size (`VIEWERS_PER_RELAY`), each on a fresh pair of servers with the relays in a
 * workerd process of their own (bench/server-pair.ts) and the sale of bench/hot-show.ts.
 * It reports commit → viewer p50/p99, the pairs missed, the gaps, and where the time and
 * the CPU went: commit → relay told (the show object's side) and relay → viewer (the
 * fan-out and the client), and the CPU of every process in the broadcast's window: the
 * show object's, the relay process, the extra front, the buyers and each crowd process.
 * Commit times are the show object's `locked_at`; arrivals are stamped by the crowd's
 * socket handler on receipt; the relays' times by the bench's relay entry on publish().
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signAccessToken } from "../src/auth/access-token.ts";
import { benchBindings } from "./bench-bindings.ts";
import { Histogram } from "./histogram.ts";
import { type HotSale, hotSale } from "./hot-show.ts";
import { checkInvariants, waitForD1 } from "./invariants.ts";
import { type CpuUse, MemorySampler, machineInfo } from "./proc.ts";
import type { Latency } from "./protocol.ts";
import type { Route } from "./serve.ts";
import { bundleWorker, projectRoot, readWorkerPlan } from "./serve.ts";
import { ServerPair } from "./server-pair.ts";
import { createShow } from "./show-setup.ts";
import { layoutIndex } from "./viewer-crowd.ts";

export interface BroadcastOptions {
  /** VIEWERS_PER_RELAY values, each measured on fresh servers, in this order per round. */
  relaySizes: number[];
  viewers: number;
  /** Load processes each front's crowd is split into. */
  crowdSplit: number;
  /** Times through the sizes (alternating), to see the noise of a shared machine. */
  rounds: number;
  /**
   * Also run each size with as many viewers as one relay holds: one relay alone on the
   * relay process's thread, as each relay has a thread of its own on Cloudflare.
   */
  alone: boolean;
  route: Route;
  log: (line: string) => void;
}

const SEATS = 1_000;
const BUYERS = 500;

export interface BroadcastRun {
  round: number;
  relaySize: number;
  viewers: number;
  served: string;
  sale: Omit<HotSale, "sale"> & {
    lockAndBookPerSecond: number;
    sellOutSeconds: number | null;
    buyersCpuMs: number;
    windowSeconds: number;
  };
  /** Per lock: commit → sent to the relays, and sent → relay told (see splitShowSide). */
  showSide: { toSent: Latency; sentToRelay: Latency };
  invariantsPassed: number;
  invariantsFailed: number;
}

/**
 * The show's side of each lock's broadcast, split where the show object calls publish():
 * commit → sent is the coalescing window and the object's own thread; sent → relay told is
 * the output gate, the bench's hop between workerd processes (Miniflare's dev registry,
 * not Cloudflare's network) and the wait for the relay process's thread.
 */
async function splitShowSide(
  pair: ServerPair,
  showId: string,
  locks: readonly [string[], number][],
): Promise<BroadcastRun["showSide"]> {
  const index = await layoutIndex(pair.main.url, showId);
  const sentAt = await pair.sentTimes(showId);
  const relayAt = (await pair.relayStats(showId)).relayTakenAt ?? {};
  const toSent = new Histogram();
  const sentToRelay = new Histogram();
  // A lock is sent (told) when the last of its seats is, as a viewer hears it.
  const last = (times: Record<string, number>, seats: number[]) =>
    Math.max(...seats.map((seat) => times[seat] ?? Number.NaN));
  for (const [seatIds, committedAt] of locks) {
    const seats = seatIds.map((id) => index.get(id) ?? -1);
    const sent = last(sentAt, seats);
    const told = last(relayAt, seats);
    if (Number.isNaN(sent) || Number.isNaN(told)) continue;
    toSent.add(sent - committedAt);
    sentToRelay.add(told - sent);
  }
  return { toSent: toSent.summary(), sentToRelay: sentToRelay.summary() };
}

/** The kernel's part of a process's CPU, as a percentage. */
const share = (use: CpuUse) =>
  `${Math.round((100 * use.serverSystemCpuMs) / Math.max(1, use.serverCpuMs))}%`;

/** cores = CPU ms over the window, as a fraction of one core. */
const cores = (cpuMs: number, seconds: number) => (cpuMs / 1000 / seconds).toFixed(2);

async function measureSize(
  options: BroadcastOptions,
  bundle: string,
  relaySize: number,
  viewers: number,
  round: number,
): Promise<BroadcastRun> {
  const workDir = mkdtempSync(join(tmpdir(), "ticket-broadcast-"));
  const secret = randomBytes(32).toString("hex");
  const pair = await ServerPair.start({
    plan: readWorkerPlan(),
    bundle,
    workDir,
    bindings: { ...benchBindings(secret), VIEWERS_PER_RELAY: String(relaySize) },
    route: options.route,
    relays: "process",
    timePublishes: true,
    // More than 9,800 viewers take a second front (see ServerPair).
    extraFronts: viewers > 9_800 ? 1 : 0,
    anchor: false,
  });
  const sampler = new MemorySampler(500);
  sampler.start();
  try {
    await pair.main.applyMigrations();
    const admin = await signAccessToken(
      { sub: "bench_admin", role: "admin", ttlSeconds: 3600 },
      secret,
    );
    const show = await createShow(pair.main.url, admin, SEATS);
    const hot = await hotSale(pair, sampler, secret, show, viewers, {
      buyers: BUYERS,
      crowdBatch: 200,
      crowdSplit: options.crowdSplit,
      splitAtRelay: true,
      // The full run's seed: the same buyers and choices as its sales.
      seed: 20_261_126,
      deadlineMs: 120_000,
      settleMs: 60_000,
    });
    const showSide = await splitShowSide(pair, show.showId, hot.sale.result.locks ?? []);
    await waitForD1(pair.main, show, 15_000);
    const checks = await checkInvariants(pair.main, show, hot.sale.result.confirmedBookingIds);
    const failed = checks.filter((c) => !c.passed);
    for (const check of failed) options.log(`  FAIL ${check.name}: ${check.detail}`);
    const { sale, ...rest } = hot;
    return {
      round,
      relaySize,
      viewers,
      served: pair.describe(),
      sale: {
        ...rest,
        lockAndBookPerSecond: sale.result.lockAndBookPerSecond,
        sellOutSeconds: sale.result.sellOutSeconds,
        buyersCpuMs: sale.result.clientCpuMs,
        windowSeconds: sale.result.windowSeconds,
      },
      showSide,
      invariantsPassed: checks.length - failed.length,
      invariantsFailed: failed.length,
    };
  } catch (err) {
    const alive = (pids: number[]) => pids.filter((pid) => existsSync(`/proc/${pid}`)).length;
    options.log(
      `  failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}; workerd alive: ` +
        `main ${alive(pair.mainPids())}, relay ${alive(pair.relayProcessPids())}, fronts ${alive(pair.extraFrontPids())}`,
    );
    throw err;
  } finally {
    sampler.stop();
    await pair.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** A run in which some crowd's thread stopped for seconds: its delays say nothing. */
const stalled = (run: BroadcastRun) => run.sale.crowds.some((c) => c.loopDelayMaxMs > 2_000);

function describeRun(run: BroadcastRun): string[] {
  const s = run.sale;
  const t = s.broadcastSeconds;
  const crowdCpu = s.crowds.map((c) => `${c.viewers}: ${cores(c.cpuMs, t)}`).join(", ");
  const loop = s.crowds.map((c) => `${c.loopDelayP99Ms}/${c.loopDelayMaxMs}`).join(", ");
  const crowdMessages = s.crowds.reduce((sum, c) => sum + c.messages, 0);
  const crowdViewers = s.crowds.reduce((sum, c) => sum + c.viewers, 0);
  const crowdCpuMs = s.crowds.reduce((sum, c) => sum + c.cpuMs, 0);
  const publishRate = s.relays.publishes / Math.max(1, s.relays.relays) / s.windowSeconds;
  return [
    `  relays of ${run.relaySize}: ${s.relays.relays} relays, ${s.viewersConnected} viewers ` +
      `(${s.failedToConnect} failed), ${s.lockAndBookPerSecond} lock+book/s, sold out in ${s.sellOutSeconds} s; ` +
      `${publishRate.toFixed(1)} publishes a second to each relay, ` +
      `${(crowdMessages / Math.max(1, crowdViewers)).toFixed(1)} messages per crowd viewer`,
    `    commit → viewer p50 ${s.fromCommit.p50} ms, p99 ${s.fromCommit.p99} ms, max ${s.fromCommit.max} ms; ` +
      `${s.missed} missed, ${s.gaps} gaps, ${s.messagesPerChange.toFixed(2)} publishes per change; ` +
      `show object's process ${s.mainCpuMsPerRequest.toFixed(2)} ms CPU per lock or book` +
      (stalled(run) ? "; STALLED: a crowd's event loop stopped for over 2 s (the VM paused?)" : ""),
    `    split at the relay: commit → relay told p50 ${s.toRelay?.p50} / p99 ${s.toRelay?.p99} ms; ` +
      `relay told → viewer p50 ${s.fromRelay?.p50} / p99 ${s.fromRelay?.p99} ms; per lock, ` +
      `commit → sent p50 ${run.showSide.toSent.p50} / p99 ${run.showSide.toSent.p99} ms, ` +
      `sent → relay told p50 ${run.showSide.sentToRelay.p50} / p99 ${run.showSide.sentToRelay.p99} ms`,
    `    cores over the ${t} s broadcast: show object's process ${s.mainSide.serverCores} ` +
      `(busiest thread ${s.mainSide.busiestThreadCores}, kernel ${share(s.mainSide)}), ` +
      `relay process ${s.relayProcess.serverCores} (busiest thread ` +
      `${s.relayProcess.busiestThreadCores}, kernel ${share(s.relayProcess)}), ` +
      `extra front ${s.extraFronts.serverCores}, ` +
      `buyers ${cores(s.buyersCpuMs, t)}, crowds [${crowdCpu}], outside the bench ${s.outsideCores}; ` +
      `machine ${s.relaySide.machineCores} of 2`,
    `    relays' side CPU: ${s.relayCpuMsPerChangePerRelay.toFixed(0)} ms per change and relay, ` +
      `${s.relayCpuMsPerDelivery.toFixed(4)} ms per message delivered; ` +
      `crowd ${(crowdCpuMs / Math.max(1, crowdMessages)).toFixed(4)} ms CPU per message, ` +
      `event-loop delay p99/max [${loop}] ms; invariants ${run.invariantsPassed} passed, ${run.invariantsFailed} failed`,
  ];
}

export async function runBroadcastBench(options: BroadcastOptions): Promise<number> {
  const { log } = options;
  const machine = machineInfo();
  log(
    `Broadcast: ${options.viewers} viewers, relays of ${options.relaySizes.join(", ")}, ` +
      `crowd split ${options.crowdSplit} per front, ${options.rounds} round(s); ${machine.cpuModel}, ` +
      `${machine.cores} cores, load average ${machine.loadAverage}`,
  );
  const bundleDir = mkdtempSync(join(tmpdir(), "ticket-broadcast-bundle-"));
  const runs: BroadcastRun[] = [];
  try {
    const bundle = bundleWorker(bundleDir);
    for (let round = 1; round <= options.rounds; round++) {
      // Alternate the order each round, so a drift of the machine's load favours no size.
      const sizes = round % 2 === 1 ? options.relaySizes : [...options.relaySizes].reverse();
      for (const size of sizes) {
        const audiences = options.alone ? [options.viewers, size] : [options.viewers];
        for (const viewers of audiences) {
          log(`Round ${round}, VIEWERS_PER_RELAY=${size}, ${viewers} viewers...`);
          const run = await measureSize(options, bundle, size, viewers, round);
          if (runs.length === 0) log(`Served: ${run.served}`);
          for (const line of describeRun(run)) log(line);
          runs.push(run);
        }
      }
    }
  } finally {
    rmSync(bundleDir, { recursive: true, force: true });
  }
  const dir = join(projectRoot, "bench-results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "broadcast.json");
  writeFileSync(
    file,
    `${JSON.stringify({ machine, options: { ...options, log: undefined }, runs }, null, 2)}\n`,
  );
  log(`Written: ${file}`);
  return runs.reduce((sum, run) => sum + run.invariantsFailed, 0);
}
