import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { z } from "zod";
import type { QueueCoordinator } from "../../src/queue/queue-coordinator.ts";
import type {
  queueJoinSchema,
  queueSettingsSchema,
  queueStatusSchema,
} from "../../src/queue/queue-schemas.ts";
import type { EnabledSnapshot, QueueSnapshot } from "../../src/queue/queue-snapshot.ts";
import { readTicket } from "../../src/queue/queue-tokens.ts";
import { forgetQueueSnapshot } from "../../src/queue/snapshot-cache.ts";
import { adminToken, call, createShow, tokenFor } from "./helpers.ts";

/** A show's queue coordinator, driven on a clock the test moves (real time plus an offset). */
export class QueueDriver {
  private readonly stub;
  offsetMs = 0;

  constructor(readonly showId: string) {
    this.stub = env.QUEUE_COORDINATOR.get(env.QUEUE_COORDINATOR.idFromName(showId));
  }

  /** Puts the object on the test's clock; call before the queue is turned on. */
  async useTestClock(): Promise<void> {
    await runInDurableObject(this.stub, (object: QueueCoordinator) => {
      object.clock = () => Date.now() + this.offsetMs;
    });
  }

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the clock to the object's next alarm (or by `ms` at least) and runs it. */
  async tick(atLeastMs = 0): Promise<void> {
    const alarmAt = await runInDurableObject(this.stub, (_o: QueueCoordinator, state) =>
      state.storage.getAlarm(),
    );
    const target = Math.max(alarmAt ?? 0, this.now() + atLeastMs);
    this.offsetMs = target - Date.now();
    await runDurableObjectAlarm(this.stub);
    forgetQueueSnapshot(this.showId);
  }

  async snapshot(): Promise<EnabledSnapshot> {
    const snapshot = (await this.stub.snapshot()) as unknown as QueueSnapshot;
    if (!snapshot.enabled) throw new Error("queue is off");
    return snapshot;
  }
}

export async function turnQueueOn(showId: string, settings: Record<string, unknown>) {
  const res = await call("PUT", `/v1/shows/${showId}/queue`, {
    token: await adminToken(),
    body: settings,
  });
  if (res.status !== 200) throw new Error(`queue on: ${res.status} ${await res.text()}`);
  forgetQueueSnapshot(showId);
  return res.json() as Promise<z.infer<typeof queueSettingsSchema>>;
}

export async function turnQueueOff(showId: string): Promise<void> {
  await call("DELETE", `/v1/shows/${showId}/queue`, { token: await adminToken() });
  forgetQueueSnapshot(showId);
}

export interface Joined {
  user: string;
  token: string;
  ticket: string;
  entry: [number, number, number];
  body: z.infer<typeof queueJoinSchema>;
}

export async function join(showId: string, user: string): Promise<Joined> {
  const token = await tokenFor(user);
  const res = await call("POST", `/v1/shows/${showId}/queue/join`, { token });
  if (res.status !== 200) throw new Error(`join: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as z.infer<typeof queueJoinSchema>;
  const ticket = await readTicket(body.queue_ticket, env.JWT_SECRET);
  if (!ticket) throw new Error("join answered a ticket that does not verify");
  return { user, token, ticket: body.queue_ticket, entry: ticket.entry, body };
}

export async function status(showId: string, ticket: string): Promise<Response> {
  forgetQueueSnapshot(showId);
  return call("GET", `/v1/shows/${showId}/queue/status`, { headers: { "X-Queue-Ticket": ticket } });
}

/** A join's or status's answer for a holder still waiting; fails the test if admitted. */
export function waiting<T extends { admitted: boolean }>(
  answer: T,
): Extract<T, { admitted: false }> {
  if (answer.admitted)
    throw new Error(`expected a holder still waiting: ${JSON.stringify(answer)}`);
  return answer as Extract<T, { admitted: false }>;
}

export async function statusBody(showId: string, ticket: string) {
  const res = await status(showId, ticket);
  if (res.status !== 200) throw new Error(`status: ${res.status} ${await res.text()}`);
  return (await res.json()) as z.infer<typeof queueStatusSchema>;
}

/** Shows whose queue a test turned on, turned off after it (an enabled queue's alarm ticks every second). */
const queued: string[] = [];

/**
 * A new show with its waiting room on (`settings`), its coordinator on the test clock
 * unless `realClock`. Call `turnQueuesOff` after each test (afterEach) to stop them all.
 */
export async function queuedShow(
  settings: Record<string, unknown> = { admit_per_minute: 600 },
  { realClock = false } = {},
) {
  const { showId } = await createShow();
  queued.push(showId);
  const driver = new QueueDriver(showId);
  if (!realClock) await driver.useTestClock();
  await turnQueueOn(showId, settings);
  return { showId, driver };
}

export async function turnQueuesOff(): Promise<void> {
  for (const showId of queued.splice(0)) await turnQueueOff(showId);
}
