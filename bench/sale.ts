/**
 * The flash sale: `buyers` users at once, each wanting 1-4 seats, half choosing seats from
 * the live seat map and half asking for the best available, locking (POST /v1/seats/lock)
 * and paying at once (POST /v1/bookings with a card), choosing afresh on every conflict,
 * until the show is sold out; meanwhile `viewers` WebSockets watch the live seat map.
 */
import { signAccessToken } from "../src/auth/access-token.ts";
import { apiErrorOf, HttpClient, type Reply } from "./http.ts";
import { CpuMeter } from "./proc.ts";
import { type SaleResult, type SaleTask, SECRET_ENV } from "./protocol.ts";
import { SeatBoard, type SeatMap } from "./seat-board.ts";
import { BENCH_CARD } from "./solo-server.ts";
import { round, Samples, seededRandom } from "./stats.ts";
import { type LockSeen, ViewerPool } from "./viewers.ts";

const CARD = BENCH_CARD;

/** Most seats one buyer wants. */
const MAX_WANT = 4;

interface LockBody {
  lock_id: string;
  seat_ids: string[];
  locked_at: string;
}

interface BookingBody {
  booking: { booking_id: string; status: string };
}

export class SaleStats {
  readonly lockLatency = new Samples();
  readonly bookLatency = new Samples();
  readonly allLatency = new Samples();
  readonly locks: LockSeen[] = [];
  readonly confirmed: string[] = [];
  readonly unexpected: Record<string, number> = {};
  lockAttempts = 0;
  lockConflicts = 0;
  bookingAttempts = 0;
  seatsSold = 0;
  lastBookingAt = 0;

