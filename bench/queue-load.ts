/**
 * The waiting-room load process: `node bench/queue-load.ts '<QueueTask JSON>'`.
 *  1. The queue goes on (opening far ahead); a few impatient users try to lock without a pass.
 *  2. `users` join as fast as the connections allow: joins/s.
 *  3. Every connection polls random users' status back to back: the status route's capacity.
 *  4. The opening is set two seconds ahead; `lateUsers` join after it.
 *  5. Everyone polls on their own schedule (half the estimated wait, within bounds) until
 *     admitted, then locks one seat with the pass and books it with a card.
 * Prints a QueueResult as JSON on its last stdout line.
 */
import { createHmac } from "node:crypto";
import { HttpClient, type Reply } from "./http.ts";
import { CpuMeter } from "./proc.ts";
import { SECRET_ENV } from "./protocol.ts";
import type { QueueResult, QueueTask, Throughput } from "./queue-protocol.ts";
import { round, Samples } from "./stats.ts";

const task = JSON.parse(process.argv[2] ?? "{}") as QueueTask;
const secret = process.env[SECRET_ENV] ?? "";
// Buyers have connections of their own, so a slow sale does not hold the pollers' sockets
// (in the field every user has their own).
const client = new HttpClient(task.baseUrl, task.connections);
const buyers = new HttpClient(task.baseUrl, task.connections);
const base = `/v1/shows/${task.showId}`;
const admin = { Authorization: `Bearer ${task.adminToken}` };

interface User {
  id: string;
  auth: Record<string, string>;
  ticket: string;
  /** The entry's order key, read from the ticket (its payload is plain base64url JSON). */
  key: number;
  firstWait: number;
  /** When its join was sent and answered (performance.now()). */
  sentAt: number;
  answeredAt: number;
}

function count(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

function codeOf(reply: Reply): string {
  try {
    return (JSON.parse(reply.body) as { error?: { code?: string } }).error?.code ?? "";
  } catch {
    return "";
  }
}

async function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
  via: HttpClient = client,
): Promise<Reply | undefined> {
  try {
    return await via.send(method, path, headers, body, 60_000);
  } catch {
    return undefined;
  }
}

/**
 * An HS256 user token like src/auth/access-token.ts signs, made synchronously with
 * node:crypto: twenty thousand WebCrypto signatures take longer than the crowd's joins.
 */
function userToken(sub: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const iat = Math.floor(Date.now() / 1000);
  const claims = { sub, role: "user", iat, exp: iat + 3600 };
  const unsigned = `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}`;
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
}

