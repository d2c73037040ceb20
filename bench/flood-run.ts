/**
 * `npm run bench -- --flood`: does one client flooding a show's live feed slow the show's
 * locks? The feed's socket lives on the show object, the same thread that takes the locks,
 * so a flood that costs work there (a snapshot per `resync`, a wake-up per junk message)
 * shows in lock latency. On one fresh show watched by 100 viewers, a few buyers lock and
 * release seats a fixed number of times twice: alone, then while one client floods the
 * feed from a third process. The flooded figures are reported as ratios to the first.
 */

import {
  buildFloodRows,
  FLAT,
  type FloodReport,
  floodRatios,
  writeFloodReport,
} from "./flood-report.ts";
import { measured, runLoad, startLoad } from "./phase.ts";
import type { MachineInfo, MemorySampler } from "./proc.ts";
import {
  type CyclesResult,
  type CyclesTask,
  ENDED_PREFIX,
  type FloodResult,
  GO_LINE,
  READY_LINE,
  STOP_LINE,
} from "./protocol.ts";
import { formatCosts, formatTable } from "./report.ts";
import { projectRoot, type WorkerServer } from "./serve.ts";
import { createShow } from "./show-setup.ts";
import { round } from "./stats.ts";

export const floodSettings = {
  seats: 1_000,
  viewers: 100,
  buyers: 4,
  /** Per buyer: 400 measured locks a phase, so p99 is the 4th slowest, not the slowest. */
  cycles: 100,
  warmupCycles: 10,
  seatsPerLock: 2,
  cyclesDeadlineMs: 60_000,
  /** The flood outlasts the measured cycles; these only bound it if run.ts cannot stop it. */
  floodMaxMs: 90_000,
  floodMaxMessages: 10_000_000,
  highWaterBytes: 64 * 1024,
  junkBytes: 16 * 1024,
  /** Ends the flood if workerd grows by this much: the machine is shared, its memory finite. */
  guardBytes: 1024 * 2 ** 20,
} as const;

export interface FloodBenchInput {
  server: WorkerServer;
  sampler: MemorySampler;
  secret: string;
  adminToken: string;
  machine: MachineInfo;
  startedAt: string;
  log: (line: string) => void;
}

/** Resolves when `load` prints READY_LINE (or never, if it fails first: see `result`). */
function readyLine(): { onLine: (line: string) => void; ready: Promise<void> } {
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  return { onLine: (line) => line === READY_LINE && onReady(), ready };
}

/** Whichever comes first: `ready`, or the process's failure (its result settling early). */
async function untilReady(ready: Promise<void>, result: Promise<unknown>): Promise<void> {
  await Promise.race([
    ready,
    result.then(() => {
      throw new Error("load process ended before it was ready");
    }),
  ]);
}

