import { setTimeout as sleep } from "node:timers/promises";
import { apiErrorOf, HttpClient, type Reply } from "./http.ts";
import type { BenchShow } from "./show-setup.ts";
import { Samples } from "./stats.ts";

/**
 * The Stripe phase's buyers (stripe-sale.ts): a keep-alive client, each buyer's way through
 * a lock and its payment (declined first, 3-D Secure first, the same key sent twice), the
 * owners' cancellations, and what they all saw (Outcomes), checked afterwards.
 */

export type Kind = "visa" | "decline-first" | "same-key-retries" | "3ds-first";

const PM = {
  visa: "pm_card_visa",
  declined: "pm_card_chargeDeclined",
  threeDS: "pm_card_threeDSecure2Required",
} as const;

/** The API as a buyer calls it: with their token, and an Idempotency-Key when given. */
export class Client {
  private readonly http: HttpClient;

  constructor(baseUrl: string, sockets: number) {
    this.http = new HttpClient(baseUrl, sockets);
  }

  send(method: string, path: string, token: string, body?: unknown, key?: string): Promise<Reply> {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (key) headers["Idempotency-Key"] = key;
    return this.http.send(method, path, headers, body, 30_000);
  }

  close(): void {
    this.http.close();
  }
}

function bookingIdOf(reply: Reply): string | undefined {
  try {
    return (JSON.parse(reply.body) as { booking?: { booking_id?: string } }).booking?.booking_id;
  } catch {
    return undefined;
  }
}

export interface Buyer {
  userId: string;
  token: string;
  wants: number;
  kind: Kind;
}

/** What the buyers saw; checked against the ledger and D1 afterwards. */
export class Outcomes {
  readonly paidLatency = new Samples();
  readonly declineLatency = new Samples();
  /** 3-D Secure taken (202): from the buyer finishing it to the booking read confirmed. */
  readonly actionLatency = new Samples();
  readonly cancelLatency = new Samples();
  /** Booking id → owner, from every 201 (first answers and replays). */
  readonly confirmed = new Map<string, Buyer>();
  readonly unexpected: Record<string, number> = {};
  /** Replays (same key) that named another booking than the key's first 201. */
  readonly replayMismatches: string[] = [];
  lockAttempts = 0;
  lockConflicts = 0;
  bookingRequests = 0;
  declines = 0;
  threeDSRefusals = 0;
  threeDSCompleted = 0;
  sameKeyRequests = 0;
  sameKeyInProgress = 0;
  sameKeyReplays = 0;
  cancelRequests = 0;
  cancelInProgress = 0;
  readonly cancelled = new Set<string>();
  firstAt = 0;
  lastPaidAt = 0;

  count(what: string): void {
    this.unexpected[what] = (this.unexpected[what] ?? 0) + 1;
  }
}

export class StripeSale {
  private readonly client: Client;
  private readonly show: BenchShow;
  private readonly out: Outcomes;
  private readonly deadline: number;

  private readonly standInOrigin: string;

  constructor(
    client: Client,
    show: BenchShow,
    out: Outcomes,
    deadlineMs: number,
    standInOrigin: string,
  ) {
    this.standInOrigin = standInOrigin;
    this.client = client;
    this.show = show;
    this.out = out;
    this.deadline = performance.now() + deadlineMs;
  }

  /** One lock (fewer seats when no row has as many together), then its payment. */
  async run(buyer: Buyer): Promise<void> {
    let ask = buyer.wants;
    while (performance.now() < this.deadline) {
      this.out.lockAttempts++;
      const reply = await this.client
        .send("POST", "/v1/seats/lock", buyer.token, { show_id: this.show.showId, quantity: ask })
        .catch(() => undefined);
      if (!reply) {
        this.out.count("lock network");
        await sleep(50);
        continue;
      }
      if (reply.status === 200) {
        const lock = JSON.parse(reply.body) as { lock_id: string; seat_ids: string[] };
        await this.pay(buyer, lock);
        return;
      }
      const code = apiErrorOf(reply)?.code;
      if (code === "SEATS_UNAVAILABLE" || code === "SEATS_ALREADY_LOCKED") {
        this.out.lockConflicts++;
        if (ask > 1) ask--;
        else if (await this.soldOut(buyer)) return;
        else await sleep(250);
        continue;
      }
      this.out.count(`lock ${reply.status} ${code ?? ""}`.trim());
      await sleep(50);
    }
  }

