/**
 * Serves the Worker for the benchmark: bundled by `wrangler deploy --dry-run` (the same
 * esbuild bundle a deploy uploads), run on workerd through the `miniflare` API with the
 * bindings of wrangler.toml, state (D1, KV, Durable Objects) in a directory of the run's
 * own. No `wrangler dev`: no proxy worker, no file watcher. The full run serves the relays
 * in a second process (bench/server-pair.ts), linked to this one by Miniflare's dev registry.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import {
  unstable_getDurableObjectClassNameToUseSQLiteMap,
  unstable_readConfig,
  unstable_splitSqlQuery,
} from "wrangler";
import { ANCHOR_WORKER, miniflareOptions, type WorkerSetup } from "./miniflare-options.ts";

export const projectRoot = fileURLToPath(new URL("..", import.meta.url).href);

const wranglerEnv: NodeJS.ProcessEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
};

/** What wrangler.toml says the Worker needs. */
export interface WorkerPlan {
  name: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
  vars: Record<string, string>;
  secrets: string[];
  d1: { binding: string; id: string; migrationsDir: string }[];
  kv: { binding: string; id: string }[];
  durableObjects: { binding: string; className: string; sqlite: boolean }[];
}

/**
 * The part of wrangler's resolved config read here (its own type comes from a package
 * wrangler bundles without publishing the types).
 */
interface WranglerConfig {
  name?: string;
  compatibility_date?: string;
  compatibility_flags: string[];
  vars: Record<string, unknown>;
  secrets?: { required?: string[] };
  d1_databases: {
    binding: string;
    database_id?: string;
    database_name?: string;
    migrations_dir?: string;
  }[];
  kv_namespaces: { binding: string; id?: string }[];
  durable_objects: { bindings: { name: string; class_name: string }[] };
  migrations: unknown[];
}

export function readWorkerPlan(): WorkerPlan {
  const config: WranglerConfig = unstable_readConfig(
    { config: join(projectRoot, "wrangler.toml") },
    { hideWarnings: true },
  );
  const sqlite = unstable_getDurableObjectClassNameToUseSQLiteMap(config.migrations);
  return {
    name: config.name ?? "worker",
    compatibilityDate: config.compatibility_date ?? "2026-11-01",
    compatibilityFlags: config.compatibility_flags,
    vars: Object.fromEntries(
      Object.entries(config.vars).map(([key, value]) => [
        key,
        typeof value === "string" ? value : JSON.stringify(value),
      ]),
    ),
    secrets: config.secrets?.required ?? [],
    d1: config.d1_databases.map((db) => ({
      binding: db.binding,
      id: db.database_id ?? db.database_name ?? db.binding,
      migrationsDir: join(projectRoot, db.migrations_dir ?? "migrations"),
    })),
    kv: config.kv_namespaces.map((ns) => ({ binding: ns.binding, id: ns.id ?? ns.binding })),
    durableObjects: config.durable_objects.bindings.map((binding) => ({
      binding: binding.name,
      className: binding.class_name,
      sqlite: sqlite.get(binding.class_name) ?? false,
    })),
  };
}

/** `wrangler deploy --dry-run --outdir`: the deployable bundle, its entry module's path. */
export function bundleWorker(outDir: string, root = projectRoot): string {
  const wrangler = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
  const result = spawnSync(
    process.execPath,
    [wrangler, "deploy", "--dry-run", "--outdir", outDir, "--config", "wrangler.toml"],
    { cwd: root, env: wranglerEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  if (result.status !== 0) {
    throw new Error(`wrangler deploy --dry-run failed:\n${result.stdout}${result.stderr}`);
  }
  return join(outDir, "index.js");
}

/** How requests reach the Worker. */
export type Route = "direct" | "entry";

export interface ServeOptions extends Omit<WorkerSetup, "direct" | "bindings"> {
  /** Overrides of wrangler.toml's vars, plus the secrets. */
  bindings: Record<string, string>;
  route: Route;
  /** workerd's inspector on this port (`--profile`: bench/profile-run.ts); off by default. */
  inspectorPort?: number;
}

/** The simulated provider's ledger rows the invariant checks read. */
export interface LedgerCharge {
  payment_id: string;
  reference: string;
  amount_minor: number;
  status: "succeeded" | "declined" | "refunded";
}

interface LedgerStub {
  ledger(): Promise<LedgerCharge[]>;
}
interface LedgerNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): LedgerStub;
}
interface D1Statement {
  bind(...values: unknown[]): D1Statement;
  all<T>(): Promise<{ results: T[] }>;
}
interface D1 {
  prepare(sql: string): D1Statement;
  batch(statements: D1Statement[]): Promise<unknown>;
}

/** Errors and warnings the Worker logs: the first few printed, all counted. */
class WorkerLog {
  count = 0;

