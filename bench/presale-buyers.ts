import { setTimeout as sleep } from "node:timers/promises";
import { apiErrorOf, type HttpClient, type Reply } from "./http.ts";
import type { BenchShow } from "./show-setup.ts";
import { BENCH_CARD } from "./solo-server.ts";
import { round, Samples } from "./stats.ts";

/**
 * The presale phase's buyers (presale-sale.ts): code holders before `sales_start`, the
 * public from it, each locking best available and booking at once, some reaching past the
 * per-buyer limit; what each wave saw (Wave), checked afterwards.
 */

export const CODE = "BENCH-PRESALE-27";

export interface Buyer {
  userId: string;
  token: string;
  /** Seats wanted in all; more than the limit for some, who must be refused the rest. */
  wants: number;
}

/** What one wave saw. */
export class Wave {
  readonly bookLatency = new Samples();
  /** Refusals of lock requests, by error code (and reason). */
  readonly refusals: Record<string, number> = {};
  readonly unexpected: Record<string, number> = {};
  readonly lockIds = new Set<string>();
  /** Booking id → owner. */
  readonly confirmed = new Map<string, string>();
  /** Seats booked, by buyer. */
  readonly seatsOf = new Map<string, number>();
  seats = 0;
  lockAttempts = 0;
  conflicts = 0;
  firstAt = 0;
  lastBookedAt = 0;

  refuse(what: string): void {
    this.refusals[what] = (this.refusals[what] ?? 0) + 1;
  }

  count(what: string): void {
    this.unexpected[what] = (this.unexpected[what] ?? 0) + 1;
  }

  perSecond(): number {
    if (this.confirmed.size === 0) return 0;
    return round(
      this.confirmed.size / Math.max(1e-3, (this.lastBookedAt - this.firstAt) / 1000),
      1,
    );
  }
}

export class PresaleSale {
  private readonly client: HttpClient;
  private readonly show: BenchShow;
  private readonly deadline: number;
  private readonly limit: number;

  constructor(client: HttpClient, show: BenchShow, deadlineMs: number, limit: number) {
    this.client = client;
    this.show = show;
    this.limit = limit;
    this.deadline = performance.now() + deadlineMs;
  }

  /**
   * Best-available locks (fewer seats when no row has as many together), each booked at
   * once, until the buyer has what it wants, is refused, or the show is sold out.
   */
  async run(buyer: Buyer, wave: Wave, code?: string, alreadyHeld = 0): Promise<void> {
    let held = alreadyHeld;
    let ask = Math.min(buyer.wants, this.limit);
    while (held < buyer.wants && performance.now() < this.deadline) {
      const body = {
        show_id: this.show.showId,
        quantity: Math.min(ask, buyer.wants - held),
        ...(code ? { access_code: code } : {}),
      };
      wave.lockAttempts++;
      const reply = await this.send("POST", "/v1/seats/lock", buyer, body);
      if (!reply) {
        wave.count("lock network");
        await sleep(50);
        continue;
      }
      if (reply.status === 200) {
        const lock = JSON.parse(reply.body) as { lock_id: string; seat_ids: string[] };
        wave.lockIds.add(lock.lock_id);
        if (!(await this.book(buyer, lock, wave))) return;
        held += lock.seat_ids.length;
        continue;
      }
      const error = apiErrorOf(reply);
      if (error?.code === "SEATS_UNAVAILABLE" || error?.code === "SEATS_ALREADY_LOCKED") {
        wave.conflicts++;
        if (ask > 1) ask--;
        else if (await this.soldOut(buyer)) return;
        else await sleep(100);
        continue;
      }
      if (
        error?.code === "TICKET_LIMIT_REACHED" ||
        error?.code === "ACCESS_CODE_INVALID" ||
        error?.code === "SALE_NOT_STARTED"
      ) {
        wave.refuse(
          `${reply.status} ${error.code}${error.details?.reason ? ` ${error.details.reason}` : ""}`,
        );
        return;
      }
      wave.count(`lock ${reply.status} ${error?.code ?? ""}`.trim());
      await sleep(50);
    }
  }

  private async book(
    buyer: Buyer,
    lock: { lock_id: string; seat_ids: string[] },
    wave: Wave,
  ): Promise<boolean> {
    const body = {
      show_id: this.show.showId,
      lock_id: lock.lock_id,
      seat_ids: lock.seat_ids,
      user_id: buyer.userId,
      payment_method: BENCH_CARD,
    };
    for (let attempt = 1; attempt <= 5; attempt++) {
      const reply = await this.send("POST", "/v1/bookings", buyer, body, `presale-${lock.lock_id}`);
      if (reply?.status === 201) {
        const { booking } = JSON.parse(reply.body) as { booking: { booking_id: string } };
        wave.confirmed.set(booking.booking_id, buyer.userId);
        wave.seats += lock.seat_ids.length;
        wave.seatsOf.set(
          buyer.userId,
          (wave.seatsOf.get(buyer.userId) ?? 0) + lock.seat_ids.length,
        );
        wave.bookLatency.add(reply.ms);
        wave.lastBookedAt = Math.max(wave.lastBookedAt, reply.at);
        return true;
      }
      const code = reply ? apiErrorOf(reply)?.code : undefined;
      wave.count(`book ${reply?.status ?? "network"} ${code ?? ""}`.trim());
      if (reply && reply.status < 500 && code !== "REQUEST_IN_PROGRESS") return false;
      await sleep(50 * attempt);
    }
    return false;
  }

  /** No seat available or held by a lock: nothing left to buy. */
  private async soldOut(buyer: Buyer): Promise<boolean> {
    const reply = await this.send("GET", `/v1/shows/${this.show.showId}/seats/status`, buyer);
    if (reply?.status !== 200) return false;
    const { status } = JSON.parse(reply.body) as { status: string };
    return !status.includes("a") && !status.includes("l");
  }

  send(
    method: string,
    path: string,
    buyer: Buyer,
    body?: unknown,
    key?: string,
  ): Promise<Reply | undefined> {
    const headers: Record<string, string> = { Authorization: `Bearer ${buyer.token}` };
    if (key) headers["Idempotency-Key"] = key;
    return this.client.send(method, path, headers, body, 30_000).catch(() => undefined);
  }
}