  /** No seat available or held by a lock: nothing left to buy. */
  private async soldOut(buyer: Buyer): Promise<boolean> {
    const reply = await this.client
      .send("GET", `/v1/shows/${this.show.showId}/seats/status`, buyer.token)
      .catch(() => undefined);
    if (reply?.status !== 200) return false;
    const { status } = JSON.parse(reply.body) as { status: string };
    return !status.includes("a") && !status.includes("l");
  }

  private async pay(buyer: Buyer, lock: { lock_id: string; seat_ids: string[] }): Promise<void> {
    const body = (pm: string) => ({
      show_id: this.show.showId,
      lock_id: lock.lock_id,
      seat_ids: lock.seat_ids,
      user_id: buyer.userId,
      payment_method: { type: "stripe", payment_method: pm },
    });
    if (buyer.kind === "decline-first" || buyer.kind === "3ds-first") {
      const pm = buyer.kind === "decline-first" ? PM.declined : PM.threeDS;
      const reply = await this.book(buyer, body(pm), `bench-stripe-${lock.lock_id}-first`);
      const error = reply ? apiErrorOf(reply) : undefined;
      const reason = error?.details?.reason;
      const expected = buyer.kind === "decline-first" ? "card_declined" : "requires_action";
      if (reply?.status === 202 && buyer.kind === "3ds-first") {
        // A deployment that takes 3-D Secure: the buyer finishes it, Stripe's webhook
        // confirms the booking; the lock is paid for.
        await this.finishAction(buyer, reply);
        return;
      }
      if (reply?.status === 422 && error?.code === "PAYMENT_FAILED" && reason === expected) {
        if (buyer.kind === "decline-first") {
          this.out.declines++;
          this.out.declineLatency.add(reply.ms);
        } else {
          this.out.threeDSRefusals++;
        }
      } else {
        this.out.count(
          `${buyer.kind} ${reply?.status ?? "network"} ${error?.code ?? ""} ${String(reason ?? "")}`.trim(),
        );
      }
    }
    const key = `bench-stripe-${lock.lock_id}`;
    const paid = body(PM.visa);
    if (buyer.kind !== "same-key-retries") {
      for (let attempt = 1; attempt <= 5; attempt++) {
        const reply = await this.book(buyer, paid, key);
        if (reply?.status === 201) {
          this.confirmed(buyer, reply);
          return;
        }
        const code = reply ? apiErrorOf(reply)?.code : undefined;
        this.out.count(`book ${reply?.status ?? "network"} ${code ?? ""}`.trim());
        if (reply && reply.status < 500 && code !== "REQUEST_IN_PROGRESS") return;
        await sleep(50 * attempt);
      }
      return;
    }
    // The same request twice at once under one key, then again until answered 201, then
    // once more: one booking, one intent, whatever the client does.
    const first = await Promise.all([this.book(buyer, paid, key), this.book(buyer, paid, key)]);
    this.out.sameKeyRequests += 2;
    let bookingId: string | undefined;
    const see = (reply: Reply | undefined) => {
      if (reply?.status === 201) {
        const id = bookingIdOf(reply);
        if (reply.replayed) this.out.sameKeyReplays++;
        if (bookingId && id !== bookingId)
          this.out.replayMismatches.push(`${key}: ${id} vs ${bookingId}`);
        bookingId ??= id;
        this.confirmed(buyer, reply);
        return;
      }
      const code = reply ? apiErrorOf(reply)?.code : undefined;
      if (reply?.status === 409 && code === "REQUEST_IN_PROGRESS") this.out.sameKeyInProgress++;
      else this.out.count(`same-key ${reply?.status ?? "network"} ${code ?? ""}`.trim());
    };
    first.forEach(see);
    for (let attempt = 1; !bookingId && attempt <= 20; attempt++) {
      await sleep(50);
      this.out.sameKeyRequests++;
      see(await this.book(buyer, paid, key));
    }
    this.out.sameKeyRequests++;
    const again = await this.book(buyer, paid, key);
    if (again?.status === 201 && !again.replayed) this.out.count("same-key 201 not replayed");
    see(again);
  }

