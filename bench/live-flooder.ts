/**
 * One client flooding a show's live feed, on two sockets: one asks for `resync` as fast as
 * its own send buffer lets it (each answer is a full snapshot), the other sends what the
 * feed does not expect (unknown text, oversized text, binary). Bounded four ways: run.ts
 * says stop (or its stdin ends), `maxMs` passes, a socket has sent `maxMessages`, or
 * workerd's memory grew by `guardBytes` (then both connections are reset).
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { nextStdinLine, releaseStdin, say } from "./control.ts";
import { CpuMeter, residentBytes } from "./proc.ts";
import {
  ENDED_PREFIX,
  type FloodResult,
  type FloodSocket,
  type FloodTask,
  READY_LINE,
} from "./protocol.ts";
import { clientFrame, RawWebSocket } from "./raw-web-socket.ts";
import { round } from "./stats.ts";

/** Frames per batch of `resync`: one write, one turn of the event loop. */
const RESYNC_BATCH = 64;
const GUARD_INTERVAL_MS = 100;

interface Flooder {
  ws: RawWebSocket;
  sent: number;
  bytesSent: number;
  /** The flooder ended the connection itself (stop or guard), so no server close to record. */
  endedByUs: boolean;
  closedAfterMs: number | null;
  closeCode: number | null;
  ended: Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function connect(url: string, floodStart: () => number): Promise<Flooder> {
  const ws = await RawWebSocket.open(url, 10_000);
  const flooder: Flooder = {
    ws,
    sent: 0,
    bytesSent: 0,
    endedByUs: false,
    closedAfterMs: null,
    closeCode: null,
    ended: Promise.resolve(),
  };
  flooder.ended = new Promise((resolve) => {
    ws.onEnd = () => {
      if (!flooder.endedByUs) {
        flooder.closedAfterMs = round(performance.now() - floodStart(), 1);
        // No close frame before the connection ended: abnormal closure.
        flooder.closeCode = ws.closeCode ?? 1006;
      }
      resolve();
    };
  });
  return flooder;
}

/** Sends `batch` (`perBatch` messages) until told to stop, a bound is reached, or it closed. */
async function flood(
  flooder: Flooder,
  batch: Buffer,
  perBatch: number,
  task: FloodTask,
  stopped: () => boolean,
  deadline: number,
): Promise<void> {
  while (
    !stopped() &&
    flooder.sent < task.maxMessages &&
    performance.now() < deadline &&
    flooder.ws.open
  ) {
    // Backpressure: the kernel is not taking more, so neither does this loop.
    if (flooder.ws.buffered > task.highWaterBytes) {
      await sleep(1);
      continue;
    }
    flooder.ws.send(batch);
    flooder.sent += perBatch;
    flooder.bytesSent += batch.length;
    await yieldToLoop();
  }
}

/** Junk, one of each a batch: unknown short text, oversized text, binary, unknown JSON. */
function junkBatch(bytes: number): [Buffer, number] {
  const junk = [
    "hello",
    "x".repeat(bytes),
    new Uint8Array(1024),
    '{"type":"subscribe","seats":"all"}',
  ];
  return [Buffer.concat(junk.map((message) => clientFrame(message))), junk.length];
}

function report(flooder: Flooder): FloodSocket {
  const { counts, closeReason } = flooder.ws;
  return {
    connected: true,
    sent: flooder.sent,
    bytesSent: flooder.bytesSent,
    // The first snapshot comes with the connection; the rest answer the flood.
    snapshots: Math.max(0, counts.snapshots - 1),
    otherMessages: counts.otherMessages,
    bytesReceived: counts.bytes,
    closeCode: flooder.closeCode,
    closeReason: flooder.closeCode === null ? "" : closeReason,
    closedAfterMs: flooder.closedAfterMs,
  };
}

export async function runFlood(task: FloodTask): Promise<FloodResult> {
  const url = `${task.baseUrl.replace(/^http/, "ws")}/v1/shows/${task.showId}/seats/live`;
  let floodStart = Number.NaN;
  const [resync, junk] = await Promise.all([
    connect(url, () => floodStart),
    connect(url, () => floodStart),
  ]);
  const both = [resync, junk];

  let stop = false;
  let guardTripped = false;
  const stopLine = nextStdinLine().then(() => {
    stop = true;
  });
  const baseRss = residentBytes(task.serverPids);
  let growth = 0;
  const guard = setInterval(() => {
    growth = Math.max(growth, residentBytes(task.serverPids) - baseRss);
    if (growth <= task.guardBytes || guardTripped) return;
    guardTripped = true;
    stop = true;
    for (const flooder of both) {
      flooder.endedByUs = true;
      flooder.ws.reset();
    }
  }, GUARD_INTERVAL_MS);
  const progress = setInterval(() => {
    const at = ((performance.now() - floodStart) / 1000).toFixed(0);
    process.stderr.write(
      `  flood ${at} s: resync ${resync.sent} sent, ${resync.ws.counts.snapshots} snapshots; ` +
        `junk ${junk.sent} sent; workerd +${(growth / 2 ** 20).toFixed(0)} MiB\n`,
    );
  }, 5_000);

  const cpuBefore = process.cpuUsage();
  const meter = new CpuMeter(task.serverPids);
  meter.start();
  floodStart = performance.now();
  const deadline = floodStart + task.maxMs;
  const [junkFrames, junkPerBatch] = junkBatch(task.junkBytes);
  const resyncFrames = Buffer.concat(Array(RESYNC_BATCH).fill(clientFrame("resync")));
  const floods = Promise.all([
    flood(resync, resyncFrames, RESYNC_BATCH, task, () => stop, deadline),
    flood(junk, junkFrames, junkPerBatch, task, () => stop, deadline),
  ]);
  say(READY_LINE);
  // Stopped by run.ts or the guard, or the floods ended on their own (time, count, closed).
  await Promise.race([stopLine, floods]);
  let endedBy: FloodResult["endedBy"] = stop ? "stop" : "closed";
  if (guardTripped) endedBy = "memory guard";
  else if (both.some((flooder) => flooder.sent >= task.maxMessages)) endedBy = "count";
  else if (performance.now() >= deadline) endedBy = "time";
  say(`${ENDED_PREFIX}${endedBy}`);
  stop = true;
  await floods;
  const seconds = (performance.now() - floodStart) / 1000;
  const server = meter.stop();
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(progress);
  releaseStdin();

  // Answers already on their way still count; then close what the server left open.
  await sleep(500);
  clearInterval(guard);
  for (const flooder of both) {
    if (!flooder.ws.open) continue;
    flooder.endedByUs = true;
    flooder.ws.close();
  }
  await Promise.race([Promise.all(both.map((flooder) => flooder.ended)), sleep(3_000)]);
  for (const flooder of both) flooder.ws.reset();
  return {
    kind: "flood",
    seconds: round(seconds, 3),
    endedBy,
    serverGrowthMiB: round(growth / 2 ** 20, 1),
    resync: report(resync),
    junk: report(junk),
    clientCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    server,
  };
}
