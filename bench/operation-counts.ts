/**
 * Operation counts (issue 29): what one lock+book pair, one seat-map read and one show's
 * first load cost in Cloudflare's billed units, counted, not estimated. Every bench workerd
 * process serves the bundle through the counting entry (bench/ops-entry.ts,
 * bench/workers/ops-counter.js); this phase turns the counters on around each part, reads
 * them back from every process (the main one: the Worker and every object but the relays;
 * the relay process: its Worker, which takes the viewers' upgrades, and the relays) and sums
 * them. Runs after the other phases, with rate limiting on as wrangler.toml deploys it.
 */
import type { CrowdResult, SaleLocks } from "./crowd-protocol.ts";
import { waitForD1 } from "./invariants.ts";
import { runLoad, startLoad } from "./phase.ts";
import { type HttpResult, READY_LINE, type SaleResult } from "./protocol.ts";
import type { WorkerServer } from "./serve.ts";
import type { ServerPair } from "./server-pair.ts";
import { type BenchShow, createShow } from "./show-setup.ts";

/** One SQL statement's executions and rows (keyed by its text, placeholder lists folded). */
export interface StatementCounts {
  executions: number;
  rowsRead: number;
  rowsWritten: number;
}

export interface ObjectCounts {
  /** Stub calls by method (RPC and fetch), counted by the callers. */
  requests: Record<string, number>;
  alarms: number;
  webSocketMessages: number;
  sqlStatements: number;
  rowsRead: number;
  rowsWritten: number;
  kvGets: number;
  kvPuts: number;
  kvDeletes: number;
  setAlarms: number;
  statements: Record<string, StatementCounts>;
}

export interface OpCounts {
  worker: { requests: number; upgrades: number; routes: Record<string, number> };
  objects: Record<string, ObjectCounts>;
  d1: {
    instrumented: boolean;
    requests: number;
    queries: number;
    rowsRead: number;
    rowsWritten: number;
    statements: Record<string, StatementCounts>;
  };
  kv: { reads: number; writes: number; deletes: number; lists: number };
  analytics: { points: number };
  logs: { lines: number; bytes: number };
  fetches: { requests: number; hosts: Record<string, number> };
}

export function emptyCounts(): OpCounts {
  return {
    worker: { requests: 0, upgrades: 0, routes: {} },
    objects: {},
    d1: {
      instrumented: false,
      requests: 0,
      queries: 0,
      rowsRead: 0,
      rowsWritten: 0,
      statements: {},
    },
    kv: { reads: 0, writes: 0, deletes: 0, lists: 0 },
    analytics: { points: 0 },
    logs: { lines: 0, bytes: 0 },
    fetches: { requests: 0, hosts: {} },
  };
}

type Tree = { [key: string]: number | boolean | Tree };

/** Adds `from` into `into`: numbers summed, flags or-ed, records merged key by key. */
function addInto(into: Tree, from: Tree): void {
  for (const [key, value] of Object.entries(from)) {
    const current = into[key];
    if (typeof value === "number") into[key] = (typeof current === "number" ? current : 0) + value;
    else if (typeof value === "boolean") into[key] = current === true || value;
    else {
      const child = typeof current === "object" ? current : {};
      addInto(child, value);
      into[key] = child;
    }
  }
}

export function sumCounts(parts: readonly OpCounts[]): OpCounts {
  const total = emptyCounts();
  for (const part of parts) addInto(total as unknown as Tree, part as unknown as Tree);
  return total;
}

/** Durable Object requests of every class, as billed (WebSocket messages 20:1). */
export function objectRequests(counts: ObjectCounts): number {
  const calls = Object.values(counts.requests).reduce((sum, n) => sum + n, 0);
  return calls + counts.alarms + counts.webSocketMessages / 20;
}

const CONTROL = "/__bench/ops";

/** The counters of every process of a pair. */
class Counters {
  private readonly pair: ServerPair;

  constructor(pair: ServerPair) {
    this.pair = pair;
  }

