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
  users: ci ? 2_000 : 20_000,
  seats: 1_000,
  impatient: 200,
  admitPerMinute: ci ? 6_000 : 12_000,
  /** The opening comes this long after the queue is turned on: earlier joins are shuffled. */
  openingDelayMs: 5_000,
  connections: 128,
  pollMinMs: 2_000,
  pollMaxMs: 10_000,
  deadlineMs: ci ? 120_000 : 300_000,
});

interface PaceSample {
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
  const admin = { Authorization: `Bearer ${input.adminToken}`, "Content-Type": "application/json" };
  const opensAt = new Date(Date.now() + s.openingDelayMs).toISOString();
  const put = await fetch(`${server.url}/v1/shows/${show.showId}/queue`, {
    method: "PUT",
    headers: admin,
    body: JSON.stringify({ admit_per_minute: s.admitPerMinute, opens_at: opensAt }),
  });
  if (put.status !== 200) throw new Error(`queue on: ${put.status} ${await put.text()}`);
  log(
    `Show ${show.showId}: ${s.seats} seats; queue on, ${s.admitPerMinute}/min, opens ${opensAt}; ` +
      `${s.users} users join, poll every ${s.pollMinMs / 1000}-${s.pollMaxMs / 1000} s, buy one seat each`,
  );

  const samples: PaceSample[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const res = await fetch(`${server.url}/v1/shows/${show.showId}/queue`);
      const body = (await res.json()) as { admitted: number; waiting: number };
      samples.push({ at: Date.now(), admitted: body.admitted, waiting: body.waiting });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  })();
  const result = await runQueueLoad(
    {
      baseUrl: server.url,
      showId: show.showId,
      users: s.users,
      impatient: s.impatient,
      connections: s.connections,
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
  const joins = result.joins.count;
  const pace = measuredPace(samples, stats.admitted);
  const paceRatio = round(pace / s.admitPerMinute, 3);
  const r = result;
  const checks = [
    { name: "every user joined", passed: joins === s.users },
    { name: "every user admitted, once", passed: r.admitted === joins && r.admittedTwice === 0 },
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
  const lines = [
    `Joins: ${joins} in ${r.joins.seconds} s = ${r.joins.perSecond}/s, p50 ${r.joins.latencyMs.p50} ms, p99 ${r.joins.latencyMs.p99} ms; ` +
      `${r.joinedBeforeOpening} before the opening; failures ${JSON.stringify(r.joins.failures)}; ` +
      `workerd ${r.joins.server.serverCores} cores (busiest thread ${r.joins.server.busiestThreadCores})`,
    `Polls: ${r.polls.count} in ${r.polls.seconds} s = ${r.polls.perSecond}/s (${r.polls.perUser} per user), ` +
      `p50 ${r.polls.latencyMs.p50} ms, p99 ${r.polls.latencyMs.p99} ms; failures ${JSON.stringify(r.polls.failures)}; ` +
      `workerd ${r.polls.server.serverCores} cores (busiest thread ${r.polls.server.busiestThreadCores})`,
    `Storage rows written per join: shards ${round(stats.rows_written.shards / Math.max(1, joins), 3)}, ` +
      `coordinator ${round(stats.rows_written.coordinator / Math.max(1, joins), 4)} ` +
      `(${stats.rows_written.shards} and ${stats.rows_written.coordinator} rows)`,
    `Admission pace: ${pace}/min measured over 10-90% of admissions vs ${s.admitPerMinute}/min set (${paceRatio}x); ` +
      `${stats.admitted} admitted in all`,
    `Sale: ${r.sale.lockAttempts} lock requests from admitted users (${r.sale.locksOk} ok, ${r.sale.conflicts} conflicts), ` +
      `${r.sale.booked} booked (lock p50 ${r.sale.lockLatencyMs.p50} ms, book p50 ${r.sale.bookLatencyMs.p50} ms); ${r.sale.usersReachingShow} distinct users reached the show object, all admitted; ` +
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
