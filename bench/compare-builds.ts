/**
 * Two builds of the Worker measured in one invocation (issue 15's before/after): each
 * bundled from its own tree (`--old <dir>`, e.g. a `git worktree add` of the older commit
 * with node_modules linked; `--new`, this tree by default), both served at once as
 * `npm run bench` serves them (bench/server-pair.ts: the show objects in the main workerd
 * process, relays in a second one; two such pairs), and measured in alternating turns.
 * Each turn measures the anchor (one SQLite write in one object), one buyer alone (lock +
 * book rounds) and the 500-buyer sale with one viewer, checks that sale's invariants, and
 * prints the main process's CPU per pair as new/old ratios (ratios within one run: the
 * machine is shared and noisy).
 *
 * `--phases reads` (or `writes,reads`) measures reads in each turn instead of (or beside)
 * the writes: 64 keep-alive connections read `/health`, the seat map of a 1,000-seat show,
 * its `seats/status`, then `/health` again (bench/read-turn.ts), and each read's
 * throughput is divided by the mean of its turn's two `/health` figures.
 * `--seat-map-limit <n>` serves both builds with rate limits on for the whole run, the
 * seat_map class at n a minute: 100000000 for limits no one reaches, 300 (the default's)
 * for one client flooding past its limit (the load comes from one address).
 * `--shows process` serves each build's show objects in a workerd process of their own
 * (ServerPair's `shows`), and each write phase also reports that process's CPU: what a
 * show's own thread spent per lock+book pair, set against the anchor's CPU per write.
 *
 *   node bench/compare-builds.ts --old /tmp/old [--new .] [--rounds 2] [--buyers 500]
 *     [--phases writes|reads|writes,reads] [--read-seconds 4] [--seat-map-limit <n>]
 *     [--shows same|process]
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { signAccessToken } from "../src/auth/access-token.ts";
import { benchBindings } from "./bench-bindings.ts";
import { formatTurn, logWriteMedians, type Turn } from "./compare-turns.ts";
import { hotSale } from "./hot-show.ts";
import { checkInvariants, waitForD1 } from "./invariants.ts";
import { runLoad } from "./phase.ts";
import { CpuMeter, type CpuUse, MemorySampler, machineInfo, withNewPids } from "./proc.ts";
import type { HttpResult, SerialResult } from "./protocol.ts";
import { formatReadMedians, formatReadTurn, type ReadTurn, readTurn } from "./read-turn.ts";
import { bundleWorker, projectRoot, readWorkerPlan } from "./serve.ts";
import { ServerPair } from "./server-pair.ts";
import { createShow } from "./show-setup.ts";
import { showThreadCpu } from "./show-thread.ts";

const { values: args } = parseArgs({
  options: {
    old: { type: "string" },
    new: { type: "string", default: projectRoot },
    rounds: { type: "string", default: "2" },
    buyers: { type: "string", default: "500" },
    serial: { type: "string", default: "100" },
    phases: { type: "string", default: "writes" },
    "read-seconds": { type: "string", default: "4" },
    "seat-map-limit": { type: "string" },
    shows: { type: "string", default: "same" },
  },
});
const phases = new Set(args.phases.split(","));
const readSeconds = Number(args["read-seconds"]);
if (!args.old) throw new Error("--old <dir of the older tree> is required");
if (args.shows !== "same" && args.shows !== "process") throw new Error("--shows same|process");
const showsApart = args.shows === "process";

const log = (line: string) => process.stdout.write(`${line}\n`);

interface Served {
  pair: ServerPair;
  /** This pair's main workerd process (pair.mainPids() would count the other build's too). */
  mainPids: number[];
  secret: string;
  admin: string;
  workDir: string;
}

async function serve(build: "old" | "new", bundlePath: string, workRoot: string): Promise<Served> {
  const workDir = mkdtempSync(join(workRoot, `${build}-`));
  const secret = randomBytes(32).toString("hex");
  const [pair, started] = await withNewPids(() =>
    ServerPair.start({
      plan: readWorkerPlan(),
      bundle: bundlePath,
      workDir,
      bindings: {
        ...benchBindings(secret),
        ...(args["seat-map-limit"] === undefined
          ? {}
          : { RATE_LIMITS_ENABLED: "true", RATE_LIMIT_SEAT_MAP: args["seat-map-limit"] }),
      },
      route: "direct",
      relays: "process",
      shows: showsApart ? "process" : "same",
      extraFronts: 0,
      anchor: true,
    }),
  );
  await pair.main.applyMigrations();
  const admin = await signAccessToken({ sub: "admin", role: "admin", ttlSeconds: 3600 }, secret);
  const others = [...pair.relayPids(), ...pair.showPids()];
  const mainPids = started.filter((pid) => !others.includes(pid));
  return { pair, mainPids, secret, admin, workDir };
}

