import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { signAccessToken } from "../src/auth/access-token.ts";
import { runLoad } from "./phase.ts";
import { machineInfo } from "./proc.ts";
import { formatTable, type PhaseProfile, profiled } from "./profile-phase.ts";
import { serveProfiled } from "./profiled-server.ts";
import type { HttpResult } from "./protocol.ts";
import { projectRoot } from "./serve.ts";
import { createShow } from "./show-setup.ts";

const CONNECTIONS = 64;
const READ_MS = 5_000;

export async function runReadProfile(log: (line: string) => void, root: string): Promise<number> {
  const machine = machineInfo();
  log(
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, load average ${machine.loadAverage}`,
  );
  const { secret, bindings, pair, port, modules, stop } = await serveProfiled(root, {
    anchor: false,
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
    await stop();
  }
}
