/**
 * One buyer alone (`kind: "serial"`): the sale's buyer (bench/sale.ts), one request at a
 * time, so the figures are the show object's time per operation with nothing else going on.
 */
import { signAccessToken } from "../src/auth/access-token.ts";
import { HttpClient } from "./http.ts";
import { CpuMeter } from "./proc.ts";
import type { SerialResult, SerialTask } from "./protocol.ts";
import { type Buyer, jwtSecret, loadBoard, Sale, SaleStats } from "./sale.ts";
import { round, seededRandom } from "./stats.ts";

/**
 * One buyer, one request at a time (best available, two seats a lock, each paid at once):
 * how long the show object takes per operation when nothing else is going on.
 */
export async function runSerial(task: SerialTask): Promise<SerialResult> {
  const client = new HttpClient(task.baseUrl, 1);
  const board = await loadBoard(client, task.showId);
  const userId = "bench_serial_buyer";
  const buyer: Buyer = {
    userId,
    token: await signAccessToken({ sub: userId, role: "user", ttlSeconds: 3600 }, jwtSecret()),
    wants: task.locks * 2,
    perLock: 2,
    choosesSeats: false,
    random: seededRandom(1),
  };
  const stats = new SaleStats();
  const cpuBefore = process.cpuUsage();
  const meter = new CpuMeter(task.serverPids);
  meter.start();
  const started = performance.now();
  await new Sale({ showId: task.showId, deadlineMs: 60_000 }, client, board, stats).run(buyer);
  const seconds = (performance.now() - started) / 1000;
  const server = meter.stop();
  const cpu = process.cpuUsage(cpuBefore);
  client.close();
  return {
    kind: "serial",
    locks: stats.locks.length,
    bookings: stats.confirmed.length,
    seconds: round(seconds, 3),
    requestsPerSecond: round((stats.lockAttempts + stats.bookingAttempts) / seconds, 1),
    lockLatencyMs: stats.lockLatency.summary(),
    bookLatencyMs: stats.bookLatency.summary(),
    unexpected: stats.unexpected,
    clientCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    server,
  };
}
