/**
 * The bench's operation counter (bench only, never deployed; issue 29). The entry module
 * the bench generates around the Worker's bundle (bench/ops-entry.ts) wraps, with this:
 * - the Worker's fetch handler: invocations (WebSocket upgrades apart), by route;
 * - every Durable Object binding of wrangler.toml: a stub's method calls (RPC and fetch),
 *   counted by the caller, per class and method; each class, as callee, counts its alarms,
 *   the WebSocket messages it takes, its `ctx.storage.sql` rows (the cursors' own
 *   `rowsRead` / `rowsWritten`), its synchronous KV calls and its `setAlarm` calls;
 * - D1: the binding's fetcher, so every answer's `meta.rows_read` / `rows_written` is
 *   added up, whatever API the caller used (drizzle's `raw()` and `first()` drop the meta);
 * - KV reads, writes, deletes and lists; Analytics Engine data points (a counting stand-in
 *   when the bench serves no dataset); console lines and their bytes; global fetch() calls.
 * Nothing is counted until a bench process asks (POST /__bench/ops?start), so the other
 * phases pay only a flag check per call. GET /__bench/ops answers the isolate's counts.
 * The route is the wrapper's own: src/ never sees it.
 */

const CONTROL_PATH = "/__bench/ops";

/** Binding names by kind, from wrangler.toml (set by the generated entry). */
const config = { objects: {}, d1: [], kv: [], analytics: [] };

const state = { on: false, counts: freshCounts() };

function freshCounts() {
  return {
    worker: { requests: 0, upgrades: 0, routes: {} },
    /** Per class: requests by method (caller side), and what the class itself did. */
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

function objectCounts(className) {
  let counts = state.counts.objects[className];
  if (!counts) {
    counts = {
      requests: {},
      alarms: 0,
      webSocketMessages: 0,
      sqlStatements: 0,
      rowsRead: 0,
      rowsWritten: 0,
      kvGets: 0,
      kvPuts: 0,
      kvDeletes: 0,
      setAlarms: 0,
      statements: {},
    };
    state.counts.objects[className] = counts;
  }
  return counts;
}

function add(record, key, n = 1) {
  record[key] = (record[key] ?? 0) + n;
}

/**
 * A statement's text as a key: spaces collapsed, a list of placeholders (and a list of
 * such lists, a multi-row INSERT) written once, so one statement of any width is one key.
 */
function statementKey(sql) {
  return String(sql)
    .replace(/\s+/g, " ")
    .trim()
    .replace(/\?(\s*,\s*\?)+/g, "?, ...")
    .replace(/(\(\?, \.\.\.\))(\s*,\s*\(\?, \.\.\.\))+/g, "$1, ...")
    .slice(0, 160);
}

/** Executions and rows of one statement (by its key). */
function statementCounts(statements, sql) {
  const key = statementKey(sql);
  let counts = statements[key];
  if (!counts) {
    counts = { executions: 0, rowsRead: 0, rowsWritten: 0 };
    statements[key] = counts;
  }
  counts.executions++;
  return counts;
}

export function configure(bindings) {
  Object.assign(config, bindings);
}

// --- SQLite cursors -------------------------------------------------------------------

/**
 * A cursor whose rows are added to the class's counts as they are read: right after exec()
 * (a write has run by then) and after each call that steps it, by the difference since the
 * last look, so a cursor read over several calls is counted once.
 */
function countedCursor(cursor, counts, statement) {
  let read = 0;
  let written = 0;
  const record = () => {
    const r = cursor.rowsRead;
    const w = cursor.rowsWritten;
    counts.rowsRead += r - read;
    counts.rowsWritten += w - written;
    statement.rowsRead += r - read;
    statement.rowsWritten += w - written;
    read = r;
    written = w;
  };
  record();
  const iterate = (inner) => ({
    next() {
      const step = inner.next();
      record();
      return step;
    },
    toArray() {
      const rows = typeof inner.toArray === "function" ? inner.toArray() : [...inner];
      record();
      return rows;
    },
    [Symbol.iterator]() {
      return this;
    },
  });
  return new Proxy(cursor, {
    get(target, prop) {
      switch (prop) {
        case "toArray":
          return () => {
            const rows = target.toArray();
            record();
            return rows;
          };
        case "one":
          return () => {
            try {
              return target.one();
            } finally {
              record();
            }
          };
        case "next":
          return () => {
            const step = target.next();
            record();
            return step;
          };
        case "raw":
          return () => iterate(target.raw());
        case Symbol.iterator:
          return () => iterate(target[Symbol.iterator]());
        default: {
          const value = Reflect.get(target, prop);
          return typeof value === "function" ? value.bind(target) : value;
        }
      }
    },
  });
}

function countedSql(sql, className) {
  return {
    exec(query, ...bindings) {
      const cursor = sql.exec(query, ...bindings);
      if (!state.on) return cursor;
      const counts = objectCounts(className);
      counts.sqlStatements++;
      return countedCursor(cursor, counts, statementCounts(counts.statements, query));
    },
    get databaseSize() {
      return sql.databaseSize;
    },
    Cursor: sql.Cursor,
    Statement: sql.Statement,
  };
}

/** The synchronous KV API of a SQLite-backed object: rows in a hidden table, billed as rows. */
function countedObjectKv(kv, className) {
  const count = (key, n = 1) => {
    if (state.on) objectCounts(className)[key] += n;
  };
  return {
    get(key, ...rest) {
      count("kvGets", Array.isArray(key) ? key.length : 1);
      return kv.get(key, ...rest);
    },
    put(key, ...rest) {
      count("kvPuts");
      return kv.put(key, ...rest);
    },
    delete(key, ...rest) {
      count("kvDeletes", Array.isArray(key) ? key.length : 1);
      return kv.delete(key, ...rest);
    },
    list(...args) {
      count("kvGets");
      return kv.list(...args);
    },
  };
}

/** Before the class's own constructor runs: its storage counts what it does. */
function instrumentStorage(ctx, className) {
  const storage = ctx.storage;
  const define = (name, value) =>
    Object.defineProperty(storage, name, { value, configurable: true, enumerable: true });
  let sql;
  try {
    sql = storage.sql;
  } catch {
    sql = undefined;
  }
  if (sql) define("sql", countedSql(sql, className));
  const kv = storage.kv;
  if (kv) define("kv", countedObjectKv(kv, className));
  const setAlarm = storage.setAlarm;
  define("setAlarm", (...args) => {
    if (state.on) objectCounts(className).setAlarms++;
    return setAlarm.apply(storage, args);
  });
}

// --- bindings ------------------------------------------------------------------------

/** A stub whose method calls (RPC methods, fetch) count as requests to `className`. */
function countedStub(stub, className) {
  return new Proxy(stub, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof prop !== "string" || typeof value !== "function" || prop === "then") {
        return value;
      }
      return (...args) => {
        if (state.on) add(objectCounts(className).requests, prop);
        return Reflect.apply(value, target, args);
      };
    },
  });
}

