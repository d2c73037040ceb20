/**
 * The benchmark's report: one table of figures (each with its ratio to the /health baseline
 * where that means something, and its target where there is one), the machine, how the
 * Worker was served, the invariant checks; the same as JSON in bench-results/bench.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Bill } from "./bill.ts";
import type { Ceiling } from "./ceiling.ts";
import type { HotSale } from "./hot-show.ts";
import type { CheckResult } from "./invariants.ts";
import type { OperationsReport } from "./operation-counts.ts";
import type { MachineInfo } from "./proc.ts";
import type { HttpResult, SaleResult, SerialResult } from "./protocol.ts";
import { projectRoot } from "./serve.ts";
import type { StadiumResult } from "./stadium.ts";
import { round } from "./stats.ts";

export interface PhaseCost {
  /** workerd CPU time over the phase's wall time: 1.0 is one core busy. */
  serverCores: number;
  /** Its busiest thread, the one running JavaScript: 1.0 is saturated. */
  busiestThreadCores: number;
  /** workerd CPU milliseconds per request. */
  serverCpuMsPerRequest: number;
  /** Load process CPU over wall time. */
  clientCores: number;
  /** This process, which hosts Miniflare (not on the request path with a direct socket). */
  hostCores: number;
  /** Everything on the machine, the other users of its cores included. */
  machineCores: number;
  /** What neither workerd nor the benchmark used: other work on a shared machine. */
  otherCores: number;
  peakRssMiB: number;
}

/** A sale at one viewer count, as the JSON keeps it (no booking ids, locks or histogram). */
export type SaleSummary = Omit<HotSale, "sale"> & {
  sale: Omit<SaleResult, "confirmedBookingIds" | "locks" | "fromCommitHistogram">;
  cost: PhaseCost;
};

export interface BenchReport {
  mode: "full" | "ci";
  startedAt: string;
  machine: MachineInfo;
  served: string;
  settings: Record<string, number | string | number[]>;
  health: HttpResult;
  seatMap: HttpResult;
  seatMapLimited: HttpResult;
  status: HttpResult;
  layout: HttpResult;
  anchor: HttpResult;
  anchorAlone: HttpResult;
  serial: SerialResult;
  /** The flash sale at each viewer count, each on a fresh show. */
  sales: SaleSummary[];
  stadium: StadiumResult | undefined;
  costs: Record<string, PhaseCost>;
  peakRssMiB: number;
  rows: Row[];
  invariants: CheckResult[];
  /** Issue 29: operations counted per lock+book pair, read and show load; their bill. */
  operations?: OperationsReport;
  bill?: Bill;
  /** The sales a second the show object's process CPU per pair allows one show. */
  ceiling?: Ceiling;
}

export interface Row {
  metric: string;
  value: string;
  /** Ratio to the /health baseline's requests/s. */
  vsBaseline: string;
  target: string;
  status: "met" | "not met" | "";
}

export function formatTable(rows: readonly Row[]): string {
  const header: Row = {
    metric: "metric",
    value: "value",
    vsBaseline: "vs baseline",
    target: "target",
    status: "",
  };
  const all = [header, ...rows];
  const widths = {
    metric: Math.max(...all.map((r) => r.metric.length)),
    value: Math.max(...all.map((r) => r.value.length)),
    vsBaseline: Math.max(...all.map((r) => r.vsBaseline.length)),
    target: Math.max(...all.map((r) => r.target.length)),
  };
  const line = (r: Row) =>
    `| ${r.metric.padEnd(widths.metric)} | ${r.value.padEnd(widths.value)} | ${r.vsBaseline.padEnd(widths.vsBaseline)} | ${r.target.padEnd(widths.target)} | ${r.status.padEnd(7)} |`;
  const rule = `|${"-".repeat(widths.metric + 2)}|${"-".repeat(widths.value + 2)}|${"-".repeat(widths.vsBaseline + 2)}|${"-".repeat(widths.target + 2)}|---------|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

export function formatCosts(costs: Readonly<Record<string, PhaseCost>>): string {
  const lines = Object.entries(costs).map(
    ([phase, cost]) =>
      `  ${phase.padEnd(15)} workerd ${cost.serverCores.toFixed(2)} cores (busiest thread ${cost.busiestThreadCores.toFixed(2)}), ` +
      `${cost.serverCpuMsPerRequest.toFixed(3)} CPU ms/request; load ${cost.clientCores.toFixed(2)}, ` +
      `miniflare host ${cost.hostCores.toFixed(2)}, other processes ${cost.otherCores.toFixed(2)} cores; ` +
      `peak RSS ${cost.peakRssMiB.toFixed(0)} MiB`,
  );
  return ["Where the time goes (CPU over wall time per phase):", ...lines].join("\n");
}

export function formatChecks(checks: readonly CheckResult[]): string {
  return checks
    .map((check) => `  ${check.passed ? "PASS" : "FAIL"}  ${check.name}\n        ${check.detail}`)
    .join("\n");
}

export function writeReport(root: string, report: BenchReport): string {
  const dir = join(root, "bench-results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "bench.json");
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

export function mib(bytes: number): number {
  return round(bytes / 2 ** 20, 1);
}

/**
 * The end of a phase that runs apart (the Stripe sale, the presale): its result written to
 * bench-results/<file>, and a line of its invariants; answers how many failed.
 */
export function recordPhase(
  file: string,
  label: string,
  result: object,
  invariants: readonly CheckResult[],
  log: (line: string) => void,
): number {
  const dir = join(projectRoot, "bench-results");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  log(`Written: ${path}`);
  const failed = invariants.filter((c) => !c.passed).length;
  log(`${label}: ${invariants.length - failed} passed, ${failed} failed`);
  return failed;
}
