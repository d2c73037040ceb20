/**
 * `npm run bench -- --queue`: a show's waiting room under a crowd. A fresh show's queue is
 * turned on (opening a few seconds after the crowd starts, so the first joiners are
 * shuffled); a separate load process (bench/queue-load.ts) has every user join, poll until
 * admitted and buy one seat. Meanwhile this process reads GET /v1/shows/{id}/queue every
 * second for the admission pace. Reports joins/s, polls/s, storage rows written per join,
 * the pace against admit_per_minute, and checks that the sale behind the queue heard only
 * from admitted users.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MachineInfo } from "./proc.ts";
import { workerdProcesses } from "./proc.ts";
import { SECRET_ENV } from "./protocol.ts";
import type { QueueResult, QueueTask } from "./queue-protocol.ts";
import { projectRoot, type WorkerServer } from "./serve.ts";
import { createShow } from "./show-setup.ts";
import { round } from "./stats.ts";

export interface QueueBenchInput {
  server: WorkerServer;
  secret: string;
  adminToken: string;
  machine: MachineInfo;
  startedAt: string;
  ci: boolean;
  log: (line: string) => void;
}

export const queueSettings = (ci: boolean) => ({
  /** Join before the opening (shuffled at it), and after it (first come, first served). */
  users: ci ? 1_800 : 18_000,
  lateUsers: ci ? 200 : 2_000,
  seats: 1_000,
  impatient: 200,
  admitPerMinute: ci ? 6_000 : 12_000,
  connections: 128,
  pollCapacityMs: ci ? 3_000 : 10_000,
  pollMinMs: 2_000,
  pollMaxMs: 10_000,
  deadlineMs: ci ? 120_000 : 300_000,
});

interface PaceSample {
  /** The coordinator's time of the counts. */
  at: number;
  admitted: number;
  waiting: number;
}

function runQueueLoad(task: QueueTask, secret: string, limitMs: number): Promise<QueueResult> {
  const child = spawn(
    process.execPath,
    [join(projectRoot, "bench", "queue-load.ts"), JSON.stringify(task)],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, [SECRET_ENV]: secret } },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !last) reject(new Error(`queue load failed (${signal ?? `exit ${code}`})`));
      else resolve(JSON.parse(last) as QueueResult);
    });
  });
}

/** Admissions per minute while the line was long: between 10% and 90% of the final count. */
function measuredPace(samples: PaceSample[], total: number): number {
  const from = samples.find((s) => s.admitted >= total * 0.1);
  const to = [...samples].reverse().find((s) => s.admitted <= total * 0.9 && s.waiting > 0);
  if (!from || !to || to.at <= from.at) return 0;
  return round(((to.admitted - from.admitted) * 60_000) / (to.at - from.at), 1);
}