  private servers(): WorkerServer[] {
    return [this.pair.main, ...this.pair.fronts.filter((front) => front !== this.pair.main)];
  }

  private async call(server: WorkerServer, query: string): Promise<OpCounts> {
    const response = await fetch(`${server.url}${CONTROL}${query}`, {
      method: query ? "POST" : "GET",
    });
    if (!response.ok) throw new Error(`${CONTROL}${query}: ${response.status}`);
    return ((await response.json()) as { counts: OpCounts }).counts;
  }

  /** Zeroes every process's counts and starts counting. */
  async start(): Promise<void> {
    await Promise.all(this.servers().map((server) => this.call(server, "?start")));
  }

  async read(): Promise<OpCounts> {
    return sumCounts(await Promise.all(this.servers().map((server) => this.call(server, ""))));
  }

  /**
   * The counts once nothing more happens (an alarm's D1 write, a relay leaving): read
   * until two reads 250 ms apart agree, at most `limitMs`.
   */
  async settled(limitMs = 10_000): Promise<OpCounts> {
    const until = performance.now() + limitMs;
    let last = await this.read();
    while (performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const next = await this.read();
      if (JSON.stringify(next) === JSON.stringify(last)) return next;
      last = next;
    }
    return last;
  }
}

export interface CountedSale {
  /** Viewers in all: the buyers' own and the crowd. */
  viewers: number;
  viewersConnected: number;
  bookings: number;
  seatsSold: number;
  lockAttempts: number;
  bookingAttempts: number;
  windowSeconds: number;
  /** CPU of the main (show object's) process, and of the relays' side, in the window. */
  mainCpuMs: number;
  relayCpuMs: number;
  counts: OpCounts;
  /** The crowd's joining, before the sale (counted apart): per viewer, not per booking. */
  joins?: { viewers: number; counts: OpCounts };
}

export interface OperationsReport {
  /** wrangler.toml's Durable Object classes, each listed even when nothing called it. */
  classes: string[];
  rateLimits: string;
  /** The first request to a fresh show: its object loads the show from D1. */
  showLoad: { seats: number; counts: OpCounts };
  /** Seat-map reads of a loaded show by `connections` clients: every Worker request is one. */
  reads: { seconds: number; connections: number; cpuMs: number; counts: OpCounts };
  sales: CountedSale[];
}

export interface OpsSettings {
  seats: number;
  buyers: number;
  /** The sales counted: 1 viewer, and this many. */
  viewers: number;
  connections: number;
  readMs: number;
  saleDeadlineMs: number;
}

export interface OpsContext {
  pair: ServerPair;
  /** wrangler.toml's Durable Object classes. */
  classes: string[];
  secret: string;
  adminToken: string;
  settings: OpsSettings;
  /** Rate limiting on (the deployed default), while counting. */
  limitedBindings: Record<string, string>;
  baseBindings: Record<string, string>;
  log: (line: string) => void;
}

async function readSeatMap(baseUrl: string, show: BenchShow): Promise<void> {
  const response = await fetch(`${baseUrl}/v1/shows/${show.showId}/seats`);
  if (response.status !== 200) throw new Error(`seat map of ${show.showId}: ${response.status}`);
  await response.arrayBuffer();
}

/** A crowd of viewers on the show, connected; its result once told the sale's locks. */
async function connectCrowd(ctx: OpsContext, show: BenchShow, viewers: number) {
  let ready: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const crowd = startLoad<CrowdResult>(
    {
      kind: "crowd",
      baseUrl: ctx.pair.viewerUrl,
      showId: show.showId,
      viewers,
      batch: 200,
      timeoutMs: 60_000,
    },
    ctx.secret,
    600_000,
    (line) => {
      if (line === READY_LINE) ready();
    },
  );
  crowd.result.catch(() => ready());
  await connected;
  return crowd;
}

