/**
 * What the browser tests (scripts/browser-test.ts, scripts/stripe-browser-test.ts) share:
 * named checks with a tally, the local server started the way `npm start` starts it (on a
 * free port, in a process group of its own, stopped whole at the end), API calls with an
 * admin token, a fresh show, and Chromium.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { projectRoot } from "./local-env.ts";

const FIRST_PORT = 8797;
const SERVER_START_TIMEOUT_MS = 60_000;

export const resultsDir = join(projectRoot, "test-results");

// ---- checks --------------------------------------------------------------------------------

export const tally = { passed: 0, failed: 0 };

/** Runs one named check; a failure is reported and counted, and later checks still run. */
export async function check(
  name: string,
  body: () => Promise<string | undefined>,
): Promise<boolean> {
  try {
    const note = await body();
    tally.passed++;
    console.log(`  ✓ ${name}${note ? ` (${note})` : ""}`);
    return true;
  } catch (error) {
    tally.failed++;
    console.log(`  ✗ ${name}\n      ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

// ---- the server ----------------------------------------------------------------------------

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  for (let port = FIRST_PORT; port < FIRST_PORT + 50; port++) {
    if (await portIsFree(port)) return port;
  }
  throw new Error(`no free port in ${FIRST_PORT}-${FIRST_PORT + 49}`);
}

export interface Server {
  base: string;
  process: ChildProcess;
  /** The server's last lines of output, shown if something fails. */
  output: string[];
}

/**
 * `npm start` on its own port: scripts/start.ts migrates, loads the demo data, then runs
 * wrangler dev, with `wranglerArgs` added to its command line. It gets a process group of
 * its own (detached) so that stopping it also stops wrangler and workerd beneath it.
 */
function startServer(port: number, wranglerArgs: string[]): Server {
  const child = spawn(
    process.execPath,
    [join(projectRoot, "scripts", "start.ts"), ...wranglerArgs],
    {
      cwd: projectRoot,
      env: { ...process.env, PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString("utf8").split("\n"));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { base: `http://127.0.0.1:${port}`, process: child, output };
}

export async function waitForHealth(server: Server): Promise<void> {
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.process.exitCode !== null) {
      throw new Error(`the server exited (code ${server.process.exitCode}) before answering`);
    }
    try {
      const response = await fetch(`${server.base}/health`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`GET /health did not answer 200 within ${SERVER_START_TIMEOUT_MS / 1000} s`);
}

/** Stops the server's whole process group: TERM, then KILL if it lingers. */
async function stopServer(server: Server): Promise<void> {
  const { pid } = server.process;
  if (pid === undefined || server.process.exitCode !== null || server.process.signalCode !== null)
    return;
  const exited = new Promise<void>((resolve) => server.process.once("exit", () => resolve()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };
  signalGroup("SIGTERM");
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 5_000));
  if ((await Promise.race([exited, timeout])) === "timeout") signalGroup("SIGKILL");
  // workerd may outlive its parent for a moment; the group kill above reaches it as well.
  signalGroup("SIGKILL");
}

/**
 * The whole run of a browser test: the server started (with `wranglerArgs`), `run` called
 * with it, the server's whole process group stopped at the end whatever happens (also on
 * SIGINT, SIGTERM or past `watchdogMs`), then "N passed, M failed". Answers the exit code.
 */
export async function withServer(
  options: { wranglerArgs?: string[]; watchdogMs: number },
  run: (server: Server) => Promise<void>,
): Promise<number> {
  const port = await freePort();
  const server = startServer(port, options.wranglerArgs ?? []);
  const stop = (why: string) => {
    console.log(`✗ ${why}; stopping the server`);
    stopServer(server).finally(() => process.exit(1));
  };
  process.once("SIGINT", () => stop("interrupted"));
  process.once("SIGTERM", () => stop("terminated"));
  const watchdog = setTimeout(
    () => stop(`the run took over ${options.watchdogMs / 1000} s`),
    options.watchdogMs,
  );

  try {
    await run(server);
  } catch (error) {
    tally.failed++;
    console.log(`✗ the run stopped: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(watchdog);
    if (tally.failed > 0) {
      console.log("--- server output (last lines) ---");
      console.log(server.output.slice(-40).join("\n"));
    }
    await stopServer(server);
  }
  console.log(`${tally.passed} passed, ${tally.failed} failed`);
  return tally.failed === 0 && tally.passed > 0 ? 0 : 1;
}

// ---- the API -------------------------------------------------------------------------------

/**
 * An API call as `token` (`path` under `/v1`), its JSON answer; a change carries an
 * Idempotency-Key of its own (bookings ask for one; other routes ignore it).
 */
export async function callApi<T>(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${base}/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...(method === "GET" ? {} : { "Idempotency-Key": crypto.randomUUID() }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** A card the simulated provider charges (its test card that succeeds). */
export const TEST_CARD = {
  type: "credit_card",
  card_number: "4242424242424242",
  expiry_month: 12,
  expiry_year: 2031,
  cvv: "123",
};

/**
 * Row E of the venue with `accessibleRow`: an aisle seat, two wheelchair spaces with two
 * companion seats between them, and a seat with a limited view (docs/api.md, "Accessible
 * seats").
 */
export const ACCESSIBLE_ROW = {
  row: "E",
  seats: 8,
  accessibility: { aisle: [1], wheelchair: [2, 5], companion: [3, 4], limited_view: [8] },
};

/**
 * A new event, venue (rows A, B front at 750; C, D back at 400; 8 seats each; with
 * `accessibleRow` also ACCESSIBLE_ROW at the back) and show a week ahead, so nothing from
 * earlier runs is in the way.
 */
export async function createShow(
  base: string,
  adminToken: string,
  name: string,
  {
    accessibleRow = false,
    zones,
    prices = { front: 750, back: 400 },
  }: {
    accessibleRow?: boolean;
    /** Another venue's zones (the hall's two zones of seats by default). */
    zones?: unknown[];
    prices?: Record<string, number>;
  } = {},
) {
  const stamp = new Date().toISOString();
  const { event } = await callApi<{ event: { event_id: string } }>(
    base,
    adminToken,
    "POST",
    "/events",
    { name: `${name} ${stamp}`, duration_minutes: 90 },
  );
  const { venue } = await callApi<{
    venue: { venue_id: string; seats: { seat_id: string; row: string; number: number }[] };
  }>(base, adminToken, "POST", "/venues", {
    name: "Browser Test Hall",
    city: "Testville",
    zones: zones ?? [
      {
        name: "front",
        rows: [
          { row: "A", seats: 8 },
          { row: "B", seats: 8 },
        ],
      },
      {
        name: "back",
        rows: [
          { row: "C", seats: 8 },
          { row: "D", seats: 8 },
          ...(accessibleRow ? [ACCESSIBLE_ROW] : []),
        ],
      },
    ],
  });
  const showTime = new Date(Date.now() + 7 * 24 * 3600 * 1000);
  showTime.setUTCSeconds(0, 0);
  const { show } = await callApi<{ show: { show_id: string } }>(
    base,
    adminToken,
    "POST",
    "/shows",
    {
      event_id: event.event_id,
      venue_id: venue.venue_id,
      show_time: showTime.toISOString(),
      prices,
    },
  );
  /** The id of a seat by row and number. */
  const seat = (row: string, number: number) => {
    const found = venue.seats.find((s) => s.row === row && s.number === number);
    assert(found, `the venue has no seat ${row}${number}`);
    return found.seat_id;
  };
  return { showId: show.show_id, seat };
}

// ---- the pages -----------------------------------------------------------------------------

export const seatSelector = (seatId: string) => `#seat-map button[data-seat-id="${seatId}"]`;

export async function seatStates(page: Page, seatIds: string[]): Promise<string[]> {
  return Promise.all(
    seatIds.map(async (id) => (await page.getAttribute(seatSelector(id), "data-state")) ?? "none"),
  );
}

/** Debian's Chromium, headless, with nothing of its own calling out. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
