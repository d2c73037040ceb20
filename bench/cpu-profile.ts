/**
 * CPU profiles of workerd's isolates over the Chrome DevTools Protocol (its inspector,
 * `--inspector-addr`, which Miniflare's `inspectorPort` turns on), and where their time went.
 * Each isolate (the Worker's, Miniflare's D1 and KV workers, the dev-registry proxy) is a
 * target of its own at http://127.0.0.1:<port>/json; each gets `Profiler.start` at once and
 * `Profiler.stop` at the end of the window. Samples are mapped to the bundle's modules by the
 * `// src/...` and `// node_modules/...` lines esbuild writes before each module, so no
 * source map is needed.
 */
import { readFileSync } from "node:fs";

export interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based */
  lineNumber: number;
  columnNumber: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** One DevTools Protocol connection: numbered requests, answers matched by id. */
class CdpSession {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();

  private readonly socket: WebSocket;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
      };
      if (message.id === undefined) return;
      const pending = this.waiting.get(message.id);
      if (!pending) return;
      this.waiting.delete(message.id);
      if (message.error) pending.reject(new Error(message.error.message));
      else pending.resolve(message.result);
    });
  }

  static open(url: string): Promise<CdpSession> {
    const socket = new WebSocket(url);
    return new Promise((resolve, reject) => {
      socket.addEventListener("open", () => resolve(new CdpSession(socket)), { once: true });
      socket.addEventListener("error", () => reject(new Error(`inspector: cannot open ${url}`)), {
        once: true,
      });
    });
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
  }

  close(): void {
    this.socket.close();
  }
}

/** The isolates worth profiling, by inspector target id; the rest never run in a sale. */
export const PROFILED_TARGETS = [
  "core:user:edge-ticket-booking",
  "d1:db",
  "d1:db:entry",
  "kv:ns",
  "kv:ns:entry",
  "core:user:dev-registry-proxy",
  "core:entry",
];

/** Profilers running on several isolates of one workerd process. */
export class IsolateProfilers {
  private readonly sessions: Map<string, CdpSession>;

  private constructor(sessions: Map<string, CdpSession>) {
    this.sessions = sessions;
  }

  /** Connects to each listed target the inspector has and starts its profiler. */
  static async start(port: number, targets: readonly string[], intervalUs: number) {
    const listed = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
      id: string;
      webSocketDebuggerUrl: string;
    }[];
    const sessions = new Map<string, CdpSession>();
    for (const target of listed.filter((t) => targets.includes(t.id))) {
      const session = await CdpSession.open(target.webSocketDebuggerUrl);
      await session.send("Profiler.enable");
      await session.send("Profiler.setSamplingInterval", { interval: intervalUs });
      sessions.set(target.id, session);
    }
    // Started together, after every connection is up, so the windows match.
    await Promise.all([...sessions.values()].map((s) => s.send("Profiler.start")));
    return new IsolateProfilers(sessions);
  }

  /** Stops every profiler; the profiles by target id. */
  async stop(): Promise<Map<string, CpuProfile>> {
    const profiles = new Map<string, CpuProfile>();
    await Promise.all(
      [...this.sessions].map(async ([id, session]) => {
        const { profile } = await session.send<{ profile: CpuProfile }>("Profiler.stop");
        profiles.set(id, profile);
        await session.send("Profiler.disable");
        session.close();
      }),
    );
    return profiles;
  }
}

/** Line (0-based) → the module esbuild bundled there, from its `// path` marker lines. */
export class BundleModules {
  private readonly starts: number[] = [];
  private readonly paths: string[] = [];

  constructor(bundlePath: string) {
    const lines = readFileSync(bundlePath, "utf8").split("\n");
    for (const [i, line] of lines.entries()) {
      const marker = /^\/\/ (\S+\.[cm]?[jt]sx?)$/.exec(line)?.[1];
      if (!marker) continue;
      // A tree whose node_modules is a link to another's (a worktree) has its packages
      // named by their real path, `../../<other tree>/node_modules/...`.
      const packages = marker.lastIndexOf("node_modules/");
      this.starts.push(i);
      this.paths.push(packages >= 0 ? marker.slice(packages) : marker);
    }
  }

  moduleAt(line: number): string {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.starts[mid] ?? 0) <= line) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? "(bundle prelude)" : (this.paths[found] ?? "(unknown)");
  }
}

/**
 * Microseconds each sample stands for: the gap to the next one, capped at `capUs`. V8 takes
 * no sample while another isolate holds the thread (workerd runs them all on one), so the
 * gap after an isolate's last sample before it yields spans time it did not run.
 */
function sampleDurations(profile: CpuProfile, capUs: number): number[] {
  const deltas = profile.timeDeltas ?? [];
  const count = profile.samples?.length ?? 0;
  return Array.from({ length: count }, (_, i) => Math.min(capUs, Math.max(0, deltas[i + 1] ?? 0)));
}

/** Samples that are not this isolate running: V8's markers for elsewhere or nothing. */
const NOT_THIS_ISOLATE = new Set(["(program)", "(idle)", "(root)"]);

/**
 * Microseconds of each profile's samples by the label `label` gives a sample's stack
 * (leaf first), each sample worth at most `capUs`; samples outside the isolate are left out.
 */
export function attribute(
  profile: CpuProfile,
  capUs: number,
  label: (stack: CallFrame[]) => string,
): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const labels = new Map<number, string>();
  const labelOf = (id: number): string => {
    const known = labels.get(id);
    if (known !== undefined) return known;
    const stack: CallFrame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (node) stack.push(node.callFrame);
    }
    const leaf = stack[0]?.functionName ?? "(root)";
    const result = NOT_THIS_ISOLATE.has(leaf) ? "" : label(stack);
    labels.set(id, result);
    return result;
  };
  const totals = new Map<string, number>();
  const durations = sampleDurations(profile, capUs);
  for (const [i, id] of (profile.samples ?? []).entries()) {
    const name = labelOf(id);
    if (name) totals.set(name, (totals.get(name) ?? 0) + (durations[i] ?? 0));
  }
  return totals;
}
