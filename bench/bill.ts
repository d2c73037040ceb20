/**
 * The bill (issue 29): the counted operations (bench/operation-counts.ts) at Cloudflare's
 * list prices (bench/cloudflare-prices.ts) for 1,000 tickets sold and 1,000,000 seat-map
 * reads, and the operations table beside it (the per-show ceiling: bench/ceiling.ts).
 */

import { LOG_RETENTION_DAYS, OBJECT_GB, PRICES, type PricedItem } from "./cloudflare-prices.ts";
import {
  type CountedSale,
  type ObjectCounts,
  type OpCounts,
  type OperationsReport,
  objectRequests,
  type StatementCounts,
} from "./operation-counts.ts";

export type Usage = Record<PricedItem, number>;

/** CPU and active time: not operations, measured apart (from /proc and the sale's clock). */
export interface Timing {
  /** The main workerd process's CPU, all billed as Worker CPU: an upper bound. */
  workerCpuMs: number;
  /** Seconds objects were active (each billed at 128 MB). */
  objectActiveSeconds: number;
}

const sum = <T>(items: readonly T[], value: (item: T) => number) =>
  items.reduce((total, item) => total + value(item), 0);

export function usageOf(counts: OpCounts, timing: Timing): Usage {
  const objects = Object.values(counts.objects);
  const logGb = counts.logs.bytes / 1e9;
  return {
    workerRequests: counts.worker.requests,
    workerCpuMs: timing.workerCpuMs,
    objectRequests: sum(objects, objectRequests),
    objectGbSeconds: timing.objectActiveSeconds * OBJECT_GB,
    objectRowsRead: sum(objects, (o) => o.rowsRead + o.kvGets),
    objectRowsWritten: sum(objects, (o) => o.rowsWritten + o.kvPuts + o.kvDeletes + o.setAlarms),
    d1RowsRead: counts.d1.rowsRead,
    d1RowsWritten: counts.d1.rowsWritten,
    kvReads: counts.kv.reads,
    kvWrites: counts.kv.writes,
    kvDeletes: counts.kv.deletes,
    kvLists: counts.kv.lists,
    analyticsPoints: counts.analytics.points,
    logGbIngested: logGb,
    logGbMonthsStored: (logGb * LOG_RETENTION_DAYS) / 30,
    subrequests: counts.fetches.requests,
  };
}

function scaled(usage: Usage, factor: number): Usage {
  const out = { ...usage };
  for (const key of Object.keys(out) as PricedItem[]) out[key] *= factor;
  return out;
}

function added(a: Usage, b: Usage): Usage {
  const out = { ...a };
  for (const key of Object.keys(out) as PricedItem[]) out[key] += b[key];
  return out;
}

export function dollars(usage: Usage): Record<PricedItem, number> {
  const out = {} as Record<PricedItem, number>;
  for (const key of Object.keys(PRICES) as PricedItem[]) {
    const price = PRICES[key];
    out[key] = (usage[key] * price.usd) / price.per;
  }
  return out;
}

/** One column of the bill: what it covers, its usage (the lines' quantities) and cost. */
export interface BillColumn {
  title: string;
  usage: Usage;
  usd: Record<PricedItem, number>;
  total: number;
}

function column(title: string, usage: Usage): BillColumn {
  const usd = dollars(usage);
  return { title, usage, usd, total: Object.values(usd).reduce((a, b) => a + b, 0) };
}

/** The sale's usage per ticket sold: the show object active all through the sale's window. */
function saleUsage(sale: CountedSale): Usage {
  return usageOf(sale.counts, {
    workerCpuMs: sale.mainCpuMs,
    objectActiveSeconds: sale.windowSeconds + sale.relayCpuMs / 1000,
  });
}

export interface Bill {
  columns: BillColumn[];
  notes: string[];
}

const count = (n: number) => n.toLocaleString("en");

