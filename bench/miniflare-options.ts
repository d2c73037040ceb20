/**
 * The Miniflare options of the bench's workerd processes. The main process runs the Worker
 * with its objects (and, in the full run, the anchor worker beside it on the same runtime);
 * a relay process, when there is one, runs the same bundle for its SeatRelay objects. The
 * two reach each other's objects through Miniflare's dev registry (a directory of the run's
 * own): a binding whose class lives in the other process is a proxy object that forwards
 * every call over workerd's debug port, so a relay's work runs on the relay process's
 * thread, as on Cloudflare where every object has a thread of its own.
 */
import { join } from "node:path";
import { convertV4MiniflareOptions, Log, LogLevel, type MiniflareOptions } from "miniflare";
import type { WorkerPlan } from "./serve.ts";

/** The anchor worker's name (bench/workers/anchor.js), served beside the Worker. */
export const ANCHOR_WORKER = "bench-anchor";

/** A durable object binding whose class another process (worker) serves. */
export interface RemoteClass {
  binding: string;
  className: string;
  scriptName: string;
}

export interface WorkerSetup {
  plan: WorkerPlan;
  /** Registered under this name in the dev registry; wrangler.toml's by default. */
  name: string;
  /** ES modules; the first is the entry (the bundle, or a bench wrapper importing it). */
  modules: string[];
  stateDir: string;
  bindings: Record<string, string>;
  /** Bindings served by the other process instead of this one. */
  remote: RemoteClass[];
  /** Classes never evicted from memory (see ServerPair: ids reached by the debug port). */
  keepInMemory: string[];
  /** The dev registry shared by the processes; none for a single process. */
  registryPath: string | undefined;
  /**
   * D1 and KV kept in this directory and shared with the other processes that name it
   * (Miniflare's shared storage: the first process to start owns it, the others reach it
   * through the dev registry); each process's objects keep their storage in `stateDir`.
   */
  sharedStateDir?: string;
  /** The anchor worker's module, served in this process too. */
  anchorModule: string | undefined;
  direct: boolean;
}

/** Errors and warnings the Worker logs go to `record`. */
export function miniflareOptions(
  setup: WorkerSetup,
  record: (message: string) => void,
): MiniflareOptions {
  const { plan } = setup;
  const remote = new Map(setup.remote.map((r) => [r.binding, r]));
  const socket = setup.direct ? [{ host: "127.0.0.1", port: 0 }] : [];
  const main = {
    name: setup.name,
    rootPath: join(setup.modules[0] ?? ".", ".."),
    modules: setup.modules.map((path) => ({ type: "ESModule" as const, path })),
    compatibilityDate: plan.compatibilityDate,
    compatibilityFlags: plan.compatibilityFlags,
    bindings: { ...plan.vars, ...setup.bindings },
    d1Databases: Object.fromEntries(plan.d1.map((db) => [db.binding, db.id])),
    kvNamespaces: Object.fromEntries(plan.kv.map((ns) => [ns.binding, ns.id])),
    durableObjects: Object.fromEntries(
      plan.durableObjects.map((d) => {
        const elsewhere = remote.get(d.binding);
        if (elsewhere) {
          return [d.binding, { className: elsewhere.className, scriptName: elsewhere.scriptName }];
        }
        const keep = setup.keepInMemory.includes(d.className);
        return [
          d.binding,
          { className: d.className, useSQLite: d.sqlite, unsafePreventEviction: keep },
        ];
      }),
    ),
    unsafeDirectSockets: socket,
  };
  const workers: Record<string, unknown>[] = [main];
  if (setup.anchorModule) {
    workers.push({
      name: ANCHOR_WORKER,
      rootPath: join(setup.anchorModule, ".."),
      modules: [{ type: "ESModule", path: setup.anchorModule }],
      compatibilityDate: plan.compatibilityDate,
      durableObjects: { ANCHOR: { className: "AnchorObject", useSQLite: true } },
      unsafeDirectSockets: socket,
    });
  }
  const options = convertV4MiniflareOptions({
    host: "127.0.0.1",
    port: 0,
    cf: false,
    // No per-request log lines (they would travel to this process for printing).
    logRequests: false,
    log: new Log(LogLevel.WARN),
    handleStructuredLogs: (entry) => {
      if (entry.level === "error" || entry.level === "warn") record(entry.message);
    },
    telemetry: { enabled: false },
    ...(setup.sharedStateDir
      ? {
          resourcePersistencePath: setup.sharedStateDir,
          isolatedResourcePersistencePath: setup.stateDir,
        }
      : { resourcePersistencePath: setup.stateDir }),
    ...(setup.registryPath ? { unsafeDevRegistryPath: setup.registryPath } : {}),
    workers,
  } as Parameters<typeof convertV4MiniflareOptions>[0]);
  // The v4 form has no word for shared storage; it is set on the converted options.
  return setup.sharedStateDir ? { ...options, unsafeEnableSharedStorage: true } : options;
}
