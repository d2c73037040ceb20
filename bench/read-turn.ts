/**
 * One build's read turn in bench/compare-builds.ts (`--phases reads`): 64 keep-alive
 * connections read `/health`, the seat map of a 1,000-seat show, its `seats/status`, then
 * `/health` again, each for the same time, and each read's throughput is taken against the
 * mean of the two `/health` figures around it (a busy spell of the machine moves both).
 * The CPU is the build's main workerd process's (the Worker and the show objects), read from
 * /proc by the load process over its measured window.
 */
import { runLoad } from "./phase.ts";
import type { HttpResult } from "./protocol.ts";
import { median } from "./stats.ts";

const CONNECTIONS = 64;
const WARMUP_MS = 500;

/** The reads compared, by name: the path under the show's `/v1/shows/{id}` ("" for /health). */
export const READS = { "seat map": "/seats", "seats/status": "/seats/status" } as const;
export type ReadName = keyof typeof READS;

export interface ReadFigure {
  requestsPerSecond: number;
  /** Main process's CPU per request, ms. */
  cpuMs: number;
  /** The load process's own CPU per request, ms (it parses what the server sends). */
  clientCpuMs: number;
  /** Throughput over the turn's /health throughput. */
  ratio: number;
}

export interface ReadTurn {
  build: "old" | "new";
  health: Omit<ReadFigure, "ratio">;
  reads: Record<ReadName, ReadFigure>;
  /** Answers that were not 200 (429s past a limit), by status, over the whole turn. */
  failures: Record<string, number>;
}

interface ReadTarget {
  baseUrl: string;
  showId: string;
  mainPids: number[];
  secret: string;
}

export async function readTurn(
  build: "old" | "new",
  target: ReadTarget,
  seconds: number,
): Promise<ReadTurn> {
  const failures: Record<string, number> = {};
  const read = async (path: string) => {
    const r = await runLoad<HttpResult>(
      {
        kind: "http",
        baseUrl: target.baseUrl,
        path,
        serverPids: target.mainPids,
        connections: CONNECTIONS,
        warmupMs: WARMUP_MS,
        durationMs: seconds * 1000,
      },
      target.secret,
      seconds * 1000 + 60_000,
    );
    for (const [status, count] of Object.entries(r.failures))
      failures[status] = (failures[status] ?? 0) + count;
    return {
      requestsPerSecond: r.requestsPerSecond,
      cpuMs: r.server.serverCpuMs / Math.max(1, r.requests),
      clientCpuMs: r.clientCpuMs / Math.max(1, r.requests),
    };
  };
  const first = await read("/health");
  const measured: Partial<Record<ReadName, Omit<ReadFigure, "ratio">>> = {};
  for (const [name, path] of Object.entries(READS) as [ReadName, string][]) {
    measured[name] = await read(`/v1/shows/${target.showId}${path}`);
  }
  const last = await read("/health");
  const health = {
    requestsPerSecond: (first.requestsPerSecond + last.requestsPerSecond) / 2,
    cpuMs: (first.cpuMs + last.cpuMs) / 2,
    clientCpuMs: (first.clientCpuMs + last.clientCpuMs) / 2,
  };
  const reads = Object.fromEntries(
    (Object.keys(READS) as ReadName[]).map((name) => {
      const figure = measured[name] ?? { requestsPerSecond: 0, cpuMs: 0, clientCpuMs: 0 };
      return [name, { ...figure, ratio: figure.requestsPerSecond / health.requestsPerSecond }];
    }),
  ) as Record<ReadName, ReadFigure>;
  return { build, health, reads, failures };
}

export function formatReadTurn(t: ReadTurn): string {
  const parts = [
    `/health ${t.health.requestsPerSecond.toFixed(0)} req/s, ${t.health.cpuMs.toFixed(3)} ms CPU (client ${t.health.clientCpuMs.toFixed(3)})`,
    ...(Object.keys(READS) as ReadName[]).map((name) => {
      const r = t.reads[name];
      return `${name} ${r.requestsPerSecond.toFixed(0)} req/s (${r.ratio.toFixed(2)}x), ${r.cpuMs.toFixed(3)} ms CPU (client ${r.clientCpuMs.toFixed(3)})`;
    }),
  ];
  const failed = Object.entries(t.failures);
  if (failed.length > 0) parts.push(`NOT 200: ${JSON.stringify(t.failures)}`);
  return parts.join(" | ");
}

/** The medians of each build's turns, old → new, as lines. */
export function formatReadMedians(turns: ReadTurn[]): string[] {
  const of = (build: "old" | "new", pick: (t: ReadTurn) => number) =>
    median(turns.filter((t) => t.build === build).map(pick));
  const line = (label: string, pick: (t: ReadTurn) => number, digits: number) => {
    const o = of("old", pick);
    const n = of("new", pick);
    return `  ${label.padEnd(34)} ${o.toFixed(digits)} → ${n.toFixed(digits)}  (${(n / o).toFixed(2)}x)`;
  };
  const lines = [
    line("/health req/s", (t) => t.health.requestsPerSecond, 0),
    line("/health CPU ms each", (t) => t.health.cpuMs, 3),
  ];
  for (const name of Object.keys(READS) as ReadName[]) {
    lines.push(line(`${name} req/s vs /health`, (t) => t.reads[name].ratio, 2));
    // What the server could answer per core of its CPU, against /health: the other work on a
    // shared machine moves this far less than the throughput.
    lines.push(line(`${name} by CPU vs /health`, (t) => t.health.cpuMs / t.reads[name].cpuMs, 2));
    lines.push(line(`${name} req/s`, (t) => t.reads[name].requestsPerSecond, 0));
    lines.push(line(`${name} CPU ms each`, (t) => t.reads[name].cpuMs, 3));
  }
  return lines;
}
