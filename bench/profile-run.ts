import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { signAccessToken } from "../src/auth/access-token.ts";
import { type CpuProfile, PROFILED_TARGETS } from "./cpu-profile.ts";
import { hotSale } from "./hot-show.ts";
import { runLoad } from "./phase.ts";
import { CpuMeter, MemorySampler, machineInfo } from "./proc.ts";
import {
  formatTable,
  INTERVAL_US,
  type PhaseProfile,
  profiled,
  SHOWS_TARGET,
  WORKER_TARGET,
} from "./profile-phase.ts";
import { serveProfiled } from "./profiled-server.ts";
import type { HttpResult, SerialResult } from "./protocol.ts";
import { runReadProfile } from "./read-profile.ts";
import { projectRoot } from "./serve.ts";
import { createShow } from "./show-setup.ts";

/**
 * `root`: the tree whose Worker is bundled and profiled (another commit's worktree too).
 * `showsApart`: the show objects served in a process of their own, and that process
 * profiled instead of the main one: what a show's own thread spends per lock+book pair.
 */
export async function runProfile(
  log: (line: string) => void,
  root: string = projectRoot,
  showsApart = false,
): Promise<number> {
  const machine = machineInfo();
  log(
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, ` +
      `Node ${machine.node}, load average ${machine.loadAverage}`,
  );
  const { secret, bindings, pair, port, modules, stop } = await serveProfiled(root, {
    anchor: true,
    showsApart,
  });
  const profiledPids = () => (showsApart ? pair.showPids() : pair.mainPids());
  const where = showsApart ? "show process" : "main process";
  log(`Worker bundled from ${root}`);
  const sampler = new MemorySampler(500);
  sampler.start();
  const out = join(projectRoot, "bench-results");
  mkdirSync(out, { recursive: true });
  try {
    log(`Served: ${pair.describe()}; workerd inspector on 127.0.0.1:${port} (${where})`);
    log(
      `Profiles: V8 sampling every ${INTERVAL_US} µs in the isolates ${[showsApart ? SHOWS_TARGET : WORKER_TARGET, ...PROFILED_TARGETS.slice(1)].join(", ")}`,
    );
    await pair.main.applyMigrations();
    const admin = await signAccessToken(
      { sub: "bench_admin", role: "admin", ttlSeconds: 3600 },
      secret,
    );
    /** A fresh show, its object loaded and the code warmed by 20 rounds, outside the window. */
    const warmShow = async (): Promise<string> => {
      const show = await createShow(pair.main.url, admin, 1_000);
      await pair.shareShow(show);
      await runLoad<SerialResult>(
        { kind: "serial", baseUrl: pair.main.url, showId: show.showId, locks: 20, serverPids: [] },
        secret,
        60_000,
      );
      return show.showId;
    };
    const serial = (showId: string, locks: number): Promise<SerialResult> =>
      runLoad<SerialResult>(
        { kind: "serial", baseUrl: pair.main.url, showId, locks, serverPids: [] },
        secret,
        120_000,
      );
    const phases: PhaseProfile[] = [];
    const keep = (name: string, worker: CpuProfile | undefined) => {
      if (worker) writeFileSync(join(out, `profile-${name}.cpuprofile`), JSON.stringify(worker));
    };

    log("Phase 1/5: anchor, one connection, 4 s (GET /anchor: one object, one SQLite write)");
    const anchorUrl = await pair.main.anchorUrl();
    const anchorLoad = async () => {
      const r = await runLoad<HttpResult>(
        {
          kind: "http",
          baseUrl: anchorUrl,
          path: "/anchor",
          serverPids: [],
          connections: 1,
          // Every request in the window is counted (the anchor needs no warming).
          warmupMs: 0,
          durationMs: 4_000,
        },
        secret,
        60_000,
      );
      return r.requests;
    };
    if (showsApart) {
      // The anchor runs in the main process, which is not profiled here: metered only.
      const anchorMeter = new CpuMeter(pair.mainPids());
      anchorMeter.start();
      const writes = await anchorLoad();
      const anchorMs = anchorMeter.stop().serverCpuMs / Math.max(1, writes);
      log(`  anchor: ${anchorMs.toFixed(3)} ms of the main process's CPU per write`);
    } else {
      const anchor = await profiled("anchor (per write)", pair, port, modules, anchorLoad);
      phases.push(anchor.phase);
    }

    log("Phase 2/5: one buyer alone, 150 lock+book rounds, not profiled (the profiler's cost)");
    const plainShow = await warmShow();
    const plainMeter = new CpuMeter(profiledPids());
    plainMeter.start();
    const plain = await serial(plainShow, 150);
    const plainCpu = plainMeter.stop().serverCpuMs / Math.max(1, plain.locks);

    log("Phase 3/5: one buyer alone, 150 lock+book rounds (best available, 2 seats, card)");
    const aloneShow = await warmShow();
    const alone = await profiled(
      "one buyer alone",
      pair,
      port,
      modules,
      async () => (await serial(aloneShow, 150)).locks,
      showsApart,
    );
    phases.push(alone.phase);
    keep("alone", alone.worker);

    log("Phase 4/5: the sale, 500 buyers, 1 viewer (a fresh 1,000-seat show)");
    const show = await createShow(pair.main.url, admin, 1_000);
    let saleLine = "";
    const sale = await profiled(
      "sale, 1 viewer",
      pair,
      port,
      modules,
      async () => {
        const hot = await hotSale(pair, sampler, secret, show, 1, {
          buyers: 500,
          seed: 20_261_126,
          deadlineMs: 120_000,
          settleMs: 10_000,
        });
        const s = hot.sale.result;
        saleLine =
          `  sale: ${s.seatsSold}/${s.seatsTotal} seats, sold out in ${s.sellOutSeconds ?? "-"} s, ` +
          `${s.bookingsOk} bookings, ${s.lockAttempts} locks (${s.lockConflicts} conflicts), ` +
          `lock+book p50 ${s.lockAndBookLatencyMs.p50} ms; main process ${(s.server.serverCpuMs / Math.max(1, s.bookingsOk)).toFixed(3)} ms CPU per pair in the sale's window`;
        return s.bookingsOk;
      },
      showsApart,
    );
    log(saleLine);
    phases.push(sale.phase);
    keep("sale", sale.worker);

    // Rate limits are the Worker's, in the main process: nothing to see in the show process.
    if (!showsApart) {
      log("Phase 5/5: one buyer alone, rate limits on (limits no one reaches)");
      await pair.main.reconfigure({
        ...bindings,
        RATE_LIMITS_ENABLED: "true",
        RATE_LIMIT_SEAT_SELECTION: "100000000",
        RATE_LIMIT_BOOKING: "100000000",
        RATE_LIMIT_SEAT_MAP: "100000000",
      });
      const limitedShow = await warmShow();
      const limited = await profiled("alone, rate limits on", pair, port, modules, async () => {
        const r = await serial(limitedShow, 150);
        return r.locks;
      });
      phases.push(limited.phase);
      keep("alone-limited", limited.worker);
    }

    log("");
    log(formatTable(phases, undefined, `${where} of workerd`));
    const profiledCpu = alone.phase.processCpuMs / Math.max(1, alone.phase.pairs);
    log(
      `One buyer alone, ${where} CPU per pair: ${plainCpu.toFixed(3)} ms unprofiled, ` +
        `${profiledCpu.toFixed(3)} ms profiled (${(profiledCpu / Math.max(1e-9, plainCpu)).toFixed(2)}x: the profiler's own cost is in the table)`,
    );
    log("");
    log(`Heaviest self frames of the bundle's isolate (${where}) in the sale (ms per pair):`);
    for (const [frame, ms] of sale.phase.topFrames) {
      log(`  ${(ms / Math.max(1, sale.phase.pairs)).toFixed(4)}  ${frame}`);
    }
    const json = phases.map((p) => ({
      ...p,
      areas: Object.fromEntries([...p.areas].map(([k, v]) => [k, Math.round(v * 10) / 10])),
    }));
    writeFileSync(
      join(out, "profile.json"),
      JSON.stringify(
        { machine, served: pair.describe(), intervalUs: INTERVAL_US, phases: json },
        null,
        2,
      ),
    );
    log(`Written: bench-results/profile.json and profile-*.cpuprofile`);
    return 0;
  } finally {
    sampler.stop();
    await stop();
  }
}

// `node bench/profile-run.ts [--root <tree>] [--reads] [--shows process]`: the same, for
// another commit's tree; `--reads` profiles seat-map and status reads instead
// (bench/read-profile.ts); `--shows process` profiles the show objects' own process.
if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      root: { type: "string", default: projectRoot },
      reads: { type: "boolean", default: false },
      shows: { type: "string", default: "same" },
    },
  });
  const log = (line: string) => process.stdout.write(`${line}\n`);
  process.exitCode = values.reads
    ? await runReadProfile(log, resolve(values.root))
    : await runProfile(log, resolve(values.root), values.shows === "process");
}