function countedNamespace(namespace, className) {
  return {
    idFromName: (...args) => namespace.idFromName(...args),
    idFromString: (...args) => namespace.idFromString(...args),
    newUniqueId: (...args) => namespace.newUniqueId(...args),
    get: (...args) => countedStub(namespace.get(...args), className),
    getByName: (...args) => countedStub(namespace.getByName(...args), className),
    jurisdiction: (...args) => countedNamespace(namespace.jurisdiction(...args), className),
  };
}

function countedKv(kv) {
  const count = (key, n = 1) => {
    if (state.on) state.counts.kv[key] += n;
  };
  return {
    get(key, ...rest) {
      count("reads", Array.isArray(key) ? key.length : 1);
      return kv.get(key, ...rest);
    },
    getWithMetadata(key, ...rest) {
      count("reads", Array.isArray(key) ? key.length : 1);
      return kv.getWithMetadata(key, ...rest);
    },
    put(...args) {
      count("writes");
      return kv.put(...args);
    },
    delete(...args) {
      count("deletes");
      return kv.delete(...args);
    },
    list(...args) {
      count("lists");
      return kv.list(...args);
    },
  };
}

/** The statements a D1 request carries: `{sql, params}` or an array of them (a batch). */
function d1Statements(init) {
  try {
    const body = JSON.parse(typeof init?.body === "string" ? init.body : "null");
    return (Array.isArray(body) ? body : [body]).map((query) => query?.sql ?? "?");
  } catch {
    return [];
  }
}

/** Reads the rows of a D1 answer (an array of results, each with its meta). */
async function countD1Answer(response, statements) {
  const d1 = state.counts.d1;
  d1.requests++;
  try {
    const body = await response.clone().json();
    for (const [i, result] of (Array.isArray(body) ? body : [body]).entries()) {
      const read = result?.meta?.rows_read ?? 0;
      const written = result?.meta?.rows_written ?? 0;
      d1.queries++;
      d1.rowsRead += read;
      d1.rowsWritten += written;
      const statement = statementCounts(d1.statements, statements[i] ?? "?");
      statement.rowsRead += read;
      statement.rowsWritten += written;
    }
  } catch {
    // Not JSON (an error page): the request is counted, its rows are not known.
  }
}

function countedD1Fetcher(fetcher) {
  return {
    async fetch(...args) {
      const response = await fetcher.fetch(...args);
      if (state.on) await countD1Answer(response, d1Statements(args[1]));
      return response;
    },
    connect: (...args) => fetcher.connect(...args),
  };
}

