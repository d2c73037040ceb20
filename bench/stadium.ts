/**
 * A 50,000-seat show (issue 13): the compact formats' sizes (bytes, and gzip as
 * node:zlib's default level gives them), the live feed's snapshot time in both formats,
 * and best-available locks by one buyer alone while the show is half taken. Run from
 * run.ts's own process, one request at a time (nothing else runs then): latencies here
 * are a single client's round trips through the Worker to the show object and back.
 */
import { gzipSync } from "node:zlib";
import { signAccessToken } from "../src/auth/access-token.ts";
import { FeedSocket } from "./feed-socket.ts";
import { HttpClient } from "./http.ts";
import type { Latency } from "./protocol.ts";
import type { ServerPair } from "./server-pair.ts";
import type { BenchShow } from "./show-setup.ts";
import { round, Samples } from "./stats.ts";

export interface StadiumResult {
  seats: number;
  layoutBytes: number;
  layoutGzipBytes: number;
  statusBytes: number;
  statusGzipBytes: number;
  /** The same once half the seats are taken (gzip has more to do then). */
  halfTakenStatusBytes: number;
  halfTakenStatusGzipBytes: number;
  /** The full seat map (GET .../seats), for scale. */
  seatMapBytes: number;
  seatMapGzipBytes: number;
  /**
   * Upgrade sent → first message whole, for the show's first viewer (compact): its relay
   * joins the show's feed first (registers, fetches the layout from the show object).
   */
  firstSnapshotMs: number;
  /** The same for later viewers of a relay already in the feed. */
  snapshotMs: { full: Latency; compact: Latency };
  snapshotBytes: { full: number; compact: number };
  /** How the show was half taken. */
  fill: { locks: number; seatsTaken: number; seconds: number; failures: Record<string, number> };
  /** One buyer alone, best available (2 seats, released at once), on the half-taken show. */
  bestAvailable: Latency;
  bestAvailableInZone: Latency;
  zone: string;
}

interface LockBody {
  lock_id: string;
  seat_ids: string[];
}

async function sized(client: HttpClient, path: string): Promise<[number, number]> {
  const reply = await client.send("GET", path);
  if (reply.status !== 200)
    throw new Error(`GET ${path}: ${reply.status} ${reply.body.slice(0, 200)}`);
  return [Buffer.byteLength(reply.body), gzipSync(reply.body).length];
}

async function snapshotTime(url: string): Promise<[number, number]> {
  const started = performance.now();
  const { socket, first } = await FeedSocket.open(url, 60_000);
  const ms = performance.now() - started;
  socket.destroy();
  return [ms, Buffer.byteLength(first)];
}

/**
 * Takes `share` of the seats with best-available locks of 10 seats (600 s, held, not paid),
 * each by a user of its own, `concurrency` at a time: the lock path at full tilt, and the
 * show's free seats then sit in the gaps that buyers picking the best seats leave.
 */