export async function runFloodBench(input: FloodBenchInput): Promise<number> {
  const { server, sampler, secret, log } = input;
  const s = floodSettings;
  const show = await createShow(server.url, input.adminToken, s.seats);
  log(`Show ${show.showId}: ${show.totalSeats} seats`);
  const cyclesTask = (serverPids: number[], waitForGo: boolean): CyclesTask => ({
    kind: "cycles",
    baseUrl: server.url,
    showId: show.showId,
    viewers: s.viewers,
    buyers: s.buyers,
    cycles: s.cycles,
    warmupCycles: s.warmupCycles,
    seatsPerLock: s.seatsPerLock,
    deadlineMs: s.cyclesDeadlineMs,
    waitForGo,
    serverPids,
  });
  const cyclesLimitMs = s.cyclesDeadlineMs + 90_000;
  const what = `${s.buyers} buyers x ${s.cycles} lock+release cycles, ${s.viewers} viewers`;

  log(`Phase 1/2: ${what}, no flood (baseline)...`);
  const baseline = await measured(sampler, (pids) =>
    runLoad<CyclesResult>(cyclesTask(pids, false), secret, cyclesLimitMs),
  );

  log(`Phase 2/2: the same while one client floods the live feed (resync + junk sockets)...`);
  let flooder: FloodResult | undefined;
  const flooded = await measured(sampler, async (pids) => {
    // Viewers connect and buyers warm up first; the flood then covers the measured window.
    const cyclesReady = readyLine();
    const cycles = startLoad<CyclesResult>(
      cyclesTask(pids, true),
      secret,
      cyclesLimitMs,
      cyclesReady.onLine,
    );
    await untilReady(cyclesReady.ready, cycles.result);
    const floodReady = readyLine();
    const onFloodLine = (line: string) => {
      floodReady.onLine(line);
      // Cut by the bench's own bounds, the flood no longer covers the cycles: stop them too.
      // Closed by the server, it is the defence being measured: the cycles go on.
      const endedBy = line.startsWith(ENDED_PREFIX) ? line.slice(ENDED_PREFIX.length) : "";
      if (endedBy && endedBy !== "closed" && endedBy !== "stop") cycles.tell(STOP_LINE);
    };
    const flood = startLoad<FloodResult>(
      {
        kind: "flood",
        baseUrl: server.url,
        showId: show.showId,
        maxMs: s.floodMaxMs,
        maxMessages: s.floodMaxMessages,
        highWaterBytes: s.highWaterBytes,
        junkBytes: s.junkBytes,
        guardBytes: s.guardBytes,
        serverPids: pids,
      },
      secret,
      s.floodMaxMs + 30_000,
      onFloodLine,
    );
    try {
      await untilReady(floodReady.ready, flood.result);
      cycles.tell(GO_LINE);
      return await cycles.result;
    } finally {
      cycles.end();
      flood.tell(STOP_LINE);
      flood.end();
      flooder = await flood.result;
    }
  });
  if (!flooder) throw new Error("no result from the flooder");

  const flooderCores = round(flooder.clientCpuMs / 1000 / Math.max(1e-3, flooder.seconds));
  const costs = {
    baseline: baseline.cost,
    flooded: {
      ...flooded.cost,
      // The flooder is a load process too, not "other" work on the machine.
      otherCores: round(Math.max(0, flooded.cost.otherCores - flooderCores)),
    },
  };
  const ratios = floodRatios(baseline.result, flooded.result);
  const parts = { baseline: baseline.result, flooded: flooded.result, flooder, costs, ratios };
  const report: FloodReport = {
    mode: "flood",
    startedAt: input.startedAt,
    machine: input.machine,
    served: server.describe(),
    settings: { ...s },
    ...parts,
    flooderCores,
    rows: buildFloodRows(parts),
  };

  log("");
  log(formatTable(report.rows));
  log("");
  log(formatCosts(costs));
  log(
    `  flooder         its own load process, ${flooderCores.toFixed(2)} cores over ` +
      `${flooder.seconds.toFixed(2)} s of flood (workerd during the flood: ` +
      `${flooder.server.serverCores.toFixed(2)} cores, busiest thread ` +
      `${flooder.server.busiestThreadCores.toFixed(2)})`,
  );
  log(
    "Buyers and viewers ran in one load process, the flooder in another; workerd ran the Worker " +
      "and the show object (its locks and its live feed) on one JavaScript thread.",
  );
  const failures = { ...baseline.result.failures, ...flooded.result.failures };
  const wanted = s.buyers * s.cycles;
  const incomplete = [baseline.result, flooded.result].filter((r) => r.cycles < wanted).length;
  log(
    `Unexpected answers: no flood ${JSON.stringify(baseline.result.failures)}, ` +
      `flooding ${JSON.stringify(flooded.result.failures)}; cycles done: ` +
      `${baseline.result.cycles} and ${flooded.result.cycles} of ${wanted}` +
      (flooder.endedBy === "stop" || flooder.endedBy === "closed"
        ? ""
        : ` (the flooded phase stopped with the flood, cut by its ${flooder.endedBy})`),
  );
  log(
    `Flat means flooded lock p50 <= ${FLAT.p50}x and p99 <= ${FLAT.p99}x the baseline: ` +
      `p50 ${ratios.lockP50}x, p99 ${ratios.lockP99}x.`,
  );
  log(`Written: ${writeFloodReport(projectRoot, report)}`);
  // Like the invariants of the full run: wrong answers fail the run, slow ones only report.
  return Object.keys(failures).length === 0 && incomplete === 0 ? 0 : 1;
}