/**
 * workerd's D1 binding sends every query through its `fetcher` (one per session; sessions
 * are made from the database's): both are swapped for counting ones, in place.
 */
const instrumentedDatabases = new WeakSet();
let d1Found = false;
function instrumentD1(db) {
  if (!db || instrumentedDatabases.has(db)) return;
  instrumentedDatabases.add(db);
  let found = false;
  for (const holder of [db, db.alwaysPrimarySession]) {
    if (holder && typeof holder.fetcher?.fetch === "function") {
      holder.fetcher = countedD1Fetcher(holder.fetcher);
      found = true;
    }
  }
  d1Found = found;
}

function countedAnalytics(dataset) {
  return {
    writeDataPoint(point) {
      if (state.on) state.counts.analytics.points++;
      return dataset?.writeDataPoint(point);
    },
  };
}

const wrappedEnvs = new WeakMap();

/** The env the Worker and every object get: the same, with counting bindings. */
function countedEnv(env) {
  let wrapped = wrappedEnvs.get(env);
  if (wrapped) return wrapped;
  const bindings = new Map();
  for (const [name, className] of Object.entries(config.objects)) {
    if (env[name]) bindings.set(name, countedNamespace(env[name], className));
  }
  for (const name of config.kv) if (env[name]) bindings.set(name, countedKv(env[name]));
  for (const name of config.d1) instrumentD1(env[name]);
  // The bench serves no Analytics Engine dataset: a stand-in counts what would be written.
  for (const name of config.analytics) bindings.set(name, countedAnalytics(env[name]));
  wrapped = new Proxy(env, {
    get(target, prop) {
      if (typeof prop === "string" && bindings.has(prop)) return bindings.get(prop);
      return Reflect.get(target, prop);
    },
  });
  wrappedEnvs.set(env, wrapped);
  return wrapped;
}

// --- the isolate's globals ----------------------------------------------------------

const encoder = new TextEncoder();
for (const level of ["log", "info", "warn", "error", "debug"]) {
  const original = console[level];
  console[level] = (...args) => {
    if (state.on) {
      const line = args.map((arg) => (typeof arg === "string" ? arg : String(arg))).join(" ");
      state.counts.logs.lines++;
      state.counts.logs.bytes += encoder.encode(line).length;
    }
    return original.apply(console, args);
  };
}

const originalFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  if (state.on) {
    state.counts.fetches.requests++;
    let host = "?";
    try {
      host = new URL(typeof input === "string" ? input : (input.url ?? String(input))).host;
    } catch {
      // Left as "?".
    }
    add(state.counts.fetches.hosts, host);
  }
  return originalFetch(input, init);
};

// --- the Worker and its classes -------------------------------------------------------

/** `/v1/shows/show_ab12.../seats` → `/v1/shows/:id/seats`. */
function routeOf(request, url) {
  const path = url.pathname
    .split("/")
    .map((part) => (/_/.test(part) && /\d/.test(part) ? ":id" : part))
    .join("/");
  return `${request.method} ${path}`;
}

function control(request, url) {
  if (request.method === "POST") {
    if (url.searchParams.has("start")) {
      state.counts = freshCounts();
      state.on = true;
    }
    if (url.searchParams.has("stop")) state.on = false;
  }
  state.counts.d1.instrumented = d1Found;
  return Response.json({ on: state.on, counts: state.counts });
}

export function countedHandler(handler) {
  return {
    fetch(request, env, ctx) {
      if (request.url.includes(CONTROL_PATH)) {
        const url = new URL(request.url);
        if (url.pathname === CONTROL_PATH) return control(request, url);
      }
      if (state.on) {
        const url = new URL(request.url);
        const worker = state.counts.worker;
        worker.requests++;
        if (request.headers.get("Upgrade")?.toLowerCase() === "websocket") worker.upgrades++;
        add(worker.routes, routeOf(request, url));
      }
      return handler.fetch(request, countedEnv(env), ctx);
    },
  };
}

/** The class as served: its storage and env counting; alarms and WebSocket messages too. */
export function countedClass(Base, className) {
  if (typeof Base !== "function") return Base;
  const Counted = class extends Base {
    constructor(ctx, env) {
      instrumentStorage(ctx, className);
      super(ctx, countedEnv(env));
    }
  };
  const proto = Base.prototype;
  if (typeof proto.alarm === "function") {
    Counted.prototype.alarm = function alarm(...args) {
      if (state.on) objectCounts(className).alarms++;
      return proto.alarm.apply(this, args);
    };
  }
  if (typeof proto.webSocketMessage === "function") {
    Counted.prototype.webSocketMessage = function webSocketMessage(...args) {
      if (state.on) objectCounts(className).webSocketMessages++;
      return proto.webSocketMessage.apply(this, args);
    };
  }
  Object.defineProperty(Counted, "name", { value: className });
  return Counted;
}
