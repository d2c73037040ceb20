/**
 * The hot show (issue 13): the same flash sale watched by 1, 1,000, 5,000 and 10,000
 * viewers, each on a fresh show. One viewer is the buyers' own (the sale's load process
 * picks seats from it, full format); the rest are a crowd on the compact feed, in load
 * processes of up to CROWD_PER_PROCESS each, connected before the sale starts. The show
 * object's process and the relays' process are metered apart; the relays count the show
 * object's publish() calls, which gives the messages it sends per change.
 */
import type { CrowdResult, CrowdTask, SaleLocks } from "./crowd-protocol.ts";
import { Histogram, type SparseHistogram } from "./histogram.ts";
import { type Measured, measured, runLoad, startLoad } from "./phase.ts";
import { CpuMeter, type CpuUse, type MemorySampler } from "./proc.ts";
import { type Latency, READY_LINE, type SaleResult } from "./protocol.ts";
import type { RelayStats, ServerPair } from "./server-pair.ts";
import type { BenchShow } from "./show-setup.ts";

/**
 * Viewers one front (a workerd process accepting viewers) takes: each connection holds two
 * file descriptors there, and a process may open 20,000 here. The relay process's own
 * Worker takes the most, so few viewers' bytes cross to the relays from another process
 * (that hop is the bench's, not Cloudflare's, and costs the relays' side 3x per message).
 */
const FRONT_CAPACITY = 9_800;

export interface SweepSettings {
  buyers: number;
  /** Crowd viewers connecting at once (200 if not given). */
  crowdBatch?: number;
  /**
   * Load processes each front's crowd is split into (1 if not given): a process reads its
   * sockets' messages one after another, so fewer viewers each stamp arrivals sooner.
   */
  crowdSplit?: number;
  /** Ask the relays when each seat's taking reached them, to split the delay there. */
  splitAtRelay?: boolean;
  seed: number;
  deadlineMs: number;
  settleMs: number;
}

export interface HotSale extends SaleFigures, BroadcastFigures {}

interface SaleFigures {
  viewers: number;
  sale: Measured<SaleResult>;
  /** Every viewer, the buyers' one and the crowd's. */
  viewersConnected: number;
  failedToConnect: number;
  crowdConnectSeconds: number;
  /** Lock commit → each viewer, over every (lock, viewer) pair. */
  fromCommit: Latency;
  missed: number;
  gaps: number;
  crowdCaughtUp: boolean;
  /** The relay process's counts; with its entry, the viewers each relay accepted too. */
  relays: RelayStats & { acceptedByRelay?: Record<string, number> };
  /** publish() calls per change: the show object's messages per change. */
  messagesPerChange: number;
  /** Main (show object) process CPU ms per lock or book request. */
  mainCpuMsPerRequest: number;
  /** The relays' side (relay process and fronts), sale start to the last viewer told. */
  relaySide: CpuUse;
  relayCpuMs: number;
  /** The relays' side CPU per change, and per change and relay (one relay's fan-out). */
  relayCpuMsPerChange: number;
  relayCpuMsPerChangePerRelay: number;
  /** Relay process CPU per message delivered to a viewer. */
  relayCpuMsPerDelivery: number;
  crowdClientCpuMs: number;
}

/** Where a sale's broadcast spent its time and CPU, process by process. */
export interface BroadcastFigures {
  /** Cores that processes outside the bench took while it ran (a shared machine). */
  outsideCores: number;
  /** Sale start until every crowd caught up: the window the CPU figures below cover. */
  broadcastSeconds: number;
  /** The show object's process, the relay process alone and the extra fronts alone. */
  mainSide: CpuUse;
  relayProcess: CpuUse;
  extraFronts: CpuUse;
  /** Per crowd process: viewers, messages, CPU until caught up, its event loop's lateness. */
  crowds: {
    viewers: number;
    messages: number;
    cpuMs: number;
    loopDelayP99Ms: number;
    loopDelayMaxMs: number;
  }[];
  /** With splitAtRelay: commit → relay told, and relay told → viewer, every crowd pair. */
  toRelay?: Latency;
  fromRelay?: Latency;
}

interface RunningCrowd {
  ready: Promise<void>;
  result: Promise<CrowdResult>;
  tell(line: string): void;
  end(): void;
}