/** One turn of one build: the anchor, a buyer alone on a fresh show, a sale on another. */
async function turn(build: "old" | "new", served: Served, sampler: MemorySampler): Promise<Turn> {
  const { pair, secret, admin } = served;
  // The other build's processes are idle meanwhile; only this pair's main process (and its
  // show process, when the shows are apart) is metered.
  const metered = async <T>(run: () => Promise<T>): Promise<[T, number, CpuUse | undefined]> => {
    const meter = new CpuMeter(served.mainPids);
    const showMeter = new CpuMeter(pair.showPids());
    meter.start();
    showMeter.start();
    const result = await run();
    const shows = showsApart ? showMeter.stop() : undefined;
    return [result, meter.stop().serverCpuMs, shows];
  };
  const anchorUrl = await pair.main.anchorUrl();
  const [anchor, anchorMs] = await metered(() =>
    runLoad<HttpResult>(
      {
        kind: "http",
        baseUrl: anchorUrl,
        path: "/anchor",
        serverPids: [],
        connections: 1,
        warmupMs: 0,
        durationMs: 2_000,
      },
      secret,
      60_000,
    ),
  );

  const probe = await createShow(pair.main.url, admin, 1_000);
  await pair.shareShow(probe);
  const serialTask = (locks: number) => ({
    kind: "serial" as const,
    baseUrl: pair.main.url,
    showId: probe.showId,
    locks,
    serverPids: [],
  });
  await runLoad<SerialResult>(serialTask(10), secret, 60_000);
  const [alone, aloneMs, aloneShows] = await metered(() =>
    runLoad<SerialResult>(serialTask(Number(args.serial)), secret, 120_000),
  );

  const show = await createShow(pair.main.url, admin, 1_000);
  // Metered here, not by the sale (whose meter would take in the other build's processes).
  const [hot, saleMs, saleShows] = await metered(() =>
    hotSale(pair, sampler, secret, show, 1, {
      buyers: Number(args.buyers),
      seed: 20_261_126,
      deadlineMs: 120_000,
      settleMs: 10_000,
    }),
  );
  const s = hot.sale.result;
  const saleThread = saleShows ? showThreadCpu(saleShows, s) : undefined;
  await waitForD1(pair.main, show, 15_000);
  const checks = await checkInvariants(pair.main, show, s.confirmedBookingIds);
  const failed = checks.filter((c) => !c.passed);
  return {
    build,
    anchorCpu: anchorMs / Math.max(1, anchor.requests),
    aloneCpu: aloneMs / Math.max(1, alone.locks),
    aloneShowCpu: (aloneShows?.serverCpuMs ?? Number.NaN) / Math.max(1, alone.locks),
    lockP50: alone.lockLatencyMs.p50,
    bookP50: alone.bookLatencyMs.p50,
    saleCpu: saleMs / Math.max(1, s.bookingsOk),
    saleShowCpu: saleThread?.cpuMsPerPair ?? Number.NaN,
    saleShowKernel: saleThread?.kernelMsPerPair ?? Number.NaN,
    saleShowPerRequest: saleThread?.cpuMsPerRequest ?? Number.NaN,
    sellOut: s.sellOutSeconds,
    saleP50: s.lockAndBookLatencyMs.p50,
    viewerP50: s.broadcastFromCommitMs.p50,
    viewerP99: s.broadcastFromCommitMs.p99,
    invariants:
      failed.length === 0
        ? `${checks.length} passed`
        : `FAILED: ${failed.map((c) => c.name).join("; ")}`,
  };
}

const machine = machineInfo();
log(
  `Machine: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, load average ${machine.loadAverage}`,
);
const workRoot = mkdtempSync(join(tmpdir(), "ticket-compare-"));
const bundles = {
  old: bundleWorker(join(workRoot, "old-bundle"), resolve(args.old)),
  new: bundleWorker(join(workRoot, "new-bundle"), resolve(args.new)),
};
log(
  `old: ${resolve(args.old)}; new: ${resolve(args.new)}; both served at once, measured in alternating turns`,
);
const turns: Turn[] = [];
// Both builds are served for the whole run and measured in turns, old and new alternating
// (and which goes first alternating too), so a busy spell of the machine hits both.
const servers = {
  old: await serve("old", bundles.old, workRoot),
  new: await serve("new", bundles.new, workRoot),
};
const sampler = new MemorySampler(500);
sampler.start();
const readTurns: ReadTurn[] = [];
/** Each build's show for the reads, its object woken (and kept in memory) before any turn. */
const readShows = new Map<"old" | "new", string>();
if (phases.has("reads")) {
  for (const build of ["old", "new"] as const) {
    const { pair, admin } = servers[build];
    readShows.set(build, (await createShow(pair.main.url, admin, 1_000)).showId);
  }
}
try {
  for (let round = 0; round < Number(args.rounds); round++) {
    const order: ("old" | "new")[] = round % 2 === 0 ? ["old", "new"] : ["new", "old"];
    for (const build of order) {
      const served = servers[build];
      if (phases.has("reads")) {
        const r = await readTurn(
          build,
          {
            baseUrl: served.pair.main.url,
            showId: readShows.get(build) ?? "",
            mainPids: served.mainPids,
            secret: served.secret,
          },
          readSeconds,
        );
        readTurns.push(r);
        log(`round ${round + 1} ${build} reads: ${formatReadTurn(r)}`);
      }
      if (phases.has("writes")) {
        const t = await turn(build, served, sampler);
        turns.push(t);
        log(`round ${round + 1} ${build}: ${formatTurn(t, showsApart)}`);
      }
    }
  }
} finally {
  sampler.stop();
  for (const served of Object.values(servers)) await served.pair.stop();
  rmSync(workRoot, { recursive: true, force: true });
}
if (readTurns.length > 0) {
  log("");
  const limits = args["seat-map-limit"];
  log(
    `Reads, medians (old → new, new/old; rate limits ${limits === undefined ? "off" : `on, seat_map ${limits}/min`}):`,
  );
  for (const line of formatReadMedians(readTurns)) log(line);
}
if (turns.length > 0) logWriteMedians(turns, showsApart, log);
log(`Machine load average at the end: ${machineInfo().loadAverage}`);
