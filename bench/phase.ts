/**
 * Runs the load processes (bench/load.ts) for run.ts and charges each phase with the CPU
 * and memory it cost. A load process runs apart from this one, which hosts Miniflare, so
 * measuring shares neither the server's nor the orchestrator's event loop.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { CrowdResult } from "./crowd-protocol.ts";
import { type MemorySampler, workerdProcesses } from "./proc.ts";
import { type LoadResult, type LoadTask, type SaleResult, SECRET_ENV } from "./protocol.ts";
import { mib, type PhaseCost } from "./report.ts";
import { projectRoot } from "./serve.ts";
import { round } from "./stats.ts";

/** A running load process: its result (its last stdout line) and a line to its stdin. */
export interface RunningLoad<T extends LoadResult> {
  result: Promise<T>;
  tell(line: string): void;
  /** Ends its stdin: a process waiting for a line stops waiting. */
  end(): void;
}

/**
 * Starts one load task in its own Node process, killed after `limitMs` whatever it is doing;
 * `onLine` hears each stdout line as it comes (the READY_LINE of a paced phase).
 */
export function startLoad<T extends LoadResult>(
  task: LoadTask,
  secret: string,
  limitMs: number,
  onLine: (line: string) => void = () => undefined,
): RunningLoad<T> {
  const child = spawn(
    process.execPath,
    [join(projectRoot, "bench", "load.ts"), JSON.stringify(task)],
    {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, [SECRET_ENV]: secret },
    },
  );
  // A write after the process exited fails with EPIPE; it had nothing more to hear.
  child.stdin.on("error", () => undefined);
  const result = new Promise<T>((resolve, reject) => {
    let out = "";
    let partial = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) onLine(line.trim());
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !last) {
        reject(new Error(`${task.kind} load process failed (${signal ?? `exit ${code}`})`));
        return;
      }
      resolve(JSON.parse(last) as T);
    });
  });
  return {
    result,
    tell: (line) => {
      if (child.stdin.writable) child.stdin.write(`${line}\n`);
    },
    end: () => child.stdin.end(),
  };
}

/** Runs one load task that needs no pacing, to its result. */
export function runLoad<T extends LoadResult>(
  task: LoadTask,
  secret: string,
  limitMs: number,
): Promise<T> {
  const load = startLoad<T>(task, secret, limitMs);
  load.end();
  return load.result;
}

/** A result's measured seconds and the requests made in them. */
function windowOf(result: MeteredResult): [number, number] {
  switch (result.kind) {
    case "http":
      return [result.seconds, result.requests];
    case "sale":
      return [result.windowSeconds, result.lockAndBookRequests];
    case "serial":
      return [result.seconds, result.locks + result.bookings];
    case "cycles":
      return [result.seconds, result.lockLatencyMs.count + result.releaseLatencyMs.count];
    case "flood":
      return [result.seconds, result.resync.sent + result.junk.sent];
  }
}

/** The sale without what only the run needs (booking ids, locks, the raw histogram). */
export function withoutIds(
  result: SaleResult,
): Omit<SaleResult, "confirmedBookingIds" | "locks" | "fromCommitHistogram"> {
  const { confirmedBookingIds: _ids, locks: _locks, fromCommitHistogram: _h, ...rest } = result;
  return rest;
}

/** Results that carry the server's CPU in their window (a crowd's does not: see sweep). */
export type MeteredResult = Exclude<LoadResult, CrowdResult>;

export interface Measured<T extends MeteredResult> {
  result: T;
  cost: PhaseCost;
}

/** Runs a phase; the load process reports CPU, the sampler the phase's peak memory. */
export async function measured<T extends MeteredResult>(
  sampler: MemorySampler,
  run: (serverPids: number[]) => Promise<T>,
): Promise<Measured<T>> {
  sampler.takePeak();
  const hostBefore = process.cpuUsage();
  const started = performance.now();
  const result = await run(workerdProcesses().map((p) => p.pid));
  const host = process.cpuUsage(hostBefore);
  const hostCores = (host.user + host.system) / 1000 / (performance.now() - started);
  const [seconds, requests] = windowOf(result);
  const clientCores = result.clientCpuMs / 1000 / seconds;
  const { serverCores, machineCores } = result.server;
  return {
    result,
    cost: {
      serverCores,
      busiestThreadCores: result.server.busiestThreadCores,
      serverCpuMsPerRequest: round(result.server.serverCpuMs / Math.max(1, requests), 3),
      clientCores: round(clientCores),
      hostCores: round(hostCores),
      machineCores,
      otherCores: round(Math.max(0, machineCores - serverCores - clientCores - hostCores)),
      peakRssMiB: mib(sampler.takePeak()),
    },
  };
}
