/**
 * The flood scenario's report (`--flood`): lock latency on a show without and with one
 * client flooding its live feed, each flooded figure as a ratio to the unflooded one, what
 * the flooder sent and got back; the same as JSON in bench-results/flood.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MachineInfo } from "./proc.ts";
import type { CyclesResult, FloodResult, FloodSocket } from "./protocol.ts";
import type { PhaseCost, Row } from "./report.ts";
import { round } from "./stats.ts";

export interface FloodReport {
  mode: "flood";
  startedAt: string;
  machine: MachineInfo;
  served: string;
  settings: Record<string, number | string>;
  baseline: CyclesResult;
  flooded: CyclesResult;
  flooder: FloodResult;
  costs: { baseline: PhaseCost; flooded: PhaseCost };
  /** The flooder's own process, over its flood: CPU seconds per second. */
  flooderCores: number;
  /** Flooded over baseline. */
  ratios: { lockP50: number; lockP99: number; cyclesPerSecond: number };
  rows: Row[];
}

/** What "flat" means here: the flooded figure within this multiple of the baseline. */
export const FLAT = { p50: 1.5, p99: 2 } as const;

const ms = (value: number) => `${value.toFixed(1)} ms`;
const count = (value: number) => value.toLocaleString("en-US");
const times = (value: number) => `${value.toFixed(2)}x`;
const ratioOf = (value: number, base: number) => (base > 0 ? round(value / base, 2) : 0);

export function floodRatios(baseline: CyclesResult, flooded: CyclesResult): FloodReport["ratios"] {
  return {
    lockP50: ratioOf(flooded.lockLatencyMs.p50, baseline.lockLatencyMs.p50),
    lockP99: ratioOf(flooded.lockLatencyMs.p99, baseline.lockLatencyMs.p99),
    cyclesPerSecond: ratioOf(flooded.cyclesPerSecond, baseline.cyclesPerSecond),
  };
}

function closedText(socket: FloodSocket): string {
  if (!socket.connected) return "never connected";
  if (socket.closeCode === null) return "not closed";
  const reason = socket.closeReason ? ` "${socket.closeReason}"` : "";
  return `closed ${socket.closeCode}${reason} after ${((socket.closedAfterMs ?? 0) / 1000).toFixed(2)} s`;
}

export function buildFloodRows(
  report: Pick<FloodReport, "baseline" | "flooded" | "flooder" | "costs" | "ratios">,
): Row[] {
  const { baseline: base, flooded: flood, flooder, costs, ratios } = report;
  const row = (metric: string, value: string, vsBaseline = "", target = "", met?: boolean) => ({
    metric,
    value,
    vsBaseline,
    target,
    status: met === undefined ? ("" as const) : met ? ("met" as const) : ("not met" as const),
  });
  const { resync, junk } = flooder;
  const perSecond = (n: number) => (flooder.seconds > 0 ? n / flooder.seconds : 0);
  return [
    row("lock p50, no flood (baseline)", ms(base.lockLatencyMs.p50), "1.00x"),
    row(
      "lock p50, one client flooding",
      ms(flood.lockLatencyMs.p50),
      times(ratios.lockP50),
      `<= ${times(FLAT.p50)} baseline`,
      ratios.lockP50 <= FLAT.p50,
    ),
    row("lock p99, no flood (baseline)", ms(base.lockLatencyMs.p99), "1.00x"),
    row(
      "lock p99, one client flooding",
      ms(flood.lockLatencyMs.p99),
      times(ratios.lockP99),
      `<= ${times(FLAT.p99)} baseline`,
      ratios.lockP99 <= FLAT.p99,
    ),
    row(
      "lock max, no flood / flooding",
      `${ms(base.lockLatencyMs.max)} / ${ms(flood.lockLatencyMs.max)}`,
    ),
    row(
      "release p50 / p99, no flood",
      `${ms(base.releaseLatencyMs.p50)} / ${ms(base.releaseLatencyMs.p99)}`,
    ),
    row(
      "release p50 / p99, flooding",
      `${ms(flood.releaseLatencyMs.p50)} / ${ms(flood.releaseLatencyMs.p99)}`,
    ),
    row(
      "lock+release cycles/s, no flood",
      `${base.cyclesPerSecond.toFixed(0)}/s (${base.cycles} cycles)`,
      "1.00x",
    ),
    row(
      "lock+release cycles/s, flooding",
      `${flood.cyclesPerSecond.toFixed(0)}/s (${flood.cycles} cycles)`,
      times(ratios.cyclesPerSecond),
    ),
    row(
      "resync socket: sent / snapshots back",
      `${count(resync.sent)} sent / ${count(resync.snapshots)} snapshots ` +
        `(${perSecond(resync.snapshots).toFixed(1)}/s over ${flooder.seconds.toFixed(2)} s)`,
    ),
    row("resync socket: closed by the server?", closedText(resync)),
    row(
      "flood covered the measured window?",
      flooder.endedBy === "stop"
        ? `yes: ${flooder.seconds.toFixed(2)} s of flood, ${flood.seconds.toFixed(2)} s measured`
        : `no: the flood ended on its own (${flooder.endedBy}) after ${flooder.seconds.toFixed(2)} s ` +
            `of the ${flood.seconds.toFixed(2)} s measured`,
    ),
    row(
      "junk socket: sent / snapshots back",
      `${count(junk.sent)} sent (${(junk.bytesSent / 2 ** 20).toFixed(1)} MiB) / ${count(junk.snapshots)} snapshots`,
    ),
    row("junk socket: closed by the server?", closedText(junk)),
    row(
      "workerd memory growth during the flood",
      `${flooder.serverGrowthMiB.toFixed(0)} MiB` +
        (flooder.endedBy === "memory guard" ? " (flood cut off by the memory guard)" : ""),
    ),
    row(
      "viewers: messages each, no flood / flooding",
      `${base.messagesPerViewer} / ${flood.messagesPerViewer} (${flood.viewersConnected} viewers, ` +
        `gaps ${base.viewerGaps} / ${flood.viewerGaps})`,
    ),
    row(
      "workerd busiest thread, no flood / flooding",
      `${costs.baseline.busiestThreadCores.toFixed(2)} / ${costs.flooded.busiestThreadCores.toFixed(2)} cores`,
    ),
    row(
      "workerd CPU in the window per lock or release, no flood / flooding",
      `${costs.baseline.serverCpuMsPerRequest.toFixed(3)} / ${costs.flooded.serverCpuMsPerRequest.toFixed(3)} ms`,
    ),
  ];
}

export function writeFloodReport(root: string, report: FloodReport): string {
  const dir = join(root, "bench-results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "flood.json");
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
