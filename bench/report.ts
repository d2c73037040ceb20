/**
 * The benchmark's report: one table of figures (each with its ratio to the /health baseline
 * where that means something, and its target where there is one), the machine, how the
 * Worker was served, the invariant checks; the same as JSON in bench-results/bench.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CheckResult } from "./invariants.ts";
import type { MachineInfo } from "./proc.ts";
import type { HttpResult, SaleResult, SerialResult } from "./protocol.ts";
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

export interface BenchReport {
  mode: "full" | "ci";
  startedAt: string;
  machine: MachineInfo;
  served: string;
  settings: Record<string, number | string>;
  health: HttpResult;
  seatMap: HttpResult;
  seatMapLimited: HttpResult;
  serial: SerialResult;
  /** The sale's figures; the confirmed booking ids stay out of the file. */
  sale: Omit<SaleResult, "confirmedBookingIds">;
  /** The same sale on another show with one viewer: what 1,000 viewers cost the sale. */
  quietSale: Omit<SaleResult, "confirmedBookingIds">;
  costs: Record<
    "health" | "seatMap" | "seatMapLimited" | "serial" | "sale" | "quietSale",
    PhaseCost
  >;
  peakRssMiB: number;
  rows: Row[];
  invariants: CheckResult[];
}

export interface Row {
  metric: string;
  value: string;
  /** Ratio to the /health baseline's requests/s. */
  vsBaseline: string;
  target: string;
  status: "met" | "not met" | "";
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const perSecond = (value: number) => `${value.toFixed(0)}/s`;
const ratio = (value: number, base: number) => (base > 0 ? `${(value / base).toFixed(2)}x` : "");

export interface RowInputs {
  health: HttpResult;
  seatMap: HttpResult;
  limited: HttpResult;
  serial: SerialResult;
  sale: SaleResult;
  quietSale: SaleResult;
  costs: BenchReport["costs"];
  peakRssMiB: number;
}

export function buildRows(inputs: RowInputs): Row[] {
  const { health, seatMap, limited, serial, sale, quietSale, costs, peakRssMiB } = inputs;
  const base = health.requestsPerSecond;
  const readRatio = seatMap.requestsPerSecond / base;
  const saleRatio = sale.lockAndBookPerSecond / base;
  const viewers = `${sale.viewersConnected} viewers`;
  const row = (
    metric: string,
    value: string,
    vsBaseline = "",
    target = "",
    met?: boolean,
  ): Row => ({
    metric,
    value,
    vsBaseline,
    target,
    status: met === undefined ? "" : met ? "met" : "not met",
  });
  const baseCpu = costs.health.serverCpuMsPerRequest;
  // What the baseline ratio would be if workerd's CPU were the only limit: robust to other
  // processes taking CPU from one phase more than another.
  const cpuRow = (metric: string, cost: PhaseCost) =>
    row(
      `workerd CPU per request, ${metric}`,
      `${cost.serverCpuMsPerRequest.toFixed(3)} ms`,
      ratio(baseCpu, cost.serverCpuMsPerRequest),
    );
  return [
    row("GET /health (baseline) requests/s", perSecond(base), "1.00x"),
    row("GET /health p50 / p99", `${ms(health.latencyMs.p50)} / ${ms(health.latencyMs.p99)}`),
    row(
      "seat-map reads requests/s",
      perSecond(seatMap.requestsPerSecond),
      ratio(seatMap.requestsPerSecond, base),
      ">= 0.80x baseline",
      readRatio >= 0.8,
    ),
    row("seat-map reads p50 / p99", `${ms(seatMap.latencyMs.p50)} / ${ms(seatMap.latencyMs.p99)}`),
    row(
      "seat-map reads, rate limiter on, requests/s",
      `${perSecond(limited.requestsPerSecond)} (${ratio(limited.requestsPerSecond, seatMap.requestsPerSecond)} of limiter off)`,
      ratio(limited.requestsPerSecond, base),
    ),
    row(
      "seat-map reads, rate limiter on, p50 / p99",
      `${ms(limited.latencyMs.p50)} / ${ms(limited.latencyMs.p99)}`,
    ),
    row(
      "lock+book requests/s",
      perSecond(sale.lockAndBookPerSecond),
      ratio(sale.lockAndBookPerSecond, base),
      ">= 0.50x baseline",
      saleRatio >= 0.5,
    ),
    row(
      "lock+book p50 / p99",
      `${ms(sale.lockAndBookLatencyMs.p50)} / ${ms(sale.lockAndBookLatencyMs.p99)}`,
    ),
    row("  lock p50 / p99", `${ms(sale.lockLatencyMs.p50)} / ${ms(sale.lockLatencyMs.p99)}`),
    row("  book (pay) p50 / p99", `${ms(sale.bookLatencyMs.p50)} / ${ms(sale.bookLatencyMs.p99)}`),
    row(
      "  same sale, 1 viewer: lock+book requests/s",
      `${perSecond(quietSale.lockAndBookPerSecond)} (sold out in ${quietSale.sellOutSeconds?.toFixed(2) ?? "-"} s)`,
      ratio(quietSale.lockAndBookPerSecond, base),
    ),
    row(
      "one buyer alone: lock p50 / book p50",
      `${ms(serial.lockLatencyMs.p50)} / ${ms(serial.bookLatencyMs.p50)} (${perSecond(serial.requestsPerSecond)})`,
    ),
    row("locks/s (successful)", perSecond(sale.locksPerSecond)),
    row("seats sold/s", perSecond(sale.seatsPerSecond)),
    row(
      "time to sell out",
      sale.sellOutSeconds === null
        ? `not sold out (${sale.seatsSold}/${sale.seatsTotal})`
        : `${sale.sellOutSeconds.toFixed(2)} s (${sale.seatsTotal} seats, ${sale.buyers} buyers)`,
    ),
    row(
      `broadcast delay p50 / p99 (${viewers})`,
      `${ms(sale.broadcastDelayMs.p50)} / ${ms(sale.broadcastDelayMs.p99)}`,
      "",
      "p99 < 250 ms",
      sale.broadcastDelayMs.count > 0 &&
        sale.broadcastDelayMs.p99 < 250 &&
        sale.broadcastMissed === 0,
    ),
    row(
      "  from the lock's commit (locked_at) instead",
      `${ms(sale.broadcastFromCommitMs.p50)} / ${ms(sale.broadcastFromCommitMs.p99)}`,
      "",
      "p99 < 250 ms",
      sale.broadcastFromCommitMs.count > 0 &&
        sale.broadcastFromCommitMs.p99 < 250 &&
        sale.broadcastMissed === 0,
    ),
    cpuRow("/health", costs.health),
    cpuRow("seat-map read", costs.seatMap),
    cpuRow("seat-map read, limiter on", costs.seatMapLimited),
    cpuRow("lock or book, alone", costs.serial),
    cpuRow("lock or book, in the sale", costs.sale),
    cpuRow("lock or book, sale with 1 viewer", costs.quietSale),
    row(
      "  fan-out: workerd CPU per seats message per viewer",
      `${fanOutMs(sale, quietSale).toFixed(3)} ms`,
    ),
    row("peak workerd RSS during the sale", `${costs.sale.peakRssMiB.toFixed(0)} MiB`),
    row(
      "  per viewer (sale peak less the phase before)",
      `${((costs.sale.peakRssMiB - costs.serial.peakRssMiB) / Math.max(1, sale.viewersConnected)).toFixed(2)} MiB`,
    ),
    row("peak workerd RSS, whole run", `${peakRssMiB.toFixed(0)} MiB`),
  ];
}

/**
 * The sale's extra workerd CPU over the one-viewer sale (per request, so a different request
 * count does not count), spread over the seats messages the viewers received.
 */
function fanOutMs(sale: SaleResult, quiet: SaleResult): number {
  const perRequest = (result: SaleResult) =>
    result.server.serverCpuMs / Math.max(1, result.lockAndBookRequests);
  const extra = (perRequest(sale) - perRequest(quiet)) * sale.lockAndBookRequests;
  const deliveries = sale.messagesPerViewer * Math.max(1, sale.viewersConnected - 1);
  return deliveries > 0 ? extra / deliveries : 0;
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