async function fill(
  client: HttpClient,
  show: BenchShow,
  secret: string,
  share: number,
  concurrency: number,
): Promise<StadiumResult["fill"]> {
  const wanted = Math.floor(show.totalSeats * share);
  const failures: Record<string, number> = {};
  let taken = 0;
  /** Seats asked for by locks under way or done: no lock asks for more than are wanted. */
  let claimed = 0;
  let locks = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (claimed < wanted) {
      const quantity = Math.min(10, wanted - claimed);
      claimed += quantity;
      const userId = `bench_fill_${next++}`;
      const token = await signAccessToken({ sub: userId, role: "user", ttlSeconds: 3600 }, secret);
      const reply = await client.send(
        "POST",
        "/v1/seats/lock",
        { Authorization: `Bearer ${token}` },
        {
          show_id: show.showId,
          quantity: Math.min(10, wanted - taken),
          lock_duration_seconds: 600,
        },
      );
      if (reply.status === 200) {
        taken += (JSON.parse(reply.body) as LockBody).seat_ids.length;
        locks++;
      } else {
        claimed -= quantity;
        failures[reply.status] = (failures[reply.status] ?? 0) + 1;
        if ((failures[reply.status] ?? 0) > 50)
          throw new Error(`fill: ${reply.status} ${reply.body}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return {
    locks,
    seatsTaken: taken,
    seconds: round((performance.now() - started) / 1000),
    failures,
  };
}

async function aloneLocks(
  client: HttpClient,
  show: BenchShow,
  token: string,
  rounds: number,
  zone: string | undefined,
): Promise<Latency> {
  const latency = new Samples();
  const auth = { Authorization: `Bearer ${token}` };
  for (let i = 0; i < rounds; i++) {
    const body = { show_id: show.showId, quantity: 2, ...(zone ? { zone } : {}) };
    const reply = await client.send("POST", "/v1/seats/lock", auth, body);
    if (reply.status !== 200) throw new Error(`best-available lock: ${reply.status} ${reply.body}`);
    latency.add(reply.ms);
    const lock = JSON.parse(reply.body) as LockBody;
    // Given back at once, so the show stays half taken for the next one.
    const release = await client.send("DELETE", `/v1/seats/lock/${lock.lock_id}`, auth);
    if (release.status >= 300) throw new Error(`release: ${release.status} ${release.body}`);
  }
  return latency.summary();
}

export async function runStadium(
  pair: ServerPair,
  show: BenchShow,
  secret: string,
  log: (line: string) => void,
): Promise<StadiumResult> {
  const client = new HttpClient(pair.main.url, 16);
  try {
    const base = `/v1/shows/${show.showId}`;
    // The seat map first: it wakes the show object in the main process (see ServerPair).
    const [seatMapBytes, seatMapGzipBytes] = await sized(client, `${base}/seats`);
    const [layoutBytes, layoutGzipBytes] = await sized(client, `${base}/layout`);
    const [statusBytes, statusGzipBytes] = await sized(client, `${base}/seats/status`);
    await pair.shareShow(show);
    const live = `${pair.viewerUrl.replace(/^http/, "ws")}${base}/seats/live`;
    const [firstSnapshotMs, compactBytes] = await snapshotTime(`${live}?format=compact`);
    const [, fullBytes] = await snapshotTime(live);
    const full = new Samples();
    const compact = new Samples();
    for (let i = 0; i < 10; i++) {
      full.add((await snapshotTime(live))[0]);
      compact.add((await snapshotTime(`${live}?format=compact`))[0]);
    }
    log(`  50k: layout ${layoutBytes} B, status ${statusBytes} B; filling half the seats...`);
    const taken = await fill(client, show, secret, 0.5, 16);
    const [halfTakenStatusBytes, halfTakenStatusGzipBytes] = await sized(
      client,
      `${base}/seats/status`,
    );
    const zone = Object.keys(show.prices)[1] ?? "standard";
    const token = await signAccessToken(
      { sub: "bench_stadium_buyer", role: "user", ttlSeconds: 3600 },
      secret,
    );
    // A few unmeasured rounds first, as in the other phases' warm-ups.
    await aloneLocks(client, show, token, 10, undefined);
    const bestAvailable = await aloneLocks(client, show, token, 200, undefined);
    const bestAvailableInZone = await aloneLocks(client, show, token, 200, zone);
    return {
      seats: show.totalSeats,
      layoutBytes,
      layoutGzipBytes,
      statusBytes,
      statusGzipBytes,
      seatMapBytes,
      seatMapGzipBytes,
      halfTakenStatusBytes,
      halfTakenStatusGzipBytes,
      firstSnapshotMs: round(firstSnapshotMs),
      snapshotMs: { full: full.summary(), compact: compact.summary() },
      snapshotBytes: { full: fullBytes, compact: compactBytes },
      fill: taken,
      bestAvailable,
      bestAvailableInZone,
      zone,
    };
  } finally {
    client.close();
  }
}
