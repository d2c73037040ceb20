/**
 * Lock latency on one show with nothing else going on but its live viewers: a few buyers,
 * each locking two seats of its own (so they never conflict) and releasing them at once,
 * a fixed number of times. Run twice by --flood, without and with a flooding client.
 */
import { signAccessToken } from "../src/auth/access-token.ts";
import { nextStdinLine, releaseStdin, say } from "./control.ts";
import { HttpClient, type Reply } from "./http.ts";
import { CpuMeter } from "./proc.ts";
import { type CyclesResult, type CyclesTask, GO_LINE, READY_LINE } from "./protocol.ts";
import { jwtSecret, loadBoard } from "./sale.ts";
import { round, Samples } from "./stats.ts";
import { ViewerPool } from "./viewers.ts";

/** A lock or release unanswered this long is given up on (and counted). */
const REQUEST_TIMEOUT_MS = 10_000;

interface CycleBuyer {
  token: string;
  /** The seats only this buyer locks, taken in turn. */
  seats: string[];
  next: number;
}

class CycleStats {
  readonly lock = new Samples();
  readonly release = new Samples();
  readonly failures: Record<string, number> = {};
  cycles = 0;

  fail(what: string): void {
    this.failures[what] = (this.failures[what] ?? 0) + 1;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One lock and its release; latencies go to `stats` when it is given (not in the warm-up). */
async function cycle(
  client: HttpClient,
  task: CyclesTask,
  buyer: CycleBuyer,
  stats: CycleStats | undefined,
): Promise<void> {
  const seatIds = Array.from(
    { length: task.seatsPerLock },
    (_, i) => buyer.seats[(buyer.next + i) % buyer.seats.length] as string,
  );
  buyer.next = (buyer.next + task.seatsPerLock) % buyer.seats.length;
  const auth = { Authorization: `Bearer ${buyer.token}` };
  const timed = async (kind: "lock" | "release", send: () => Promise<Reply>) => {
    const started = performance.now();
    try {
      const reply = await send();
      stats?.[kind].add(reply.ms);
      if (reply.status !== 200) stats?.fail(`${kind} ${reply.status}`);
      return reply;
    } catch {
      // A request given up on still took at least this long: its time stays in the figures.
      stats?.[kind].add(performance.now() - started);
      stats?.fail(`${kind} no answer`);
      return undefined;
    }
  };
  const locked = await timed("lock", () =>
    client.send(
      "POST",
      "/v1/seats/lock",
      auth,
      {
        show_id: task.showId,
        seat_ids: seatIds,
        lock_duration_seconds: 60,
      },
      REQUEST_TIMEOUT_MS,
    ),
  );
  if (locked?.status !== 200) {
    // Not expected (the seats are this buyer's alone); do not spin on a failing server.
    await sleep(20);
    return;
  }
  const { lock_id } = JSON.parse(locked.body) as { lock_id: string };
  const released = await timed("release", () =>
    client.send("DELETE", `/v1/seats/lock/${lock_id}`, auth, undefined, REQUEST_TIMEOUT_MS),
  );
  if (released?.status === 200 && stats) stats.cycles++;
}

export async function runCycles(task: CyclesTask): Promise<CyclesResult> {
  const secret = jwtSecret();
  const client = new HttpClient(task.baseUrl, task.buyers + 2);
  const board = await loadBoard(client, task.showId);
  const liveUrl = `${task.baseUrl.replace(/^http/, "ws")}/v1/shows/${task.showId}/seats/live`;
  const viewers = new ViewerPool(liveUrl, board);
  await viewers.connect(task.viewers, 100, 30_000);
  process.stderr.write(`  ${viewers.connected} viewers connected\n`);

  // Each buyer its own stretch of seats, spread over the venue.
  const stride = Math.floor(board.size / task.buyers);
  const buyers: CycleBuyer[] = await Promise.all(
    Array.from({ length: task.buyers }, async (_, i) => ({
      token: await signAccessToken(
        { sub: `bench_cycle_buyer_${i}`, role: "user", ttlSeconds: 3600 },
        secret,
      ),
      seats: board.ids.slice(i * stride, (i + 1) * stride),
      next: 0,
    })),
  );
  for (let i = 0; i < task.warmupCycles; i++) {
    await Promise.all(buyers.map((buyer) => cycle(client, task, buyer, undefined)));
  }

  let stopped = false;
  if (task.waitForGo) {
    say(READY_LINE);
    const line = await nextStdinLine();
    if (line !== GO_LINE) throw new Error(`expected "${GO_LINE}" on stdin, got ${line}`);
    // The next line (or stdin's end) says stop: the flood this phase measures was cut short.
    void nextStdinLine().then(() => {
      stopped = true;
    });
  }

  const stats = new CycleStats();
  const cpuBefore = process.cpuUsage();
  const meter = new CpuMeter(task.serverPids);
  meter.start();
  const started = performance.now();
  const deadline = started + task.deadlineMs;
  const progress = setInterval(() => {
    const at = ((performance.now() - started) / 1000).toFixed(0);
    process.stderr.write(
      `  cycles ${at} s: ${stats.cycles} done, unexpected ${JSON.stringify(stats.failures)}\n`,
    );
  }, 5_000);
  await Promise.all(
    buyers.map(async (buyer) => {
      for (let i = 0; i < task.cycles && !stopped && performance.now() < deadline; i++) {
        await cycle(client, task, buyer, stats);
      }
    }),
  );
  clearInterval(progress);
  releaseStdin();
  const seconds = (performance.now() - started) / 1000;
  const server = meter.stop();
  const cpu = process.cpuUsage(cpuBefore);
  // The last changes reach the viewers before they go, so their counts are complete.
  await viewers.caughtUp(board.version, 2_000);
  await viewers.close(5_000);
  client.close();

  return {
    kind: "cycles",
    buyers: task.buyers,
    viewers: task.viewers,
    viewersConnected: viewers.connected,
    cycles: stats.cycles,
    seconds: round(seconds, 3),
    cyclesPerSecond: round(stats.cycles / seconds, 1),
    lockLatencyMs: stats.lock.summary(),
    releaseLatencyMs: stats.release.summary(),
    failures: stats.failures,
    messagesPerViewer: viewers.messagesPerViewer,
    viewerGaps: viewers.gaps,
    clientCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    server,
  };
}
