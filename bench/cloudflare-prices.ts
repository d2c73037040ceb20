/**
 * Cloudflare's published list prices for every operation the bench counts (issue 29), in
 * one place: the bill (bench/bill.ts) multiplies the counts by these. Each price is the
 * Workers Paid plan's rate past its monthly allowance (the allowances and the plan's $5 a
 * month are left out: the bill is what one more unit costs), in US dollars, with the page
 * it was read on and when. Read on 2026-12-04 from the stored copy of
 * developers.cloudflare.com (its source, github.com/cloudflare/cloudflare-docs).
 * When Cloudflare changes a price, change it here, with the date.
 */

export interface Price {
  /** US dollars per `per` units. */
  usd: number;
  per: number;
  unit: string;
  /** The pricing page, and the date it was read. */
  source: string;
  read: string;
  /** What the page says about how the unit is counted, where it matters here. */
  note?: string;
}

const READ = "2026-12-04";
const WORKERS = "https://developers.cloudflare.com/workers/platform/pricing/";
const OBJECTS = "https://developers.cloudflare.com/durable-objects/platform/pricing/";
const D1 = "https://developers.cloudflare.com/d1/platform/pricing/";
const KV = "https://developers.cloudflare.com/kv/platform/pricing/";
const ANALYTICS = "https://developers.cloudflare.com/analytics/analytics-engine/pricing/";
const OBSERVABILITY = "https://developers.cloudflare.com/observability/pricing/";

export const PRICES = {
  workerRequests: {
    usd: 0.3,
    per: 1e6,
    unit: "Worker requests",
    source: WORKERS,
    read: READ,
    note: "10 million a month included; a WebSocket upgrade is one request, its messages none; subrequests are not billed",
  },
  workerCpuMs: {
    usd: 0.02,
    per: 1e6,
    unit: "Worker CPU ms",
    source: WORKERS,
    read: READ,
    note: "30 million CPU ms a month included",
  },
  objectRequests: {
    usd: 0.15,
    per: 1e6,
    unit: "Durable Object requests",
    source: OBJECTS,
    read: READ,
    note: "1 million a month included; each RPC method call and fetch on a stub, each alarm, and incoming WebSocket messages at 20:1; outgoing messages are free",
  },
  objectGbSeconds: {
    usd: 12.5,
    per: 1e6,
    unit: "Durable Object GB-s",
    source: OBJECTS,
    read: READ,
    note: "400,000 GB-s a month included; wall-clock time while active, 128 MB per object",
  },
  objectRowsRead: {
    usd: 0.001,
    per: 1e6,
    unit: "object SQLite rows read",
    source: OBJECTS,
    read: READ,
    note: "25 billion a month included; the synchronous KV API's calls are rows too",
  },
  objectRowsWritten: {
    usd: 1,
    per: 1e6,
    unit: "object SQLite rows written",
    source: OBJECTS,
    read: READ,
    note: "50 million a month included; each setAlarm is one row written",
  },
  d1RowsRead: {
    usd: 0.001,
    per: 1e6,
    unit: "D1 rows read",
    source: D1,
    read: READ,
    note: "25 billion a month included",
  },
  d1RowsWritten: {
    usd: 1,
    per: 1e6,
    unit: "D1 rows written",
    source: D1,
    read: READ,
    note: "50 million a month included; an index adds a row written",
  },
  kvReads: {
    usd: 0.5,
    per: 1e6,
    unit: "KV reads",
    source: KV,
    read: READ,
    note: "10 million a month included",
  },
  kvWrites: { usd: 5, per: 1e6, unit: "KV writes", source: KV, read: READ },
  kvDeletes: { usd: 5, per: 1e6, unit: "KV deletes", source: KV, read: READ },
  kvLists: { usd: 5, per: 1e6, unit: "KV lists", source: KV, read: READ },
  analyticsPoints: {
    usd: 0.25,
    per: 1e6,
    unit: "Analytics Engine data points",
    source: ANALYTICS,
    read: READ,
    note: "10 million a month included; one per writeDataPoint() call",
  },
  logGbIngested: {
    usd: 0.25,
    per: 1,
    unit: "GB of logs ingested",
    source: OBSERVABILITY,
    read: READ,
    note: "Workers Logs moved to Observability pricing on 2026-12-01: 50 GB a cycle included; the event body and its attributes, before compression",
  },
  logGbMonthsStored: {
    usd: 0.1,
    per: 1,
    unit: "GB-month of logs stored",
    source: OBSERVABILITY,
    read: READ,
    note: "12 GB-month a cycle included; logs are kept 7 days, so a GB ingested is 7/30 GB-month",
  },
  subrequests: {
    usd: 0,
    per: 1e6,
    unit: "outbound fetches (subrequests)",
    source: WORKERS,
    read: READ,
    note: "Cloudflare does not bill for subrequests",
  },
} as const satisfies Record<string, Price>;

export type PricedItem = keyof typeof PRICES;

/** Memory billed per object for duration (the pricing page's 128 MB), in GB. */
export const OBJECT_GB = 128 / 1024;
/** Days Workers Logs keeps a line (Observability pricing's default retention). */
export const LOG_RETENTION_DAYS = 7;
