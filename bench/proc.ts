/**
 * What the server costs, read from /proc: the workerd processes under this one, their
 * resident memory (sampled, and the kernel's own high-water mark) and CPU time. Linux only.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";

const clockTicksPerSecond = (() => {
  const out = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout;
  const ticks = Number(out?.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
})();

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** user + system CPU time, in seconds */
  cpuSeconds: number;
  /** The system (kernel) part of it: on loopback, a sender's share of both ends' TCP work. */
  systemSeconds: number;
}

/** /proc/<pid>/stat (the whole process) or /proc/<pid>/task/<tid>/stat (one thread). */
function readStat(pid: number, tid?: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(
      tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`,
      "utf8",
    );
  } catch {
    return undefined;
  }
  // comm is in parentheses and may hold spaces: split after the last ')'.
  const close = text.lastIndexOf(")");
  const comm = text.slice(text.indexOf("(") + 1, close);
  const fields = text
    .slice(close + 2)
    .trim()
    .split(" ");
  // After comm: state(0) ppid(1) ... utime(11) stime(12)
  const ticks = Number(fields[11]) + Number(fields[12]);
  return {
    pid,
    ppid: Number(fields[1]),
    comm,
    cpuSeconds: ticks / clockTicksPerSecond,
    systemSeconds: Number(fields[12]) / clockTicksPerSecond,
  };
}

function readStatusKiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
    return match?.[1] ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of these processes now, in bytes (0 for one that is gone). */
export function residentBytes(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + readStatusKiB(pid, "VmRSS") * 1024, 0);
}

/** The workerd processes started (directly or not) by this process. */
export function workerdProcesses(rootPid = process.pid): ProcStat[] {
  const all: ProcStat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) all.push(stat);
  }
  const children = new Map<number, ProcStat[]>();
  for (const stat of all) {
    const list = children.get(stat.ppid) ?? [];
    list.push(stat);
    children.set(stat.ppid, list);
  }
  const found: ProcStat[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    for (const child of children.get(pid) ?? []) {
      if (child.comm === "workerd") found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** Runs `start` and the workerd pids it added (this process's children). */
export async function withNewPids<T>(start: () => Promise<T>): Promise<[T, number[]]> {
  const before = new Set(workerdProcesses().map((p) => p.pid));
  const started = await start();
  const pids = workerdProcesses()
    .map((p) => p.pid)
    .filter((pid) => !before.has(pid));
  return [started, pids];
}

function threadCpuSeconds(pid: number): Map<string, number> {
  const threads = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    const stat = readStat(pid, Number(tid));
    if (stat) threads.set(`${pid}/${tid}`, stat.cpuSeconds);
  }
  return threads;
}

/** Busy CPU seconds of the whole machine (all cores), from /proc/stat. */
function machineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  // cpu user nice system idle iowait irq softirq steal ...
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  const busy = [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
  return busy / clockTicksPerSecond;
}

interface CpuSnapshot {
  at: number;
  threads: Map<string, number>;
  /** The processes' system time (whole processes, not per thread). */
  system: number;
  machine: number;
}

export interface CpuUse {
  /** The server's processes: CPU seconds per wall second (1.0 = one core busy). */
  serverCores: number;
  /** Its busiest thread (workerd runs JavaScript on one): 1.0 means that thread was saturated. */
  busiestThreadCores: number;
  /** Every process on the machine, the load process and whatever else runs. */
  machineCores: number;
  serverCpuMs: number;
  /** The kernel's part of serverCpuMs. */
  serverSystemCpuMs: number;
}

/** CPU use of the server's processes (and of the machine) between start() and stop(). */
export class CpuMeter {
  private readonly pids: readonly number[];
  private first: CpuSnapshot | undefined;

  constructor(pids: readonly number[]) {
    this.pids = pids;
  }

  start(): void {
    this.first = this.snapshot();
  }

  stop(): CpuUse {
    const last = this.snapshot();
    const first = this.first ?? last;
    const seconds = Math.max(1e-3, (last.at - first.at) / 1000);
    let total = 0;
    let busiest = 0;
    for (const [thread, cpu] of last.threads) {
      const used = cpu - (first.threads.get(thread) ?? 0);
      total += used;
      busiest = Math.max(busiest, used);
    }
    const cores = (value: number) => Math.round((value / seconds) * 100) / 100;
    return {
      serverCores: cores(total),
      busiestThreadCores: cores(busiest),
      machineCores: cores(last.machine - first.machine),
      serverCpuMs: Math.round(total * 1000),
      serverSystemCpuMs: Math.round((last.system - first.system) * 1000),
    };
  }

  private snapshot(): CpuSnapshot {
    const threads = new Map<string, number>();
    let system = 0;
    for (const pid of this.pids) {
      for (const [thread, cpu] of threadCpuSeconds(pid)) threads.set(thread, cpu);
      system += readStat(pid)?.systemSeconds ?? 0;
    }
    return { at: performance.now(), threads, system, machine: machineBusySeconds() };
  }
}

/**
 * Samples the server's resident memory every `intervalMs`, keeping the peak since the last
 * reset; the kernel's VmHWM (peak RSS) is folded in so a spike between samples still counts.
 */
export class MemorySampler {
  private timer: ReturnType<typeof setInterval> | undefined;
  private peakBytes = 0;
  private overallPeakBytes = 0;
  private readonly intervalMs: number;

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  start(): void {
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.sample();
  }

  /** Peak since the last reset (or start), then starts a new window. */
  takePeak(): number {
    this.sample();
    const peak = this.peakBytes;
    this.peakBytes = 0;
    return peak;
  }

  get overallPeak(): number {
    return this.overallPeakBytes;
  }

  private sample(): void {
    let rss = 0;
    let hwm = 0;
    for (const proc of workerdProcesses()) {
      rss += readStatusKiB(proc.pid, "VmRSS") * 1024;
      hwm += readStatusKiB(proc.pid, "VmHWM") * 1024;
    }
    // VmHWM covers the whole life of the process; it only tightens a window's peak when
    // the window is the first of that process, so the sampled RSS is the window's figure.
    this.peakBytes = Math.max(this.peakBytes, rss);
    this.overallPeakBytes = Math.max(this.overallPeakBytes, rss, hwm);
  }
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  /** 1, 5 and 15 minute load averages when the run started: others' work shows here. */
  loadAverage: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  let kernel = "";
  try {
    kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
  } catch {
    kernel = "unknown";
  }
  return {
    cpuModel: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel,
    node: process.version,
    loadAverage: loadavg()
      .map((value) => value.toFixed(2))
      .join(" "),
  };
}