async function countedSale(ctx: OpsContext, counters: Counters, viewers: number) {
  const { pair, settings } = ctx;
  const show = await createShow(pair.main.url, ctx.adminToken, settings.seats);
  await pair.shareShow(show);
  await readSeatMap(pair.main.url, show);
  let joins: CountedSale["joins"];
  let crowd: Awaited<ReturnType<typeof connectCrowd>> | undefined;
  if (viewers > 1) {
    await counters.start();
    crowd = await connectCrowd(ctx, show, viewers - 1);
    joins = { viewers: viewers - 1, counts: await counters.settled() };
  }
  await counters.start();
  const sale = await runLoad<SaleResult>(
    {
      kind: "sale",
      baseUrl: pair.main.url,
      viewerBaseUrl: pair.viewerUrl,
      showId: show.showId,
      buyers: settings.buyers,
      viewers: 1,
      seed: 20_261_126,
      deadlineMs: settings.saleDeadlineMs,
      settleMs: 30_000,
      serverPids: pair.mainPids(),
      ...(pair.relay ? { relayPids: pair.relayPids() } : {}),
      reportLocks: crowd !== undefined,
    },
    ctx.secret,
    settings.saleDeadlineMs + 90_000,
  );
  let crowdConnected = 0;
  if (crowd) {
    const locks: SaleLocks = {
      version: sale.finalVersion,
      settleMs: 30_000,
      locks: sale.locks ?? [],
    };
    crowd.tell(JSON.stringify(locks));
    crowd.end();
    crowdConnected = (await crowd.result).connected;
  }
  await waitForD1(pair.main, show, 15_000);
  const counted: CountedSale = {
    viewers,
    viewersConnected: sale.viewersConnected + crowdConnected,
    bookings: sale.bookingsOk,
    seatsSold: sale.seatsSold,
    lockAttempts: sale.lockAttempts,
    bookingAttempts: sale.bookingAttempts,
    windowSeconds: sale.windowSeconds,
    mainCpuMs: sale.server.serverCpuMs,
    relayCpuMs: sale.relayServer?.serverCpuMs ?? 0,
    counts: await counters.settled(),
    ...(joins ? { joins } : {}),
  };
  return counted;
}

/** The phase: a show's first load, seat-map reads, the sale with 1 and with N viewers. */
export async function countOperations(ctx: OpsContext): Promise<OperationsReport> {
  const { pair, settings, log } = ctx;
  const counters = new Counters(pair);
  const started = performance.now();
  await pair.main.reconfigure(ctx.limitedBindings);
  try {
    const show = await createShow(pair.main.url, ctx.adminToken, settings.seats);
    await counters.start();
    await readSeatMap(pair.main.url, show);
    const showLoad = { seats: show.totalSeats, counts: await counters.settled() };

    log(`  seat-map reads, ${settings.connections} connections x ${settings.readMs / 1000} s`);
    await counters.start();
    const reads = await runLoad<HttpResult>(
      {
        kind: "http",
        baseUrl: pair.main.url,
        path: `/v1/shows/${show.showId}/seats`,
        serverPids: pair.mainPids(),
        connections: settings.connections,
        warmupMs: 0,
        durationMs: settings.readMs,
      },
      ctx.secret,
      settings.readMs + 30_000,
    );
    const readCounts = await counters.settled();

    const sales: CountedSale[] = [];
    for (const viewers of [1, settings.viewers]) {
      log(`  sale, ${settings.buyers} buyers, ${viewers} viewers (a fresh show)`);
      sales.push(await countedSale(ctx, counters, viewers));
    }
    log(`  counted in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return {
      classes: ctx.classes,
      rateLimits:
        "on (wrangler.toml's limits; the seat map's raised so one load client is never refused)",
      showLoad,
      reads: {
        seconds: reads.seconds,
        connections: settings.connections,
        cpuMs: reads.server.serverCpuMs,
        counts: readCounts,
      },
      sales,
    };
  } finally {
    await pair.main.reconfigure(ctx.baseBindings);
  }
}
