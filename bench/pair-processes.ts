/**
 * The processes a server pair (bench/server-pair.ts) starts beside its main one, each a
 * Miniflare instance serving the same bundle, linked to the others by the run's dev
 * registry: the show objects' process (when they are served apart), the relay process and
 * the extra fronts that only run the Worker for viewers.
 */
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import type { RemoteClass } from "./miniflare-options.ts";
import { projectRoot, type WorkerPlan, WorkerServer } from "./serve.ts";
import type { BenchShow } from "./show-setup.ts";

export const RELAY_WORKER = "bench-relays";
export const SHOWS_WORKER = "bench-shows";
export const FRONT_WORKER = "bench-front";

/** What every process of a pair shares. */
export interface PairBase {
  plan: WorkerPlan;
  /** The bundle's entry module (bench/ops-entry.ts's modules are written beside it). */
  bundle: string;
  /** The entry modules, then the bundle. */
  modules: string[];
  workDir: string;
  bindings: Record<string, string>;
  registryPath: string | undefined;
  /** Where the main and show processes share D1 and KV (shows apart only). */
  sharedStateDir: string | undefined;
}

/** What differs between the processes beside the main one. */
interface Side {
  name: string;
  modules: string[];
  /** Under the run's work directory. */
  stateDir: string;
  remote: RemoteClass[];
  keepInMemory: string[];
  /** D1 and KV shared with the main process; otherwise its own D1 is migrated. */
  sharedStateDir?: string | undefined;
  inspectorPort?: number | undefined;
}

/** A process beside the main one: the Worker on a direct socket, the run's registry. */
async function startBeside(base: PairBase, side: Side): Promise<WorkerServer> {
  const server = await WorkerServer.start({
    plan: base.plan,
    name: side.name,
    modules: side.modules,
    stateDir: join(base.workDir, side.stateDir),
    ...(side.sharedStateDir ? { sharedStateDir: side.sharedStateDir } : {}),
    bindings: base.bindings,
    route: "direct",
    remote: side.remote,
    keepInMemory: side.keepInMemory,
    registryPath: base.registryPath,
    anchorModule: undefined,
    ...(side.inspectorPort === undefined ? {} : { inspectorPort: side.inspectorPort }),
  });
  if (!side.sharedStateDir) await server.applyMigrations();
  return server;
}

/**
 * The show objects alone: every other object binding reaches the main process (the relays
 * `relayHost`), and D1 and KV are the main process's through the shared storage.
 */
export function startShowProcess(
  base: PairBase,
  relayHost: string,
  inspectorPort: number | undefined,
): Promise<WorkerServer> {
  const { plan } = base;
  return startBeside(base, {
    name: SHOWS_WORKER,
    modules: base.modules,
    stateDir: "shows-state",
    sharedStateDir: base.sharedStateDir,
    remote: plan.durableObjects
      .filter((d) => d.binding !== "SHOW")
      .map((d) => ({
        binding: d.binding,
        className: d.className,
        scriptName: d.binding === "SEAT_RELAY" ? relayHost : plan.name,
      })),
    keepInMemory: ["ShowObject"],
    inspectorPort,
  });
}

/** The relays, through bench/workers/relay-host.js; the shows are `showHost`'s. */
export async function startRelayProcess(base: PairBase, showHost: string): Promise<WorkerServer> {
  // Beside the bundle, so its import of ./ops-entry.js resolves.
  const relayEntry = join(base.bundle, "..", "relay-host.js");
  copyFileSync(join(projectRoot, "bench", "workers", "relay-host.js"), relayEntry);
  return startBeside(base, {
    name: RELAY_WORKER,
    modules: [relayEntry, ...base.modules],
    stateDir: "relay-state",
    remote: [{ binding: "SHOW", className: "ShowObject", scriptName: showHost }],
    keepInMemory: ["SeatRelay"],
  });
}

/** The n-th process running only the Worker, for viewers' upgrades. */
export function startFront(base: PairBase, n: number, showHost: string): Promise<WorkerServer> {
  return startBeside(base, {
    name: `${FRONT_WORKER}-${n}`,
    modules: base.modules,
    stateDir: `front-state-${n}`,
    remote: [
      { binding: "SHOW", className: "ShowObject", scriptName: showHost },
      { binding: "SEAT_RELAY", className: "SeatRelay", scriptName: RELAY_WORKER },
    ],
    keepInMemory: [],
  });
}

/** Copies the show's catalog rows from `from`'s D1 into `to`'s (a front's own D1). */
export async function copyShowRows(
  from: WorkerServer,
  to: WorkerServer,
  show: BenchShow,
): Promise<void> {
  const copies: [string, string, string][] = [
    ["events", "event_id", show.eventId],
    ["venues", "venue_id", show.venueId],
    ["shows", "show_id", show.showId],
  ];
  for (const [table, key, id] of copies) {
    const rows = await from.query<Record<string, unknown>>(
      `SELECT * FROM ${table} WHERE ${key} = ?`,
      id,
    );
    for (const row of rows) {
      const columns = Object.keys(row);
      await to.query(
        `INSERT OR IGNORE INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
        ...Object.values(row),
      );
    }
  }
}

/** How a pair serves the Worker, for the run's header; `main` describes the main process. */
export function describeProcesses(
  main: string,
  pair: { relays: boolean; extraFronts: number; showsApart: boolean },
): string {
  const fronts =
    pair.extraFronts > 0
      ? ` or that of ${pair.extraFronts} more workerd process(es) running only the Worker ("${FRONT_WORKER}-<n>", SHOW and SEAT_RELAY bound across processes)`
      : "";
  const relays = pair.relays
    ? `${main}. SeatRelay objects in a second workerd process (Miniflare instance "${RELAY_WORKER}", ` +
      "the same bundle, entry bench/workers/relay-host.js), linked to the main one through " +
      "Miniflare's dev registry (cross-process Durable Object bindings over workerd's debug port): " +
      "the show object's publish() calls run in the relay process; viewers upgrade through that " +
      `process's copy of the Worker (its own socket)${fronts}, ` +
      "so no viewer's bytes pass through the show object's process; the relays' side is metered as those processes together"
    : `${main}; SeatRelay objects in the same workerd process`;
  if (!pair.showsApart) return relays;
  return (
    `${relays}. ShowObject in a workerd process of its own (Miniflare instance ` +
    `"${SHOWS_WORKER}", the same bundle; every other object in the main process, bound across ` +
    "processes), D1 and KV shared with it through Miniflare's shared storage, so that " +
    "process's CPU is the show objects' alone"
  );
}