  countUnexpected(what: string): void {
    this.unexpected[what] = (this.unexpected[what] ?? 0) + 1;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface Buyer {
  userId: string;
  token: string;
  wants: number;
  /** Most seats in one lock. */
  perLock: number;
  choosesSeats: boolean;
  random: () => number;
}

export class Sale {
  private readonly task: { showId: string };
  private readonly client: HttpClient;
  private readonly board: SeatBoard;
  private readonly stats: SaleStats;
  private readonly deadline: number;

  constructor(
    task: { showId: string; deadlineMs: number },
    client: HttpClient,
    board: SeatBoard,
    stats: SaleStats,
  ) {
    this.task = task;
    this.client = client;
    this.board = board;
    this.stats = stats;
    this.deadline = performance.now() + task.deadlineMs;
  }

  /** One buyer: lock and book until it has the seats it wants or the show is sold out. */
  async run(buyer: Buyer): Promise<void> {
    let holding = 0;
    // Best available asks for all it still wants; when no row has that many together, fewer.
    let ask = buyer.wants;
    while (holding < buyer.wants && !this.board.soldOut && performance.now() < this.deadline) {
      const needed = buyer.wants - holding;
      let selection: { seat_ids: string[] } | { quantity: number };
      if (buyer.choosesSeats) {
        const seats = this.board.pick(Math.min(needed, buyer.perLock), buyer.random);
        if (!seats) {
          await this.board.changed(250);
          continue;
        }
        selection = { seat_ids: seats };
      } else {
        selection = { quantity: Math.min(ask, needed, buyer.perLock) };
      }
      const reply = await this.timed("lock", () =>
        this.client.send("POST", "/v1/seats/lock", this.auth(buyer), {
          show_id: this.task.showId,
          ...selection,
        }),
      );
      if (!reply) {
        await sleep(50);
        continue;
      }
      if (reply.status === 200) {
        const lock = JSON.parse(reply.body) as LockBody;
        this.stats.locks.push({
          seatIds: lock.seat_ids,
          seatIndexes: lock.seat_ids.map((id) => this.board.index.get(id) ?? -1),
          answeredAt: reply.at,
          // Same machine, same clock: wall-clock milliseconds onto performance.now()'s scale.
          committedAt: Date.parse(lock.locked_at) - performance.timeOrigin,
        });
        if (await this.book(buyer, lock)) holding += lock.seat_ids.length;
        continue;
      }
      const error = apiErrorOf(reply);
      if (error?.code === "SEATS_ALREADY_LOCKED" || error?.code === "SEATS_UNAVAILABLE") {
        this.stats.lockConflicts++;
        const named = error.details?.unavailable_seats ?? [];
        if (named.length > 0) this.board.markTaken(named);
        else if (ask > 1) ask--;
        // No seat at all is free now; the rest are held by buyers about to pay.
        else await this.board.changed(250);
        continue;
      }
      this.stats.countUnexpected(`lock ${reply.status} ${error?.code ?? ""}`.trim());
      await sleep(50);
    }
  }

  /** Pays for the lock at once; retries with the same Idempotency-Key when it may help. */
  private async book(buyer: Buyer, lock: LockBody): Promise<boolean> {
    const headers = { ...this.auth(buyer), "Idempotency-Key": `bench-${lock.lock_id}` };
    const body = {
      show_id: this.task.showId,
      lock_id: lock.lock_id,
      seat_ids: lock.seat_ids,
      user_id: buyer.userId,
      payment_method: CARD,
    };
    for (let attempt = 1; attempt <= 5; attempt++) {
      const reply = await this.timed("book", () =>
        this.client.send("POST", "/v1/bookings", headers, body),
      );
      if (reply?.status === 201) {
        const booking = (JSON.parse(reply.body) as BookingBody).booking;
        if (booking.status !== "confirmed") this.stats.countUnexpected(`booking ${booking.status}`);
        this.stats.confirmed.push(booking.booking_id);
        this.stats.seatsSold += lock.seat_ids.length;
        this.stats.lastBookingAt = Math.max(this.stats.lastBookingAt, reply.at);
        return true;
      }
      const error = reply ? apiErrorOf(reply) : undefined;
      const retry = !reply || reply.status >= 500 || error?.code === "REQUEST_IN_PROGRESS";
      this.stats.countUnexpected(`book ${reply?.status ?? "network"} ${error?.code ?? ""}`.trim());
      if (!retry) break;
      await sleep(50 * attempt);
    }
    // Not booked: give the seats back rather than leave them held until the lock expires.
    await this.client
      .send("DELETE", `/v1/seats/lock/${lock.lock_id}`, this.auth(buyer))
      .catch(() => undefined);
    return false;
  }

  private auth(buyer: Buyer): Record<string, string> {
    return { Authorization: `Bearer ${buyer.token}` };
  }

  /** Sends, records the latency; undefined on a transport failure. */
  private async timed(
    kind: "lock" | "book",
    send: () => Promise<Reply>,
  ): Promise<Reply | undefined> {
    if (kind === "lock") this.stats.lockAttempts++;
    else this.stats.bookingAttempts++;
    try {
      const reply = await send();
      (kind === "lock" ? this.stats.lockLatency : this.stats.bookLatency).add(reply.ms);
      this.stats.allLatency.add(reply.ms);
      return reply;
    } catch {
      this.stats.countUnexpected(`${kind} network`);
      return undefined;
    }
  }
}

export function jwtSecret(): string {
  const secret = process.env[SECRET_ENV];
  if (!secret) throw new Error(`${SECRET_ENV} is not set`);
  return secret;
}

export async function loadBoard(client: HttpClient, showId: string): Promise<SeatBoard> {
  const reply = await client.send("GET", `/v1/shows/${showId}/seats`);
  if (reply.status !== 200) throw new Error(`seat map: ${reply.status} ${reply.body}`);
  return new SeatBoard(JSON.parse(reply.body) as SeatMap);
}

export async function runSale(task: SaleTask): Promise<SaleResult> {
  const secret = jwtSecret();
  const client = new HttpClient(task.baseUrl, task.buyers + 8);
  const board = await loadBoard(client, task.showId);

  const liveUrl = `${(task.viewerBaseUrl ?? task.baseUrl).replace(/^http/, "ws")}/v1/shows/${task.showId}/seats/live`;
  const viewers = new ViewerPool(liveUrl, board);
  await viewers.connect(task.viewers, 100, 30_000);
  process.stderr.write(`  ${viewers.connected} viewers connected\n`);

  const random = seededRandom(task.seed);
  const buyers: Buyer[] = await Promise.all(
    Array.from({ length: task.buyers }, async (_, i) => {
      const userId = `bench_buyer_${i}`;
      const wants = 1 + Math.floor(random() * MAX_WANT);
      return {
        userId,
        token: await signAccessToken({ sub: userId, role: "user", ttlSeconds: 3600 }, secret),
        wants,
        perLock: wants,
        choosesSeats: i % 2 === 0,
        random: seededRandom(task.seed * 7919 + i),
      };
    }),
  );
  const seatsWanted = buyers.reduce((sum, b) => sum + b.wants, 0);

  const stats = new SaleStats();
  const cpuBefore = process.cpuUsage();
  const meter = new CpuMeter(task.serverPids);
  const relayMeter = task.relayPids ? new CpuMeter(task.relayPids) : undefined;
  meter.start();
  relayMeter?.start();
  const started = performance.now();
  const sale = new Sale(task, client, board, stats);
  await Promise.all(buyers.map((buyer) => sale.run(buyer)));
  const buyersDone = performance.now();

  // The last broadcasts reach the viewers after the last answers.
  await viewers.caughtUp(board.version, task.settleMs);
  const cpu = process.cpuUsage(cpuBefore);
  const server = meter.stop();
  const relayServer = relayMeter?.stop();
  const windowSeconds = (performance.now() - started) / 1000;
  await viewers.close(5_000);
  client.close();

  const soldOut = stats.seatsSold === board.size;
  const sellOutSeconds = soldOut ? (stats.lastBookingAt - started) / 1000 : null;
  const activeSeconds = (buyersDone - started) / 1000;
  const delays = viewers.delays(stats.locks);
  const requests = stats.lockAttempts + stats.bookingAttempts;
  const saleSeconds = sellOutSeconds ?? activeSeconds;
  return {
    kind: "sale",
    buyers: task.buyers,
    viewers: task.viewers,
    viewersConnected: viewers.connected,
    sellOutSeconds: sellOutSeconds === null ? null : round(sellOutSeconds, 3),
    soldOut,
    seatsSold: stats.seatsSold,
    seatsTotal: board.size,
    seatsWanted,
    locksOk: stats.locks.length,
    lockAttempts: stats.lockAttempts,
    lockConflicts: stats.lockConflicts,
    bookingsOk: stats.confirmed.length,
    bookingAttempts: stats.bookingAttempts,
    unexpected: stats.unexpected,
    lockAndBookRequests: requests,
    lockAndBookPerSecond: round(requests / activeSeconds, 1),
    locksPerSecond: round(stats.locks.length / saleSeconds, 1),
    seatsPerSecond: round(stats.seatsSold / saleSeconds, 1),
    lockAndBookLatencyMs: stats.allLatency.summary(),
    lockLatencyMs: stats.lockLatency.summary(),
    bookLatencyMs: stats.bookLatency.summary(),
    broadcastDelayMs: delays.fromAnswer.summary(),
    broadcastFromCommitMs: delays.fromCommit.summary(),
    broadcastMissed: delays.missed,
    viewerGaps: viewers.gaps,
    viewerExtensions: viewers.extensions,
    messagesPerViewer: viewers.messagesPerViewer,
    confirmedBookingIds: stats.confirmed,
    windowSeconds: round(windowSeconds, 3),
    clientCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    server,
    ...(relayServer ? { relayServer } : {}),
    finalVersion: board.version,
    fromCommitHistogram: delays.fromCommitHistogram.sparse(),
    ...(task.reportLocks
      ? {
          locks: stats.locks.map((lock): [string[], number] => [
            lock.seatIds,
            lock.committedAt + performance.timeOrigin,
          ]),
        }
      : {}),
  };
}