/** 1,000 tickets in each counted sale (with the show's load and the viewers' joins), 1M reads. */
export function billOf(report: OperationsReport): Bill {
  const load = usageOf(report.showLoad.counts, { workerCpuMs: 0, objectActiveSeconds: 0 });
  const perThousandSeats = 1000 / Math.max(1, report.showLoad.seats);
  const columns = report.sales.map((sale) => {
    let usage = added(
      scaled(saleUsage(sale), 1000 / Math.max(1, sale.seatsSold)),
      scaled(load, perThousandSeats),
    );
    if (sale.joins) {
      usage = added(usage, usageOf(sale.joins.counts, { workerCpuMs: 0, objectActiveSeconds: 0 }));
    }
    return column(
      `1,000 tickets, ${count(sale.viewers)} viewer${sale.viewers === 1 ? "" : "s"}`,
      usage,
    );
  });
  const reads = report.reads;
  const readCount = Math.max(1, reads.counts.worker.requests);
  columns.push(
    column(
      "1,000,000 seat-map reads",
      scaled(
        usageOf(reads.counts, { workerCpuMs: reads.cpuMs, objectActiveSeconds: 0 }),
        1e6 / readCount,
      ),
    ),
  );
  return {
    columns,
    notes: [
      "tickets: the sale's counts per seat sold x 1,000, plus the show's first load once per 1,000 seats, plus the crowd's joins once",
      "Worker CPU: all of the main workerd process's CPU (the Worker, every object but the relays, local D1 and KV): an upper bound",
      "object duration: the show object active for the sale's whole window, the relays for their process's CPU time; reads: not counted (the object answers a cache miss only)",
      "logs: the console lines' bytes; Workers Logs' own attributes and invocation logs come on top",
    ],
  };
}

// --- printing ---------------------------------------------------------------------------

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

const fixed = (n: number) => {
  if (n === 0) return "0";
  if (Math.abs(n) >= 100) return count(Math.round(n));
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return n.toPrecision(2);
};

const usd = (n: number) => {
  if (n === 0) return "$0";
  if (n >= 1) return `$${n.toFixed(2)}`;
  return `$${n.toPrecision(2)}`;
};

/** A unit the counts are divided by, and its column title. */
interface PerUnit {
  title: string;
  counts: OpCounts;
  units: number;
}

function unitsOf(report: OperationsReport): PerUnit[] {
  const units: PerUnit[] = report.sales.map((sale) => ({
    title: `per lock+book, ${count(sale.viewers)} viewer${sale.viewers === 1 ? "" : "s"}`,
    counts: sale.counts,
    units: Math.max(1, sale.bookings),
  }));
  units.push({
    title: "per seat-map read",
    counts: report.reads.counts,
    units: Math.max(1, report.reads.counts.worker.requests),
  });
  units.push({
    title: `show's first load (${count(report.showLoad.seats)} seats)`,
    counts: report.showLoad.counts,
    units: 1,
  });
  const joined = report.sales.find((sale) => sale.joins);
  if (joined?.joins) {
    units.push({
      title: "per viewer joining",
      counts: joined.joins.counts,
      units: Math.max(1, joined.joins.viewers),
    });
  }
  return units;
}

/** The statements that wrote (or read) the most rows (objects' SQLite and D1), per unit. */
function heaviest(
  counts: OpCounts,
  units: number,
  top: number,
  rows: "rowsWritten" | "rowsRead",
): string[] {
  const all: [string, StatementCounts][] = [
    ...Object.entries(counts.objects).flatMap(([name, o]) =>
      Object.entries(o.statements).map(([sql, c]): [string, StatementCounts] => [
        `${name}: ${sql}`,
        c,
      ]),
    ),
    ...Object.entries(counts.d1.statements).map(([sql, c]): [string, StatementCounts] => [
      `D1: ${sql}`,
      c,
    ]),
  ];
  return all
    .filter(([, c]) => c[rows] > 0)
    .sort((a, b) => b[1][rows] - a[1][rows])
    .slice(0, top)
    .map(
      ([what, c]) =>
        `  ${fixed(c[rows] / units).padStart(5)} rows (${fixed(c.executions / units)} runs)  ${what.length > 110 ? `${what.slice(0, 107)}...` : what}`,
    );
}

