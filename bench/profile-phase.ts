/**
 * One profiled phase of `--profile` (bench/profile-run.ts): the isolates of the main workerd
 * process profiled while `work` runs, their samples summed per area (bench/profile-areas.ts),
 * the process's CPU from /proc beside them, and the table that prints it per lock+book pair.
 */
import { createServer } from "node:net";
import {
  attribute,
  type BundleModules,
  type CpuProfile,
  IsolateProfilers,
  PROFILED_TARGETS,
} from "./cpu-profile.ts";
import { CpuMeter } from "./proc.ts";
import { isolateArea, workerArea } from "./profile-areas.ts";
import type { ServerPair } from "./server-pair.ts";

export const WORKER_TARGET = "core:user:edge-ticket-booking";
/** The show objects' isolate when they are served apart (ServerPair's `shows`). */
export const SHOWS_TARGET = "core:user:bench-shows";
const ANCHOR_TARGET = "core:user:bench-anchor";
/** Sampling interval, µs: fine enough for a ~1 ms request, light enough not to swamp it. */
export const INTERVAL_US = 500;
/** A sample stands for at most this long (see sampleDurations). */
const CAP_US = 2 * INTERVAL_US;

export interface PhaseProfile {
  name: string;
  /** Lock+book pairs (the anchor: writes) the phase made. */
  pairs: number;
  /** The profiled workerd process's CPU over the window (/proc), ms. */
  processCpuMs: number;
  /** ms by area, whole window. */
  areas: Map<string, number>;
  /** The Worker isolate's heaviest self frames, `module function`, ms. */
  topFrames: [string, number][];
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/** Adds one profile's areas (µs) to `areas` (ms). */
function addAreas(areas: Map<string, number>, parts: Map<string, number>): number {
  let sum = 0;
  for (const [name, us] of parts) {
    areas.set(name, (areas.get(name) ?? 0) + us / 1000);
    sum += us / 1000;
  }
  return sum;
}

function selfFrames(profile: CpuProfile, modules: BundleModules): [string, number][] {
  const frames = attribute(profile, CAP_US, (stack) => {
    const leaf = stack[0];
    if (!leaf) return "";
    const where = leaf.url === "" ? "(runtime)" : modules.moduleAt(leaf.lineNumber);
    const area = workerArea(stack, (f) => modules.moduleAt(f.lineNumber));
    return `${where} ${leaf.functionName || "(anonymous)"}  [${area}]`;
  });
  return [...frames]
    .map(([name, us]): [string, number] => [name, us / 1000])
    .sort((a, b) => b[1] - a[1])
    .slice(0, 40);
}

/**
 * Runs `work` with every listed isolate profiled; the process's CPU split into areas. The
 * main process's, or with `showsApart` the show process's (the bundle's isolate there is
 * SHOWS_TARGET).
 */
export async function profiled(
  name: string,
  pair: ServerPair,
  port: number,
  modules: BundleModules,
  work: () => Promise<number>,
  showsApart = false,
): Promise<{ phase: PhaseProfile; worker: CpuProfile | undefined }> {
  const bundleTarget = showsApart ? SHOWS_TARGET : WORKER_TARGET;
  const targets = [...PROFILED_TARGETS, ANCHOR_TARGET, SHOWS_TARGET];
  const profilers = await IsolateProfilers.start(port, targets, INTERVAL_US);
  const meter = new CpuMeter(showsApart ? pair.showPids() : pair.mainPids());
  meter.start();
  const pairs = await work();
  const cpu = meter.stop();
  const profiles = await profilers.stop();
  const areas = new Map<string, number>();
  let profiledMs = 0;
  for (const [target, profile] of profiles) {
    const parts =
      target === bundleTarget
        ? attribute(profile, CAP_US, (stack) =>
            workerArea(stack, (f) => modules.moduleAt(f.lineNumber)),
          )
        : attribute(profile, CAP_US, () => isolateArea(target));
    profiledMs += addAreas(areas, parts);
  }
  areas.set(
    "workerd outside JS (C++: RPC, sockets, SQLite engine between calls, kernel)",
    Math.max(0, cpu.serverCpuMs - profiledMs),
  );
  const worker = profiles.get(bundleTarget);
  return {
    phase: {
      name,
      pairs,
      processCpuMs: cpu.serverCpuMs,
      areas,
      topFrames: worker ? selfFrames(worker, modules) : [],
    },
    worker,
  };
}

const pad = (text: string, width: number) => text.padEnd(width);
const num = (value: number, width: number, digits = 3) => value.toFixed(digits).padStart(width);

/**
 * `unit`: what the figures are per (a lock+book pair by default; a request for reads);
 * `process`: the workerd process profiled.
 */
export function formatTable(
  phases: PhaseProfile[],
  unit = "CPU per lock+book pair (ms, % of the process)",
  process = "main workerd process",
): string {
  const names = new Set<string>();
  for (const phase of phases) for (const name of phase.areas.keys()) names.add(name);
  const order = [...names].sort(
    (a, b) => (phases[1]?.areas.get(b) ?? 0) - (phases[1]?.areas.get(a) ?? 0),
  );
  const width = Math.max(...order.map((n) => n.length), 20) + 2;
  const head = pad(unit, width) + phases.map((p) => pad(`| ${p.name}`, 30)).join("");
  const lines = [head, "-".repeat(head.length)];
  for (const name of order) {
    lines.push(
      pad(name, width) +
        phases
          .map((p) => {
            const ms = (p.areas.get(name) ?? 0) / Math.max(1, p.pairs);
            const share = ((p.areas.get(name) ?? 0) / Math.max(1, p.processCpuMs)) * 100;
            return pad(`| ${num(ms, 7)} ${num(share, 5, 1)}%`, 30);
          })
          .join(""),
    );
  }
  lines.push("-".repeat(head.length));
  lines.push(
    pad(`${process}, /proc (each; count)`, width) +
      phases
        .map((p) => pad(`| ${num(p.processCpuMs / Math.max(1, p.pairs), 7)} (${p.pairs})`, 30))
        .join(""),
  );
  return lines.join("\n");
}