export async function runQueueBench(input: QueueBenchInput): Promise<number> {
  const { server, log } = input;
  const s = queueSettings(input.ci);
  const show = await createShow(server.url, input.adminToken, s.seats);
  const admin = { Authorization: `Bearer ${input.adminToken}` };
  log(
    `Show ${show.showId}: ${s.seats} seats; queue ${s.admitPerMinute}/min; ${s.users} users join ` +
      `before the opening, ${s.lateUsers} after it; ${s.connections} connections poll back to back ` +
      `for ${s.pollCapacityMs / 1000} s before the opening; after it each user polls every ` +
      `${s.pollMinMs / 1000}-${s.pollMaxMs / 1000} s until admitted, then buys one seat`,
  );

  const samples: PaceSample[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      // From the coordinator itself, with its time: no isolate's cached copy lags behind.
      const res = await fetch(`${server.url}/v1/shows/${show.showId}/queue/stats`, {
        headers: admin,
      });
      if (res.status === 200) {
        const body = (await res.json()) as { admitted: number; waiting: number; as_of: string };
        samples.push({
          at: Date.parse(body.as_of),
          admitted: body.admitted,
          waiting: body.waiting,
        });
      } else await res.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  })();
  const result = await runQueueLoad(
    {
      baseUrl: server.url,
      showId: show.showId,
      adminToken: input.adminToken,
      admitPerMinute: s.admitPerMinute,
      users: s.users,
      lateUsers: s.lateUsers,
      impatient: s.impatient,
      connections: s.connections,
      pollCapacityMs: s.pollCapacityMs,
      pollMinMs: s.pollMinMs,
      pollMaxMs: s.pollMaxMs,
      deadlineMs: s.deadlineMs,
      serverPids: workerdProcesses().map((p) => p.pid),
    },
    input.secret,
    s.deadlineMs + 120_000,
  );
  sampling = false;
  await sampler;
  const statsRes = await fetch(`${server.url}/v1/shows/${show.showId}/queue/stats`, {
    headers: admin,
  });
  const stats = (await statsRes.json()) as {
    admitted: number;
    rows_written: { shards: number; coordinator: number };
  };
  const users = s.users + s.lateUsers;
  const joins = result.joins.count + result.lateJoins.count;
  const pace = measuredPace(samples, stats.admitted);
  const paceRatio = round(pace / s.admitPerMinute, 3);
  const r = result;
  const checks = [
    { name: "every user joined", passed: joins === users },
    { name: "every user admitted, once", passed: r.admitted === joins && r.admittedTwice === 0 },
    {
      name: "the pre-opening crowd shuffled (consecutive joiners in order about half the time)",
      passed: Math.abs(r.preOpeningInJoinOrder - 0.5) < 0.05,
    },
    { name: "late joiners first come, first served", passed: r.lateOutOfOrder === 0 },
    {
      name: "locks without a pass refused at the gate (403 QUEUE_REQUIRED)",
      passed: r.impatient.refused === r.impatient.tried,
    },
    {
      name: "the sale heard only from admitted users (no show answer to anyone else)",
      passed: r.sale.answersToUnadmitted === 0 && r.sale.usersReachingShow <= r.admitted,
    },
    { name: "seats sold = seats (sold out, no double sale)", passed: r.sale.booked === s.seats },
    {
      name: "admission pace within 5% of admit_per_minute",
      passed: Math.abs(paceRatio - 1) <= 0.05,
    },
    { name: "no unexpected answers", passed: Object.keys(r.sale.unexpected).length === 0 },
  ];
  const cost = (t: {
    server: { serverCores: number; busiestThreadCores: number };
    clientCores: number;
  }) =>
    `workerd ${t.server.serverCores} cores (busiest thread ${t.server.busiestThreadCores}), load process ${t.clientCores}`;
  const lines = [
    `Joins: ${r.joins.count} in ${r.joins.seconds} s = ${r.joins.perSecond}/s, p50 ${r.joins.latencyMs.p50} ms, ` +
      `p99 ${r.joins.latencyMs.p99} ms; failures ${JSON.stringify(r.joins.failures)}; ${cost(r.joins)}`,
    `Polls, back to back (capacity): ${r.pollCapacity.count} in ${r.pollCapacity.seconds} s = ` +
      `${r.pollCapacity.perSecond}/s, p50 ${r.pollCapacity.latencyMs.p50} ms, p99 ${r.pollCapacity.latencyMs.p99} ms; ` +
      `failures ${JSON.stringify(r.pollCapacity.failures)}; ${cost(r.pollCapacity)}`,
    `Late joins (after the opening): ${r.lateJoins.count} at ${r.lateJoins.perSecond}/s`,
    `Polls while admitting and selling: ${r.polls.count} in ${r.polls.seconds} s = ${r.polls.perSecond}/s ` +
      `(${r.polls.perUser} per user), p50 ${r.polls.latencyMs.p50} ms, p99 ${r.polls.latencyMs.p99} ms; ` +
      `failures ${JSON.stringify(r.polls.failures)}; ${cost(r.polls)}`,
    `Storage rows written per join: shards ${round(stats.rows_written.shards / Math.max(1, joins), 3)}, ` +
      `coordinator ${round(stats.rows_written.coordinator / Math.max(1, joins), 4)} ` +
      `(${stats.rows_written.shards} and ${stats.rows_written.coordinator} rows)`,
    `Admission pace: ${pace}/min (coordinator's clock, 10-90% of admissions) vs ${s.admitPerMinute}/min set ` +
      `(${paceRatio}x); ${stats.admitted} admitted in all`,
    `Order: consecutive pre-opening joiners admitted in join order ${r.preOpeningInJoinOrder} of the time ` +
      `(0.5 = random); ${r.lateOutOfOrder} late joiners placed ahead of a join answered before theirs was sent`,
    `Sale: ${r.sale.lockAttempts} lock requests from admitted users (${r.sale.locksOk} ok, ${r.sale.conflicts} conflicts), ` +
      `${r.sale.booked} booked (lock p50 ${r.sale.lockLatencyMs.p50} ms, book p50 ${r.sale.bookLatencyMs.p50} ms); ` +
      `${r.sale.usersReachingShow} distinct users reached the show object, ${r.sale.answersToUnadmitted} of them not admitted; ` +
      `impatient: ${r.impatient.refused}/${r.impatient.tried} refused ${JSON.stringify(r.impatient.answers)}; ` +
      `unexpected ${JSON.stringify(r.sale.unexpected)}`,
  ];
  log("");
  for (const line of lines) log(line);
  log("");
  for (const check of checks) log(`  ${check.passed ? "PASS" : "FAIL"}  ${check.name}`);
  const dir = join(projectRoot, "bench-results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "queue.json");
  const report = {
    mode: "queue",
    startedAt: input.startedAt,
    machine: input.machine,
    served: server.describe(),
    settings: s,
    result,
    stats,
    pace: { measuredPerMinute: pace, ratio: paceRatio, samples },
    checks,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`Written: ${file}`);
  return checks.every((check) => check.passed) ? 0 : 1;
}