  record(message: string): void {
    this.count++;
    if (this.count <= 10) process.stderr.write(`[worker] ${message}\n`);
    if (this.count === 10) process.stderr.write("[worker] (further messages counted only)\n");
  }
}

export class WorkerServer {
  private readonly mf: Miniflare;
  private readonly options: ServeOptions;
  private readonly log: WorkerLog;
  private baseUrl: URL;

  private constructor(mf: Miniflare, options: ServeOptions, log: WorkerLog, baseUrl: URL) {
    this.mf = mf;
    this.options = options;
    this.log = log;
    this.baseUrl = baseUrl;
  }

  static async start(options: ServeOptions): Promise<WorkerServer> {
    const missing = options.plan.secrets.filter((name) => !(name in options.bindings));
    if (missing.length > 0) throw new Error(`no value for required secrets: ${missing.join(", ")}`);
    const log = new WorkerLog();
    const mf = new Miniflare(optionsOf(options, options.bindings, log));
    return new WorkerServer(mf, options, log, await resolveUrl(mf, options.route));
  }

  /** How many errors and warnings the Worker logged. */
  get workerErrors(): number {
    return this.log.count;
  }

  /** http://127.0.0.1:<port> */
  get url(): string {
    return this.baseUrl.origin;
  }

  describe(): string {
    const via =
      this.options.route === "direct"
        ? "requests on a direct workerd socket to the Worker (no Miniflare entry worker in front)"
        : "requests through Miniflare's entry worker";
    return (
      `wrangler ${packageVersion("wrangler")} deploy --dry-run bundle on workerd ${packageVersion("workerd")} ` +
      `through the miniflare ${packageVersion("miniflare")} API (no wrangler dev), ${via}; ` +
      `D1, KV and Durable Object state in ${this.options.stateDir}`
    );
  }

  /** Restarts workerd with other binding values; stored state is kept. */
  async reconfigure(bindings: Record<string, string>): Promise<void> {
    await this.mf.setOptions(optionsOf(this.options, bindings, this.log));
    this.baseUrl = await resolveUrl(this.mf, this.options.route);
  }

  /** The anchor worker's direct socket (bench/workers/anchor.js), if it is served here. */
  async anchorUrl(): Promise<string> {
    return (await this.mf.unsafeGetDirectURL(ANCHOR_WORKER)).origin;
  }

  /** A Durable Object namespace of this process, for calls from Node (RPC). */
  namespace<T>(binding: string): Promise<T> {
    return this.mf.getDurableObjectNamespace(binding) as Promise<T>;
  }

  /** Applies every D1 database's migrations/*.sql, in file-name order. */
  async applyMigrations(): Promise<string[]> {
    const applied: string[] = [];
    for (const database of this.options.plan.d1) {
      const db = await this.d1(database.binding);
      const files = readdirSync(database.migrationsDir)
        .filter((file) => file.endsWith(".sql"))
        .sort();
      for (const file of files) {
        const sql = readFileSync(join(database.migrationsDir, file), "utf8");
        const statements = unstable_splitSqlQuery(sql).map((statement) => db.prepare(statement));
        await db.batch(statements);
        applied.push(file);
      }
    }
    return applied;
  }

  async query<T>(sql: string, ...params: unknown[]): Promise<T[]> {
    const db = await this.d1(this.options.plan.d1[0]?.binding ?? "DB");
    const statement = params.length > 0 ? db.prepare(sql).bind(...params) : db.prepare(sql);
    return (await statement.all<T>()).results;
  }

  /** The PaymentSimulator's ledger (`idFromName("ledger")`), over RPC. */
  async ledger(): Promise<LedgerCharge[]> {
    const namespace = (await this.mf.getDurableObjectNamespace(
      "PAYMENT_SIMULATOR",
    )) as unknown as LedgerNamespace;
    return namespace.get(namespace.idFromName("ledger")).ledger();
  }

  async stop(): Promise<void> {
    await this.mf.dispose();
  }

  private async d1(binding: string): Promise<D1> {
    return (await this.mf.getD1Database(binding)) as unknown as D1;
  }
}

function packageVersion(name: string): string {
  const file = join(projectRoot, "node_modules", name, "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

async function resolveUrl(mf: Miniflare, route: Route): Promise<URL> {
  const entry = await mf.ready;
  return route === "direct" ? await mf.unsafeGetDirectURL() : entry;
}

function optionsOf(options: ServeOptions, bindings: Record<string, string>, log: WorkerLog) {
  const mf = miniflareOptions(
    { ...options, bindings, direct: options.route === "direct" },
    (message) => log.record(message),
  );
  const { inspectorPort } = options;
  return inspectorPort === undefined ? mf : { ...mf, inspectorPort };
}
