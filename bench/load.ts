/**
 * The load process: `node bench/load.ts '<LoadTask JSON>'`. Runs one task against the
 * served Worker on 127.0.0.1 and prints its LoadResult as JSON on the last stdout line.
 * It runs apart from the server's process so that measuring does not share its event loop.
 */
import { HttpClient } from "./http.ts";
import { runFlood } from "./live-flooder.ts";
import { runCycles } from "./lock-cycles.ts";
import { CpuMeter } from "./proc.ts";
import type { HttpResult, HttpTask, LoadResult, LoadTask } from "./protocol.ts";
import { runSale } from "./sale.ts";
import { runSerial } from "./serial-buyer.ts";
import { round, Samples } from "./stats.ts";
import { runCrowd } from "./viewer-crowd.ts";

/** Closed loop: each connection sends its next GET as soon as the previous one is answered. */
async function runHttp(task: HttpTask): Promise<HttpResult> {
  const client = new HttpClient(task.baseUrl, task.connections);
  const latencies = new Samples();
  const failures: Record<string, number> = {};
  let bytes = 0;
  let measuring = false;
  let stopping = false;
  const record = (status: string) => {
    failures[status] = (failures[status] ?? 0) + 1;
  };

  const connection = async () => {
    while (!stopping) {
      try {
        const reply = await client.drain(task.path);
        if (!measuring) continue;
        if (reply.status !== 200) record(String(reply.status));
        latencies.add(reply.ms);
        bytes += reply.bytes;
      } catch {
        if (measuring) record("network");
      }
    }
  };
  const loops = Array.from({ length: task.connections }, connection);

  await sleep(task.warmupMs);
  measuring = true;
  const cpuBefore = process.cpuUsage();
  const meter = new CpuMeter(task.serverPids);
  meter.start();
  const started = performance.now();
  await sleep(task.durationMs);
  measuring = false;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const server = meter.stop();
  stopping = true;
  await Promise.all(loops);
  client.close();

  const requests = latencies.count;
  return {
    kind: "http",
    path: task.path,
    connections: task.connections,
    seconds: round(seconds),
    requests,
    requestsPerSecond: round(requests / seconds, 1),
    failures,
    latencyMs: latencies.summary(),
    bytesPerResponse: requests > 0 ? Math.round(bytes / requests) : 0,
    clientCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    server,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? "null") as LoadTask | null;
  if (!task) throw new Error("usage: node bench/load.ts '<LoadTask JSON>'");
  let result: LoadResult;
  switch (task.kind) {
    case "http":
      result = await runHttp(task);
      break;
    case "sale":
      result = await runSale(task);
      break;
    case "serial":
      result = await runSerial(task);
      break;
    case "cycles":
      result = await runCycles(task);
      break;
    case "flood":
      result = await runFlood(task);
      break;
    case "crowd":
      result = await runCrowd(task);
      break;
  }
  // Exit once the result is out: a socket whose close a flooded server never answers must
  // not keep the process (and the phase) waiting.
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}

await main();