  /**
   * A 202 (payment waiting for the buyer): the buyer passes 3-D Secure at the stand-in, which
   * posts `payment_intent.succeeded` to the Worker's webhook; the booking must then read
   * confirmed.
   */
  private async finishAction(buyer: Buyer, reply: Reply): Promise<void> {
    const answer = JSON.parse(reply.body) as {
      booking?: { booking_id?: string };
      payment?: { client_secret?: string };
    };
    const bookingId = answer.booking?.booking_id;
    const intentId = answer.payment?.client_secret?.split("_secret_")[0];
    if (!bookingId || !intentId) {
      this.out.count("3ds-first 202 without booking or client secret");
      return;
    }
    const started = performance.now();
    const done = await fetch(
      `${this.standInOrigin}/_stand_in/intents/${encodeURIComponent(intentId)}/action`,
      { method: "POST", body: JSON.stringify({ result: "succeeds" }) },
    );
    const { webhook_status } = (await done.json()) as { webhook_status?: number };
    if (webhook_status !== 200) this.out.count(`3ds-first webhook ${webhook_status}`);
    for (let i = 0; i < 100; i++) {
      const read = await this.client.send("GET", `/v1/bookings/${bookingId}`, buyer.token);
      const status =
        read.status === 200
          ? (JSON.parse(read.body) as { booking: { status: string } }).booking.status
          : undefined;
      if (status === "confirmed") {
        this.out.threeDSCompleted++;
        this.out.actionLatency.add(performance.now() - started);
        this.out.confirmed.set(bookingId, buyer);
        this.out.lastPaidAt = Math.max(this.out.lastPaidAt, performance.now());
        return;
      }
      await sleep(100);
    }
    this.out.count("3ds-first booking never confirmed after the webhook");
  }

  private async book(buyer: Buyer, body: unknown, key: string): Promise<Reply | undefined> {
    this.out.bookingRequests++;
    try {
      return await this.client.send("POST", "/v1/bookings", buyer.token, body, key);
    } catch {
      this.out.count("book network");
      return undefined;
    }
  }

  private confirmed(buyer: Buyer, reply: Reply): void {
    const id = bookingIdOf(reply);
    if (!id) {
      this.out.count("201 without booking_id");
      return;
    }
    const status = (JSON.parse(reply.body) as { booking: { status: string } }).booking.status;
    if (status !== "confirmed") this.out.count(`201 booking ${status}`);
    if (!reply.replayed) this.out.paidLatency.add(reply.ms);
    this.out.confirmed.set(id, buyer);
    this.out.lastPaidAt = Math.max(this.out.lastPaidAt, reply.at);
  }

  /** The owner cancels; `twice`: two at once, then once more. Answers must agree. */
  async cancel(bookingId: string, buyer: Buyer, twice: boolean): Promise<void> {
    const path = `/v1/bookings/${bookingId}/cancel`;
    const once = async () => {
      this.out.cancelRequests++;
      return this.client.send("POST", path, buyer.token, undefined).catch(() => undefined);
    };
    const replies = twice ? await Promise.all([once(), once()]) : [await once()];
    let done = false;
    for (let attempt = 0; ; attempt++) {
      for (const reply of replies.splice(0)) {
        const code = reply ? apiErrorOf(reply)?.code : undefined;
        if (reply?.status === 200) {
          const status = (JSON.parse(reply.body) as { booking: { status: string } }).booking.status;
          if (status === "cancelled") {
            if (!done) this.out.cancelLatency.add(reply.ms);
            done = true;
            this.out.cancelled.add(bookingId);
          } else this.out.count(`cancel 200 ${status}`);
        } else if (reply?.status === 409 && code === "REQUEST_IN_PROGRESS") {
          this.out.cancelInProgress++;
        } else {
          this.out.count(`cancel ${reply?.status ?? "network"} ${code ?? ""}`.trim());
        }
      }
      if ((done && !twice) || attempt >= 20) return;
      if (done) {
        // Once more after it is done: answers the same, refunds nothing more.
        twice = false;
        replies.push(await once());
        continue;
      }
      await sleep(100);
      replies.push(await once());
    }
  }
}
