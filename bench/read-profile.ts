/**
 * `node bench/profile-run.ts --reads [--root <tree>]` (issue 29): where a read spends its
 * CPU. Serves the Worker as the bench does (bench/server-pair.ts, the show objects in the
 * main workerd process) with workerd's inspector on, and profiles the main process's
 * isolates while 64 keep-alive connections read, one path at a time: `/health` (the
 * baseline), the seat map of a 1,000-seat show, its `seats/status`, and the seat map again
 * with rate limits on (limits no one reaches). Prints, per request, the CPU of each area
 * (bench/profile-areas.ts) and what no isolate ran (workerd's C++: sockets, HTTP, RPC),
 * and the heaviest self frames of each read; writes each read's profile of the Worker's
 * isolate to bench-results/profile-reads-<read>.cpuprofile (for DevTools).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signAccessToken } from "../src/auth/access-token.ts";
import { benchBindings } from "./bench-bindings.ts";
import { BundleModules } from "./cpu-profile.ts";
import { runLoad } from "./phase.ts";
import { machineInfo } from "./proc.ts";
import { formatTable, freePort, type PhaseProfile, profiled } from "./profile-phase.ts";
import type { HttpResult } from "./protocol.ts";
import { bundleWorker, projectRoot, readWorkerPlan } from "./serve.ts";
import { ServerPair } from "./server-pair.ts";
import { createShow } from "./show-setup.ts";

const CONNECTIONS = 64;
const READ_MS = 5_000;

export async function runReadProfile(log: (line: string) => void, root: string): Promise<number> {
  const machine = machineInfo();
  log(
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, load average ${machine.loadAverage}`,
  );
  const workDir = mkdtempSync(join(tmpdir(), "ticket-read-profile-"));
  const secret = randomBytes(32).toString("hex");
  const bindings = benchBindings(secret);
  const port = await freePort();
  const bundle = bundleWorker(join(workDir, "bundle"), root);
  const modules = new BundleModules(bundle);
  const pair = await ServerPair.start({
    plan: readWorkerPlan(),
    bundle,
    workDir,
    bindings,
    route: "direct",
    relays: "process",
    extraFronts: 0,
    anchor: false,
    inspectorPort: port,
  });
  try {
    log(`Worker bundled from ${root}; served: ${pair.describe()}`);
    await pair.main.applyMigrations();
    const admin = await signAccessToken({ sub: "admin", role: "admin", ttlSeconds: 3600 }, secret);
    const show = await createShow(pair.main.url, admin, 1_000);
    const base = `/v1/shows/${show.showId}`;
    const read = (path: string, durationMs: number) =>
      runLoad<HttpResult>(
        {
          kind: "http",
          baseUrl: pair.main.url,
          path,
          serverPids: [],
          connections: CONNECTIONS,
          warmupMs: 0,
          durationMs,
        },
        secret,
        durationMs + 30_000,
      );
    const phases: PhaseProfile[] = [];
    const out = join(projectRoot, "bench-results");
    mkdirSync(out, { recursive: true });
    const frames: [string, [string, number][], number][] = [];
    const profile = async (name: string, path: string) => {
      await read(path, 1_000); // warm: the show's object, the caches, the JIT
      let rate = 0;
      const { phase, worker } = await profiled(name, pair, port, modules, async () => {
        const r = await read(path, READ_MS);
        rate = r.requestsPerSecond;
        return r.requests;
      });
      log(
        `  ${name}: ${rate} req/s profiled, ${(phase.processCpuMs / phase.pairs).toFixed(3)} ms CPU each`,
      );
      phases.push(phase);
      const file = `profile-reads-${name.replace(/[^a-z]+/g, "-").replace(/^-|-$/g, "")}.cpuprofile`;
      if (worker) writeFileSync(join(out, file), JSON.stringify(worker));
      frames.push([name, phase.topFrames.slice(0, 25), phase.pairs]);
    };
    log(`Reads by ${CONNECTIONS} connections, ${READ_MS / 1000} s each, profiled:`);
    await profile("/health", "/health");
    await profile("seat map", `${base}/seats`);
    await profile("seats/status", `${base}/seats/status`);
    await pair.main.reconfigure({
      ...bindings,
      RATE_LIMITS_ENABLED: "true",
      RATE_LIMIT_SEAT_MAP: "100000000",
    });
    await profile("seat map, limits on", `${base}/seats`);
    log("");
    log(formatTable(phases, "CPU per request (ms, % of the process)"));
    for (const [name, top, requests] of frames) {
      log("");
      log(`Heaviest self frames of the Worker's isolate, ${name} (µs per request):`);
      for (const [frame, ms] of top)
        log(`  ${((ms * 1000) / Math.max(1, requests)).toFixed(1).padStart(7)}  ${frame}`);
    }
    return 0;
  } finally {
    await pair.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}
