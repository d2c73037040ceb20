/**
 * The bench's workerd processes: the main one (the Worker, the show objects and every
 * other object, the anchor worker) and, unless `relays` is "same", a relay process that
 * serves the SeatRelay objects from the same bundle, and `extraFronts` more processes that
 * run only the Worker, for viewers' upgrades; with `shows: "process"`, the show objects
 * are served in a process of their own too (the processes: bench/pair-processes.ts).
 * Each viewer's connection takes two file descriptors in the workerd that accepts it, and
 * a process may open 20,000 here, so 10,000 viewers need two such fronts: the relay
 * process's own Worker and one more. The main process's workerd pid is kept apart, so a
 * phase charges the show object's process alone; the others are metered together as the
 * relays' side.
 *
 * Two things the dev registry does not carry are made up here, for the bench only:
 * - an object reached from the other process is addressed by its id alone, so its
 *   `ctx.id.name` is empty there. The relay process's entry (bench/workers/relay-host.js)
 *   finds each relay's name again from its id; the show objects, whose names the relays
 *   need, are always first woken by the main process (by a read of the seat map before
 *   any viewer comes) and kept in memory there, so they keep their names; served apart,
 *   they are woken by name in their own process (shareShow) and kept in memory there.
 * - viewers upgrade through the relay process's copy of the Worker (the same route code)
 *   or an extra front's, whose D1 is their own: the show's rows are copied into them,
 *   since the route first checks that the show exists.
 */
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { writeOpsEntry } from "./ops-entry.ts";
import {
  copyShowRows,
  describeProcesses,
  type PairBase,
  RELAY_WORKER,
  SHOWS_WORKER,
  startFront,
  startRelayProcess,
  startShowProcess,
} from "./pair-processes.ts";
import { withNewPids, workerdProcesses } from "./proc.ts";
import { projectRoot, type ServeOptions, type WorkerPlan, WorkerServer } from "./serve.ts";
import type { BenchShow } from "./show-setup.ts";

/** Where the relays (or the show objects) run: in the main process, or in one of their own. */
export type RelayPlacement = "same" | "process";

/** Publishes a relay process has taken, for one show (bench/workers/relay-host.js). */
export interface RelayStats {
  /** Relays that got at least one publish. */
  relays: number;
  /** publish() calls the show object made to relays. */
  publishes: number;
  /** Distinct changes (by version) among them. */
  changes: number;
  /** Each relay's (by name) last version published to it. */
  lastVersionByRelay?: Record<string, number>;
  /** Per seat index, when its taking was first published to a relay (epoch ms). */
  relayTakenAt?: Record<string, number>;
}

interface ClockNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { benchSentTimes(showId: string): Promise<Record<string, number>> };
}
interface StatsStub {
  benchStats(showId: string): Promise<RelayStats>;
}
interface StatsNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): StatsStub;
}

export interface PairOptions {
  plan: WorkerPlan;
  bundle: string;
  workDir: string;
  bindings: Record<string, string>;
  route: ServeOptions["route"];
  relays: RelayPlacement;
  /**
   * Where the show objects run. "process" serves them in a process of their own, as each
   * show has a thread of its own on Cloudflare, so that process's CPU is theirs alone: the
   * Worker, D1, KV and every other object stay in the main process, D1 and KV shared with
   * the show process through Miniflare's shared storage (compare-builds `--shows process`).
   */
  shows?: RelayPlacement;
  /** Processes running only the Worker for viewers, besides the relay process. */
  extraFronts: number;
  anchor: boolean;
  /**
   * Serve the bundle through the bench's counting entry (bench/ops-entry.ts) in every
   * process, so the run can count operations; otherwise the entry only passes it through.
   */
  countOperations?: boolean;
  /**
   * workerd's inspector (`--profile`) for one process: the main one, or the show process
   * when the show objects are served apart.
   */
  inspectorPort?: number;
  /**
   * Serve the main process through bench/workers/publish-clock.js, which notes when each
   * seat's taking was sent to the relays (`--broadcast`).
   */
  timePublishes?: boolean;
}

interface ShowNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { showStatus(): Promise<unknown> };
}

/** The processes a pair started, besides the main one. */
interface Others {
  relay: WorkerServer | undefined;
  fronts: WorkerServer[];
  shows: WorkerServer | undefined;
  relayPids: number[];
  frontPids: number[];
  showPids: number[];
}

export class ServerPair {
  readonly main: WorkerServer;
  readonly relay: WorkerServer | undefined;
  /** Where viewers upgrade: the relay process, then the extra fronts. */
  readonly fronts: WorkerServer[];
  /** The show objects' own process, when they are served apart (`shows: "process"`). */
  readonly shows: WorkerServer | undefined;
  private relayPidList: number[];
  /** The extra fronts' workerd pids (a subset of relayPidList), to meter them apart. */
  private frontPidList: number[];
  private showPidList: number[];

  private constructor(main: WorkerServer, others: Others) {
    this.main = main;
    this.relay = others.relay;
    this.fronts = others.fronts;
    this.shows = others.shows;
    this.relayPidList = others.relayPids;
    this.frontPidList = others.frontPids;
    this.showPidList = others.showPids;
  }