function startCrowd(task: CrowdTask, secret: string): RunningCrowd {
  let ready: () => void = () => undefined;
  const readyPromise = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const load = startLoad<CrowdResult>(task, secret, 600_000, (line) => {
    if (line === READY_LINE) ready();
  });
  // A crowd that dies before it is ready must not leave the sweep waiting.
  load.result.catch(() => ready());
  return { ready: readyPromise, ...load };
}

/** The sale on `show` with `viewers` viewers in all. */
export async function hotSale(
  pair: ServerPair,
  sampler: MemorySampler,
  secret: string,
  show: BenchShow,
  viewers: number,
  settings: SweepSettings,
): Promise<HotSale> {
  await pair.shareShow(show);
  // Wakes the show object from the main process before any relay calls it (see ServerPair).
  const wake = await fetch(`${pair.main.url}/v1/shows/${show.showId}/seats`);
  if (wake.status !== 200) throw new Error(`seat map of ${show.showId}: ${wake.status}`);
  await wake.arrayBuffer();

  // One crowd process per front; the buyers' own viewer goes to the first front too.
  const crowdSizes: number[] = [];
  for (let left = viewers - 1; left > 0; ) {
    const size = Math.min(FRONT_CAPACITY - (crowdSizes.length === 0 ? 1 : 0), left);
    crowdSizes.push(size);
    left -= size;
  }
  if (crowdSizes.length > pair.fronts.length) {
    throw new Error(
      `${viewers} viewers need ${crowdSizes.length} fronts; there are ${pair.fronts.length}`,
    );
  }
  const crowdPlan = splitCrowds(crowdSizes, settings.crowdSplit ?? 1);
  const crowds = crowdPlan.map(({ front, size }) =>
    startCrowd(
      {
        kind: "crowd",
        baseUrl: (pair.fronts[front] ?? pair.main).url,
        showId: show.showId,
        viewers: size,
        batch: settings.crowdBatch ?? 200,
        timeoutMs: 60_000,
      },
      secret,
    ),
  );
  await Promise.all(crowds.map((crowd) => crowd.ready));

  // The relays' side is metered here, from the sale's start until every viewer has been
  // told its last change (the sale's own window ends when its one viewer has).
  const relayMeter = new CpuMeter(pair.relayPids());
  const mainMeter = new CpuMeter(pair.mainPids());
  const relayProcessMeter = new CpuMeter(pair.relayProcessPids());
  const frontsMeter = new CpuMeter(pair.extraFrontPids());
  const meters = [relayMeter, mainMeter, relayProcessMeter, frontsMeter];
  for (const meter of meters) meter.start();
  const started = performance.now();
  const sale = await measured(sampler, () =>
    runLoad<SaleResult>(
      {
        kind: "sale",
        baseUrl: pair.main.url,
        viewerBaseUrl: pair.viewerUrl,
        showId: show.showId,
        buyers: settings.buyers,
        viewers: 1,
        seed: settings.seed,
        deadlineMs: settings.deadlineMs,
        settleMs: settings.settleMs,
        serverPids: pair.mainPids(),
        ...(pair.relay ? { relayPids: pair.relayPids() } : {}),
        reportLocks: crowds.length > 0,
      },
      secret,
      settings.deadlineMs + 90_000,
    ),
  );
  const relayTakenAt = settings.splitAtRelay
    ? await relaysTold(pair, show.showId, sale.result.finalVersion)
    : undefined;
  const locks: SaleLocks = {
    version: sale.result.finalVersion,
    settleMs: settings.settleMs,
    locks: sale.result.locks ?? [],
    ...(relayTakenAt ? { relayTakenAt } : {}),
  };
  for (const crowd of crowds) {
    crowd.tell(JSON.stringify(locks));
    crowd.end();
  }
  const crowdResults = await Promise.all(crowds.map((crowd) => crowd.result));
  const [relaySide, mainSide, relayProcess, extraFronts] = meters.map((meter) => meter.stop()) as [
    CpuUse,
    CpuUse,
    CpuUse,
    CpuUse,
  ];
  // What the bench's own processes did not use of the machine in that window: other work.
  const seconds = (performance.now() - started) / 1000;
  const loadMs = sale.result.clientCpuMs + crowdResults.reduce((sum, c) => sum + c.clientCpuMs, 0);
  const outsideCores = Math.max(
    0,
    relaySide.machineCores - relaySide.serverCores - mainSide.serverCores - loadMs / 1000 / seconds,
  );
  // The seats' times are for the split above; the report keeps the counts only.
  const { relayTakenAt: _times, ...relays } = await pair.relayStats(show.showId);
  const hot = summarise(viewers, sale, crowdResults, relays, relaySide);
  const split = (pick: (crowd: CrowdResult) => SparseHistogram | undefined) => {
    const histogram = new Histogram();
    for (const crowd of crowdResults) {
      const part = pick(crowd);
      if (part) histogram.merge(part);
    }
    return histogram.summary();
  };
  return {
    ...hot,
    outsideCores: Math.round(outsideCores * 100) / 100,
    broadcastSeconds: Math.round(seconds * 100) / 100,
    mainSide,
    relayProcess,
    extraFronts,
    crowds: crowdResults.map((c) => ({
      viewers: c.connected,
      messages: c.messages,
      cpuMs: c.clientCpuMs,
      loopDelayP99Ms: c.loopDelayP99Ms,
      loopDelayMaxMs: c.loopDelayMaxMs,
    })),
    ...(relayTakenAt
      ? { toRelay: split((c) => c.toRelay), fromRelay: split((c) => c.fromRelay) }
      : {}),
  };
}