export function formatOperations(report: OperationsReport): string {
  const units = unitsOf(report);
  const counted = units.flatMap((u) => Object.keys(u.counts.objects));
  const classes = [...new Set([...report.classes, ...counted])].sort();
  const all = (c: OpCounts, pick: (o: ObjectCounts) => number) =>
    sum(Object.values(c.objects), pick);
  /** A row: one figure per unit, or two ("a / b"), each divided by the column's units. */
  const row = (label: string, value: (c: OpCounts) => number | [number, number]) => [
    label,
    ...units.map((u) => {
      const v = value(u.counts);
      return typeof v === "number"
        ? fixed(v / u.units)
        : `${fixed(v[0] / u.units)} / ${fixed(v[1] / u.units)}`;
    }),
  ];
  const rows: string[][] = [
    row("Worker requests", (c) => c.worker.requests),
    row("  of which WebSocket upgrades", (c) => c.worker.upgrades),
    ...classes.map((name) =>
      row(`Durable Object requests: ${name}`, (c) =>
        sum(Object.values(c.objects[name]?.requests ?? {}), (n) => n),
      ),
    ),
    row("  alarms, all classes", (c) => all(c, (o) => o.alarms)),
    row("  WebSocket messages in (billed 20:1)", (c) => all(c, (o) => o.webSocketMessages)),
    row("object SQLite rows read", (c) => all(c, (o) => o.rowsRead)),
    row("object SQLite rows written", (c) => all(c, (o) => o.rowsWritten)),
    row("  statements", (c) => all(c, (o) => o.sqlStatements)),
    row("  sync KV gets / puts+deletes+setAlarm", (c) => [
      all(c, (o) => o.kvGets),
      all(c, (o) => o.kvPuts + o.kvDeletes + o.setAlarms),
    ]),
    row("D1 queries / round trips", (c) => [c.d1.queries, c.d1.requests]),
    row("D1 rows read", (c) => c.d1.rowsRead),
    row("D1 rows written", (c) => c.d1.rowsWritten),
    row("KV reads / writes+deletes", (c) => [c.kv.reads, c.kv.writes + c.kv.deletes]),
    row("Analytics Engine data points", (c) => c.analytics.points),
    row("log lines", (c) => c.logs.lines),
    row("log bytes", (c) => c.logs.bytes),
    row("outbound fetches", (c) => c.fetches.requests),
  ];
  const first = report.sales[0];
  const perPair = (n: number) => fixed(n / Math.max(1, first?.bookings ?? 1));
  const methods = first
    ? classes.flatMap((name) => {
        const o = first.counts.objects[name];
        if (!o) return [];
        const calls = Object.entries(o.requests)
          .map(([method, n]) => `${method} ${perPair(n)}`)
          .join(", ");
        return [
          `  ${name}: ${calls || "no calls"}; rows read ${perPair(o.rowsRead)}, written ${perPair(o.rowsWritten)}`,
        ];
      })
    : [];
  const pairs = Math.max(1, first?.bookings ?? 1);
  const writers = first ? heaviest(first.counts, pairs, 8, "rowsWritten") : [];
  const readers = first ? heaviest(first.counts, pairs, 8, "rowsRead") : [];
  const d1 = units.every((u) => u.counts.d1.instrumented || u.counts.d1.requests === 0)
    ? []
    : ["  (D1 could not be counted: the binding's fetcher was not found)"];
  const sales = report.sales
    .map(
      (s) =>
        `${count(s.viewers)} viewer${s.viewers === 1 ? "" : "s"}: ${s.bookings} bookings of ${s.seatsSold} seats, ${s.lockAttempts} lock and ${s.bookingAttempts} booking requests`,
    )
    .join("; ");
  return [
    `Operations, counted in the bench's build (bench/workers/ops-counter.js wraps the bindings and classes), every workerd process summed; rate limiting ${report.rateLimits}. Sales: ${sales} (lock conflicts included).`,
    table(["operation", ...units.map((u) => u.title)], rows),
    ...(methods.length > 0
      ? [
          "Per lock+book pair in the 1-viewer sale, by class (stub calls by method; rows):",
          ...methods,
        ]
      : []),
    ...(writers.length > 0
      ? ["Rows written per lock+book pair in the 1-viewer sale, heaviest statements:", ...writers]
      : []),
    ...(readers.length > 0
      ? ["Rows read per lock+book pair in the 1-viewer sale, heaviest statements:", ...readers]
      : []),
    ...d1,
  ].join("\n");
}

export function formatBill(bill: Bill): string {
  const items = (Object.keys(PRICES) as PricedItem[]).filter((key) =>
    bill.columns.some((c) => c.usd[key] > 0),
  );
  const rows = items.map((key) => [
    `${PRICES[key].unit} ($${PRICES[key].usd}/${PRICES[key].per === 1 ? "" : count(PRICES[key].per)})`.replace(
      "/)",
      ")",
    ),
    ...bill.columns.map((c) => `${usd(c.usd[key])} (${fixed(c.usage[key])})`),
  ]);
  rows.push(["total", ...bill.columns.map((c) => usd(c.total))]);
  const read = [...new Set(Object.values(PRICES).map((p) => p.read))].join(", ");
  return [
    `The bill at Cloudflare's list prices (bench/cloudflare-prices.ts, read ${read}; past the Workers Paid plan's monthly allowances), cost (quantity):`,
    table(["item", ...bill.columns.map((c) => c.title)], rows),
    ...bill.notes.map((note) => `  ${note}`),
  ].join("\n");
}