  static async start(options: PairOptions): Promise<ServerPair> {
    const { plan, bundle, workDir, relays } = options;
    const showsApart = options.shows === "process";
    if (showsApart && options.timePublishes) {
      throw new Error("publish times are noted in the main process; serve the shows there");
    }
    const anchorModule = options.anchor ? join(workDir, "anchor.js") : undefined;
    if (anchorModule)
      copyFileSync(join(projectRoot, "bench", "workers", "anchor.js"), anchorModule);
    const clock = join(bundle, "..", "publish-clock.js");
    if (options.timePublishes) {
      copyFileSync(join(projectRoot, "bench", "workers", "publish-clock.js"), clock);
    }
    const base: PairBase = {
      plan,
      bundle,
      modules: [...writeOpsEntry(bundle, plan, options.countOperations ?? false), bundle],
      workDir,
      bindings: options.bindings,
      registryPath: relays === "process" || showsApart ? join(workDir, "registry") : undefined,
      sharedStateDir: showsApart ? join(workDir, "shared-state") : undefined,
    };
    const showHost = showsApart ? SHOWS_WORKER : plan.name;
    const main = await WorkerServer.start({
      plan,
      name: plan.name,
      modules: [...(options.timePublishes ? [clock] : []), ...base.modules],
      stateDir: join(workDir, "state"),
      ...(base.sharedStateDir ? { sharedStateDir: base.sharedStateDir } : {}),
      bindings: options.bindings,
      route: options.route,
      remote: [
        ...(relays === "process"
          ? [{ binding: "SEAT_RELAY", className: "SeatRelay", scriptName: RELAY_WORKER }]
          : []),
        ...(showsApart
          ? [{ binding: "SHOW", className: "ShowObject", scriptName: SHOWS_WORKER }]
          : []),
      ],
      keepInMemory: relays === "process" && !showsApart ? ["ShowObject"] : [],
      registryPath: base.registryPath,
      anchorModule,
      ...(options.inspectorPort === undefined || showsApart
        ? {}
        : { inspectorPort: options.inspectorPort }),
    });
    const [shows, showPids] = showsApart
      ? await withNewPids(() =>
          startShowProcess(
            base,
            relays === "process" ? RELAY_WORKER : plan.name,
            options.inspectorPort,
          ),
        )
      : [undefined, []];
    const others: Others = {
      relay: undefined,
      fronts: [main],
      shows,
      relayPids: [],
      frontPids: [],
      showPids,
    };
    if (relays === "same") return new ServerPair(main, others);
    const [relay, relayOwnPids] = await withNewPids(() => startRelayProcess(base, showHost));
    const [fronts, frontPids] = await withNewPids(async () => {
      const started: WorkerServer[] = [];
      for (let i = 0; i < options.extraFronts; i++) {
        started.push(await startFront(base, i, showHost));
      }
      return started;
    });
    return new ServerPair(main, {
      ...others,
      relay,
      fronts: [relay, ...fronts],
      relayPids: [...relayOwnPids, ...frontPids],
      frontPids,
    });
  }

  /** The main process's workerd (after a reconfigure too: every one that is not the relays'). */
  mainPids(): number[] {
    return workerdProcesses()
      .map((p) => p.pid)
      .filter((pid) => !this.relayPidList.includes(pid) && !this.showPidList.includes(pid));
  }

  /** The show objects' own process, when they are served apart; none otherwise. */
  showPids(): number[] {
    return [...this.showPidList];
  }

  /** The relays' side: the relay process and the extra fronts. */
  relayPids(): number[] {
    return [...this.relayPidList];
  }

  /** The relay process alone (its relays and its own Worker's viewers' upgrades). */
  relayProcessPids(): number[] {
    return this.relayPidList.filter((pid) => !this.frontPidList.includes(pid));
  }

  /** The extra fronts alone (viewers past the relay process's share). */
  extraFrontPids(): number[] {
    return [...this.frontPidList];
  }

  /** Where viewers open the live feed: the relay process's Worker when there is one. */
  get viewerUrl(): string {
    return (this.fronts[0] ?? this.main).url;
  }

  /**
   * Lets the fronts' Workers find the show (their own D1 holds nothing) and, when the show
   * objects are served apart, wakes the show's object there by its name: reached from
   * another process by its id alone, a fresh object would not know which show it is.
   */
  async shareShow(show: BenchShow): Promise<void> {
    for (const front of this.fronts) {
      if (front !== this.main) await copyShowRows(this.main, front, show);
    }
    if (this.shows) {
      const namespace = await this.shows.namespace<ShowNamespace>("SHOW");
      await namespace.get(namespace.idFromName(show.showId)).showStatus();
    }
  }

  /** The relays' publish counts for a show (zeros when the relays share the main process). */
  async relayStats(showId: string): Promise<RelayStats> {
    if (!this.relay) return { relays: 0, publishes: 0, changes: 0 };
    // Miniflare's proxy to the relay process now and then finds its connection reset after
    // a busy sale (ECONNRESET); the question is the bench's own, so it is asked again.
    for (let attempt = 1; ; attempt++) {
      try {
        const namespace = await this.relay.namespace<StatsNamespace>("SEAT_RELAY");
        // Any relay answers: the counts are kept per show in the relay process's isolate.
        return await namespace.get(namespace.idFromName(`${showId}:0`)).benchStats(showId);
      } catch (err) {
        if (attempt >= 3) throw err;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** With timePublishes: per seat index, when its taking was first sent to the relays. */
  async sentTimes(showId: string): Promise<Record<string, number>> {
    const namespace = await this.main.namespace<ClockNamespace>("SHOW");
    return await namespace.get(namespace.idFromName(showId)).benchSentTimes(showId);
  }

  describe(): string {
    return describeProcesses(this.main.describe(), {
      relays: this.relay !== undefined,
      extraFronts: this.fronts.length - 1,
      showsApart: this.shows !== undefined,
    });
  }

  async stop(): Promise<void> {
    for (const front of this.fronts.slice(1)) await front.stop();
    await this.relay?.stop();
    await this.shows?.stop();
    await this.main.stop();
  }
}