function newUser(id: string): User {
  return {
    id,
    auth: { Authorization: `Bearer ${userToken(id)}` },
    ticket: "",
    key: 0,
    firstWait: 0,
    sentAt: 0,
    answeredAt: 0,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` over the connections, each taking the next item when its last one is done. */
async function measure<T>(
  items: readonly T[],
  work: (item: T, latency: Samples, failures: Record<string, number>) => Promise<void>,
): Promise<Throughput> {
  const latency = new Samples();
  const failures: Record<string, number> = {};
  const meter = new CpuMeter(task.serverPids);
  const cpu = process.cpuUsage();
  meter.start();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: task.connections }, async () => {
      for (let i = next++; i < items.length; i = next++) {
        const item = items[i];
        if (item !== undefined) await work(item, latency, failures);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return summary(latency, seconds, failures, meter, cpu);
}

function summary(
  latency: Samples,
  seconds: number,
  failures: Record<string, number>,
  meter: CpuMeter,
  cpuBefore: NodeJS.CpuUsage,
): Throughput {
  const cpu = process.cpuUsage(cpuBefore);
  return {
    count: latency.count,
    seconds: round(seconds),
    perSecond: round(latency.count / Math.max(1e-3, seconds)),
    latencyMs: latency.summary(),
    failures,
    server: meter.stop(),
    clientCores: round((cpu.user + cpu.system) / 1e6 / Math.max(1e-3, seconds)),
  };
}

async function joinAll(users: readonly User[]): Promise<Throughput> {
  return measure(users, async (user, latency, failures) => {
    user.sentAt = performance.now();
    const reply = await send("POST", `${base}/queue/join`, user.auth);
    if (reply?.status !== 200) return count(failures, reply ? String(reply.status) : "network");
    user.answeredAt = reply.at;
    latency.add(reply.ms);
    const body = JSON.parse(reply.body) as {
      queue_ticket: string;
      estimated_wait_seconds?: number;
    };
    user.ticket = body.queue_ticket;
    user.firstWait = body.estimated_wait_seconds ?? 0;
    const payload = JSON.parse(
      Buffer.from(body.queue_ticket.split(".")[0] ?? "", "base64url").toString(),
    ) as { e: [number, number, number] };
    user.key = payload.e[0];
  });
}

async function setQueue(opensAt: number): Promise<void> {
  const reply = await send("PUT", `${base}/queue`, admin, {
    admit_per_minute: task.admitPerMinute,
    opens_at: new Date(opensAt).toISOString(),
  });
  if (reply?.status !== 200) throw new Error(`queue settings: ${reply?.status} ${reply?.body}`);
}

/**
 * Joins placed ahead of a join that was answered before they were even sent: first come,
 * first served allows none (joins in flight together may come in either order).
 */
function outOfOrder(users: readonly User[]): number {
  const answered = [...users].sort((a, b) => a.answeredAt - b.answeredAt);
  const sent = [...users].sort((a, b) => a.sentAt - b.sentAt);
  let highest = Number.NEGATIVE_INFINITY;
  let next = 0;
  let wrong = 0;
  for (const user of sent) {
    for (
      let done = answered[next];
      done && done.answeredAt < user.sentAt;
      done = answered[++next]
    ) {
      highest = Math.max(highest, done.key);
    }
    if (user.key < highest) wrong += 1;
  }
  return wrong;
}

/** Of consecutive pairs (in join order), the share whose entries are in the same order. */
function inJoinOrder(users: readonly User[]): number {
  let ordered = 0;
  for (let i = 1; i < users.length; i++) {
    if ((users[i]?.key ?? 0) >= (users[i - 1]?.key ?? 0)) ordered += 1;
  }
  return round(ordered / Math.max(1, users.length - 1), 4);
}

async function main(): Promise<QueueResult> {
  const cpuBefore = process.cpuUsage();
  const early = Array.from({ length: task.users }, (_, i) => newUser(`bench_queue_${i}`));
  const late = Array.from({ length: task.lateUsers }, (_, i) => newUser(`bench_late_${i}`));
  await setQueue(Date.now() + 3_600_000);

  // Impatient users go straight for the seats: the gate answers without the show object.
  const impatient = { tried: 0, refused: 0, answers: {} as Record<string, number> };
  await Promise.all(
    early.slice(0, task.impatient).map(async (user) => {
      const reply = await send("POST", "/v1/seats/lock", user.auth, {
        show_id: task.showId,
        quantity: 1,
      });
      impatient.tried += 1;
      const key = reply ? `${reply.status} ${codeOf(reply)}` : "network";
      count(impatient.answers, key);
      if (key === "403 QUEUE_REQUIRED") impatient.refused += 1;
    }),
  );

  const joins = await joinAll(early);

  // The status route's capacity: back-to-back polls of random tickets for a fixed time.
  const capacityEnd = performance.now() + task.pollCapacityMs;
  const loops = Array.from({ length: task.connections }, (_, i) => i);
  const pollCapacity = await measure(loops, async (_loop, latency, failures) => {
    while (performance.now() < capacityEnd) {
      const user = early[Math.floor(Math.random() * early.length)];
      const ticket = { "X-Queue-Ticket": user?.ticket ?? "" };
      const reply = await send("GET", `${base}/queue/status`, ticket);
      if (reply?.status !== 200) count(failures, reply ? String(reply.status) : "network");
      else latency.add(reply.ms);
    }
  });

  const opensAt = Date.now() + 2_000;
  await setQueue(opensAt);
  await sleep(2_500);
  const lateJoins = await joinAll(late);

  // Everyone polls until admitted, then buys one seat.
  const pollLatency = new Samples();
  const pollFailures: Record<string, number> = {};
  const admittedAt = new Map<string, number>();
  let admittedTwice = 0;
  const sale = {
    lockAttempts: 0,
    locksOk: 0,
    conflicts: 0,
    booked: 0,
    answersToUnadmitted: 0,
    usersReachingShow: 0,
    unexpected: {} as Record<string, number>,
  };
  const reachedShow = new Set<string>();
  const lockLatency = new Samples();
  const bookLatency = new Samples();
  const meter = new CpuMeter(task.serverPids);
  const pollCpu = process.cpuUsage();
  meter.start();
  const started = performance.now();
  const deadline = started + task.deadlineMs;

  const buy = async (user: User, pass: string) => {
    sale.lockAttempts += 1;
    const lock = await send(
      "POST",
      "/v1/seats/lock",
      { ...user.auth, "X-Queue-Pass": pass },
      { show_id: task.showId, quantity: 1 },
      buyers,
    );
    if (!lock) return count(sale.unexpected, "lock network");
    lockLatency.add(lock.ms);
    const code = codeOf(lock);
    if (lock.status !== 403) {
      reachedShow.add(user.id);
      if (!admittedAt.has(user.id)) sale.answersToUnadmitted += 1;
    }
    if (lock.status === 400 && (code === "SEATS_UNAVAILABLE" || code === "SEATS_ALREADY_LOCKED")) {
      sale.conflicts += 1;
      return;
    }
    if (lock.status !== 200) return count(sale.unexpected, `lock ${lock.status} ${code}`);
    sale.locksOk += 1;
    const { lock_id, seat_ids } = JSON.parse(lock.body) as { lock_id: string; seat_ids: string[] };
    const booking = await send(
      "POST",
      "/v1/bookings",
      { ...user.auth, "Idempotency-Key": `bench-queue-${user.id}` },
      {
        show_id: task.showId,
        lock_id,
        seat_ids,
        user_id: user.id,
        payment_method: {
          type: "credit_card",
          card_number: "4242424242424242",
          expiry_month: 12,
          expiry_year: 2031,
          cvv: "123",
        },
      },
      buyers,
    );
    if (booking) bookLatency.add(booking.ms);
    if (booking?.status === 201) sale.booked += 1;
    else count(sale.unexpected, `book ${booking?.status ?? "network"}`);
  };

  const follow = async (user: User) => {
    let waitSeconds = user.firstWait;
    while (performance.now() < deadline) {
      const delay = Math.min(task.pollMaxMs, Math.max(task.pollMinMs, (waitSeconds * 1000) / 2));
      await sleep(delay * (0.8 + Math.random() * 0.4));
      const reply = await send("GET", `${base}/queue/status`, { "X-Queue-Ticket": user.ticket });
      if (reply?.status !== 200) {
        count(pollFailures, reply ? String(reply.status) : "network");
        continue;
      }
      pollLatency.add(reply.ms);
      const body = JSON.parse(reply.body) as {
        admitted: boolean;
        queue_pass?: string;
        estimated_wait_seconds?: number;
      };
      if (!body.admitted) {
        waitSeconds = body.estimated_wait_seconds ?? waitSeconds;
        continue;
      }
      if (admittedAt.has(user.id)) admittedTwice += 1;
      admittedAt.set(user.id, performance.now());
      await buy(user, body.queue_pass ?? "");
      return;
    }
  };
  const everyone = [...early, ...late].filter((user) => user.ticket);
  await Promise.all(everyone.map(follow));
  const polls = summary(
    pollLatency,
    (performance.now() - started) / 1000,
    pollFailures,
    meter,
    pollCpu,
  );
  sale.usersReachingShow = reachedShow.size;
  client.close();
  buyers.close();
  const cpu = process.cpuUsage(cpuBefore);
  return {
    joins,
    pollCapacity,
    polls: { ...polls, perUser: round(polls.count / Math.max(1, everyone.length)) },
    lateJoins,
    opensAt,
    admitted: admittedAt.size,
    admittedTwice,
    preOpeningInJoinOrder: inJoinOrder(early),
    lateOutOfOrder: outOfOrder(late),
    impatient,
    sale: { ...sale, lockLatencyMs: lockLatency.summary(), bookLatencyMs: bookLatency.summary() },
    clientCpuMs: Math.round((cpu.user + cpu.system) / 1000),
  };
}

process.stdout.write(`${JSON.stringify(await main())}\n`);
