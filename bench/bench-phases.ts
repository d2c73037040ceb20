/**
 * The phases of `npm run bench` (and, smaller, `--ci`), in one run against one pair of
 * workerd processes: reads (the /health baseline, the seat map with and without the rate
 * limiter, the compact status and layout), the anchor, one buyer alone, the flash sale at
 * each viewer count, and (full run only) the 50,000-seat show.
 */
import { type HotSale, hotSale } from "./hot-show.ts";
import { type Measured, measured, runLoad } from "./phase.ts";
import type { MemorySampler } from "./proc.ts";
import type { HttpResult, SerialResult } from "./protocol.ts";
import type { ServerPair } from "./server-pair.ts";
import { type BenchShow, createShow } from "./show-setup.ts";
import { runStadium, type StadiumResult } from "./stadium.ts";

export interface PhaseSettings {
  seats: number;
  buyers: number;
  /** The sale is run once per count, each on a fresh show. */
  viewerCounts: number[];
  /** The count whose sale is "the sale" of the table's sale rows. */
  mainViewers: number;
  connections: number;
  warmupMs: number;
  readMs: number;
  serialLocks: number;
  saleDeadlineMs: number;
  /** Seats of the stadium show; 0 skips it. */
  stadiumSeats: number;
}

export interface BenchContext {
  pair: ServerPair;
  sampler: MemorySampler;
  secret: string;
  adminToken: string;
  settings: PhaseSettings;
  limitedBindings: Record<string, string>;
  baseBindings: Record<string, string>;
  log: (line: string) => void;
}

export interface Phases {
  health: Measured<HttpResult>;
  seatMap: Measured<HttpResult>;
  limited: Measured<HttpResult>;
  status: Measured<HttpResult>;
  layout: Measured<HttpResult>;
  anchor: Measured<HttpResult>;
  anchorAlone: Measured<HttpResult>;
  serial: Measured<SerialResult>;
  /** One per viewer count, in order. */
  sales: HotSale[];
  /** The shows the sales sold, for the invariant checks (same order). */
  saleShows: BenchShow[];
  stadium: StadiumResult | undefined;
  /** The 1,000-seat show the reads read. */
  readShow: BenchShow;
}

export async function runPhases(ctx: BenchContext): Promise<Phases> {
  const { pair, sampler, secret, adminToken, settings, log } = ctx;
  const readShow = await createShow(pair.main.url, adminToken, settings.seats);
  const probeShow = await createShow(pair.main.url, adminToken, 200);
  log(
    `Show ${readShow.showId}: ${readShow.totalSeats} seats, prices ${JSON.stringify(readShow.prices)}`,
  );
  const total = 8 + settings.viewerCounts.length + (settings.stadiumSeats > 0 ? 1 : 0);
  let n = 0;
  const step = (what: string) => log(`Phase ${++n}/${total}: ${what}...`);

  const http = (path: string, connections = settings.connections, baseUrl = pair.main.url) =>
    measured(sampler, () =>
      runLoad<HttpResult>(
        {
          kind: "http",
          baseUrl,
          path,
          serverPids: pair.mainPids(),
          connections,
          warmupMs: settings.warmupMs,
          durationMs: settings.readMs,
        },
        secret,
        settings.warmupMs + settings.readMs + 30_000,
      ),
    );
  const base = `/v1/shows/${readShow.showId}`;

  step("GET /health (baseline)");
  const health = await http("/health");
  step("GET seat map, rate limits off");
  const seatMap = await http(`${base}/seats`);
  step("GET seat map, rate limits on (RATE_LIMIT_SEAT_MAP=100000000)");
  await pair.main.reconfigure(ctx.limitedBindings);
  const limited = await http(`${base}/seats`);
  await pair.main.reconfigure(ctx.baseBindings);
  step("GET seats/status (compact statuses)");
  const status = await http(`${base}/seats/status`);
  step("GET layout");
  const layout = await http(`${base}/layout`);
  const anchorUrl = await pair.main.anchorUrl();
  step(`anchor: GET /anchor, one SQLite write in one object, ${settings.connections} connections`);
  const anchor = await http("/anchor", settings.connections, anchorUrl);
  step("anchor, one connection");
  const anchorAlone = await http("/anchor", 1, anchorUrl);

  step(`one buyer alone, ${settings.serialLocks} lock+book rounds (another show)`);
  const serial = await measured(sampler, () =>
    runLoad<SerialResult>(
      {
        kind: "serial",
        baseUrl: pair.main.url,
        showId: probeShow.showId,
        locks: settings.serialLocks,
        serverPids: pair.mainPids(),
      },
      secret,
      90_000,
    ),
  );

  const sales: HotSale[] = [];
  const saleShows: BenchShow[] = [];
  for (const viewers of settings.viewerCounts) {
    step(`flash sale, ${settings.buyers} buyers, ${viewers} live viewers (a fresh show)`);
    const show = await createShow(pair.main.url, adminToken, settings.seats);
    saleShows.push(show);
    const sale = await hotSale(pair, sampler, secret, show, viewers, {
      buyers: settings.buyers,
      // A burst, as when a sale opens: 200 viewers at once, beyond CI's relays of 40.
      crowdBatch: 200,
      seed: 20_261_126,
      deadlineMs: settings.saleDeadlineMs,
      // Long enough for a backlog at 10,000 viewers to drain: a late delivery is a delay,
      // only one that never comes is missed.
      settleMs: 60_000,
    });
    log(
      `  ${sale.viewersConnected} viewers, ${sale.sale.result.lockAndBookPerSecond} lock+book/s, ` +
        `commit → viewer p99 ${sale.fromCommit.p99} ms, ${sale.missed} missed, ${sale.gaps} gaps, ` +
        `${sale.relays.relays} relays, ${sale.messagesPerChange.toFixed(2)} publishes/change`,
    );
    sales.push(sale);
  }

  let stadium: StadiumResult | undefined;
  if (settings.stadiumSeats > 0) {
    step(`a ${settings.stadiumSeats.toLocaleString("en")}-seat show`);
    const show = await createShow(pair.main.url, adminToken, settings.stadiumSeats, 200);
    stadium = await runStadium(pair, show, secret, log);
  }
  return {
    health,
    seatMap,
    limited,
    status,
    layout,
    anchor,
    anchorAlone,
    serial,
    sales,
    saleShows,
    stadium,
    readShow,
  };
}
