/**
 * The waiting-room load process: `node bench/queue-load.ts '<QueueTask JSON>'`. Users join
 * a show's queue, poll their status until admitted (after half their estimated wait, within
 * bounds), then lock one seat with their pass and book it with a card. A few impatient users
 * first try to lock without a pass. Prints a QueueResult as JSON on its last stdout line.
 */
import { signAccessToken } from "../src/auth/access-token.ts";
import { HttpClient, type Reply } from "./http.ts";
import { CpuMeter, type CpuUse } from "./proc.ts";
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

interface User {
  id: string;
  auth: Record<string, string>;
  ticket: string;
  admitted: boolean;
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

function throughput(
  samples: Samples,
  seconds: number,
  failures: Record<string, number>,
  server: CpuUse,
): Throughput {
  return {
    count: samples.count,
    seconds: round(seconds),
    perSecond: round(samples.count / Math.max(1e-3, seconds)),
    latencyMs: samples.summary(),
    failures,
    server,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<QueueResult> {
  const cpuBefore = process.cpuUsage();
  const users: User[] = [];
  for (let i = 0; i < task.users; i++) {
    const id = `bench_queue_${i}`;
    const token = await signAccessToken({ sub: id, role: "user", ttlSeconds: 3600 }, secret);
    users.push({ id, auth: { Authorization: `Bearer ${token}` }, ticket: "", admitted: false });
  }

  // Impatient users go straight for the seats: the gate answers without the show object.
  const impatient = { tried: 0, refused: 0, answers: {} as Record<string, number> };
  await Promise.all(
    users.slice(0, task.impatient).map(async (user) => {
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

  // Everyone joins, as fast as the connections allow.
  const joinLatency = new Samples();
  const joinFailures: Record<string, number> = {};
  const joinedAt: number[] = [];
  const firstWait = new Map<User, number>();
  const joinMeter = new CpuMeter(task.serverPids);
  joinMeter.start();
  const joinStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: task.connections }, async () => {
      for (let i = next++; i < users.length; i = next++) {
        const user = users[i];
        if (!user) continue;
        const reply = await send("POST", `${base}/queue/join`, user.auth);
        if (reply?.status !== 200) {
          count(joinFailures, reply ? String(reply.status) : "network");
          continue;
        }
        joinLatency.add(reply.ms);
        const body = JSON.parse(reply.body) as {
          queue_ticket: string;
          estimated_wait_seconds?: number;
        };
        user.ticket = body.queue_ticket;
        firstWait.set(user, body.estimated_wait_seconds ?? 0);
        joinedAt.push(Date.now());
      }
    }),
  );
  const joinSeconds = (performance.now() - joinStart) / 1000;
  const joinServer = joinMeter.stop();
  const opening = await send("GET", `${base}/queue`, {});
  const opensAt = opening
    ? Date.parse((JSON.parse(opening.body) as { opens_at: string }).opens_at)
    : 0;
  const joinedBeforeOpening = joinedAt.filter((at) => at < opensAt).length;

  // Everyone polls until admitted, then buys one seat.
  const pollLatency = new Samples();
  const pollFailures: Record<string, number> = {};
  const admittedIds = new Set<string>();
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
  const pollMeter = new CpuMeter(task.serverPids);
  pollMeter.start();
  const pollStart = performance.now();
  const deadline = pollStart + task.deadlineMs;

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
      if (!admittedIds.has(user.id)) sale.answersToUnadmitted += 1;
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
    let waitSeconds = firstWait.get(user) ?? 0;
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
      if (admittedIds.has(user.id)) admittedTwice += 1;
      admittedIds.add(user.id);
      user.admitted = true;
      await buy(user, body.queue_pass ?? "");
      return;
    }
  };
  await Promise.all(users.filter((user) => user.ticket).map(follow));
  const pollSeconds = (performance.now() - pollStart) / 1000;
  const pollServer = pollMeter.stop();
  sale.usersReachingShow = reachedShow.size;
  buyers.close();
  const cpu = process.cpuUsage(cpuBefore);
  client.close();
  const polls = throughput(pollLatency, pollSeconds, pollFailures, pollServer);
  return {
    joins: throughput(joinLatency, joinSeconds, joinFailures, joinServer),
    polls: { ...polls, perUser: round(polls.count / Math.max(1, users.length)) },
    joinedBeforeOpening,
    admitted: admittedIds.size,
    admittedTwice,
    impatient,
    sale: { ...sale, lockLatencyMs: lockLatency.summary(), bookLatencyMs: bookLatency.summary() },
    seconds: round(joinSeconds + pollSeconds),
    clientCpuMs: Math.round((cpu.user + cpu.system) / 1000),
  };
}

process.stdout.write(`${JSON.stringify(await main())}\n`);