/** Each front's share of the crowd in `split` load processes of (nearly) equal size. */
function splitCrowds(perFront: number[], split: number): { front: number; size: number }[] {
  return perFront.flatMap((total, front) => {
    const parts = Math.max(1, Math.min(split, total));
    return Array.from({ length: parts }, (_, i) => ({
      front,
      size: Math.floor(total / parts) + (i < total % parts ? 1 : 0),
    }));
  });
}

/**
 * When each seat's taking first reached a relay, once every relay that got publishes has
 * the sale's last version (the buyers' viewer had it through relay 0; the others' publishes
 * may still be queued behind a fan-out on the relay process's thread).
 */
async function relaysTold(
  pair: ServerPair,
  showId: string,
  version: number,
): Promise<Record<string, number> | undefined> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const stats = await pair.relayStats(showId);
    const last = Object.values(stats.lastVersionByRelay ?? {});
    if (last.length > 0 && last.every((v) => v >= version)) return stats.relayTakenAt;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return undefined;
}

function summarise(
  viewers: number,
  sale: Measured<SaleResult>,
  crowds: CrowdResult[],
  relays: RelayStats,
  relaySide: CpuUse,
): Omit<HotSale, keyof BroadcastFigures> {
  const s = sale.result;
  const delays = new Histogram();
  if (s.fromCommitHistogram) delays.merge(s.fromCommitHistogram);
  for (const crowd of crowds) delays.merge(crowd.fromCommit);
  const requests = Math.max(1, s.lockAndBookRequests);
  const crowdMessages = crowds.reduce((sum, c) => sum + c.messages, 0);
  const deliveries = s.messagesPerViewer * s.viewersConnected + crowdMessages;
  const relayCpuMs = relaySide.serverCpuMs;
  return {
    viewers,
    sale,
    viewersConnected: s.viewersConnected + crowds.reduce((sum, c) => sum + c.connected, 0),
    failedToConnect: crowds.reduce((sum, c) => sum + c.failedToConnect, 0),
    crowdConnectSeconds: Math.max(0, ...crowds.map((c) => c.connectSeconds)),
    fromCommit: delays.summary(),
    missed: s.broadcastMissed + crowds.reduce((sum, c) => sum + c.missed, 0),
    gaps: s.viewerGaps + crowds.reduce((sum, c) => sum + c.gaps, 0),
    crowdCaughtUp: crowds.every((c) => c.caughtUp),
    relays,
    relaySide,
    messagesPerChange: relays.changes > 0 ? relays.publishes / relays.changes : 0,
    mainCpuMsPerRequest: s.server.serverCpuMs / requests,
    relayCpuMs,
    relayCpuMsPerChange: relays.changes > 0 ? relayCpuMs / relays.changes : 0,
    relayCpuMsPerChangePerRelay: relays.publishes > 0 ? relayCpuMs / relays.publishes : 0,
    relayCpuMsPerDelivery: deliveries > 0 ? relayCpuMs / deliveries : 0,
    crowdClientCpuMs: crowds.reduce((sum, c) => sum + c.clientCpuMs, 0),
  };
}
