import { DurableObject } from "cloudflare:workers";
import { type ApiFailure, failure } from "../contract/api-failure.ts";
import { afterAdmitting, dueAt, nextDueAt, type PaceState, startPace } from "./admission-pace.ts";
import { QueueLine } from "./queue-line.ts";
import { type Entry, isAtOrBefore } from "./queue-order.ts";
import { type QueueShard, READ_LIMIT, type ShardRead } from "./queue-shard.ts";
import type { QueueSettings, QueueSnapshot } from "./queue-snapshot.ts";
import { expiredCursor, noteCursor, type TurnHistory } from "./turn-history.ts";

/** How often the shards are read for new joins while the queue is on. */
const READ_INTERVAL_MS = 1_000;

export interface QueueSettingsInput {
  admitPerMinute: number;
  /** Epoch ms; null: opens now (or keeps the opening already set). */
  opensAt: number | null;
  passTtlSeconds: number;
}

/** What survives a restart besides the settings: the admission cursor and its pace. */
interface Progress {
  cursor: Entry | null;
  admitted: number;
  pace: PaceState;
  /** `[at, cursor]` noted about once a second, as far back as one pass lasts. */
  history: TurnHistory;
}

export type ConfigureResult =
  | { ok: true; snapshot: QueueSnapshot }
  | { ok: false; error: ApiFailure };

/**
 * One per show (`idFromName(show_id)`): the waiting room's settings and its admission
 * cursor. Joins are written by the shards (QueueShard); this object reads their new entries
 * once a second, keeps the waiting line in memory (rebuilt from the shards after a
 * restart), and its alarm admits entries in order at admit_per_minute, spread evenly.
 * Durable: the settings and the progress (cursor, count, pace), in its key-value storage.
 * Worker isolates ask it for a snapshot about once a second each; nothing else reaches it.
 */
export class QueueCoordinator extends DurableObject<Env> {
  /** The clock; tests move it on to run a simulated minute. */
  clock: () => number = () => Date.now();
  private line = new QueueLine();
  private readUpTo: number[] = [];
  /** Entries with keys before this have all been read from every shard. */
  private watermark = 0;
  /** Per shard: entries up to these sequence numbers have exact places (see readShards). */
  private knownUpTo: number[] = [];
  private shardRows = new Map<number, number>();
  private ownRows = 0;
  private lastSaved = "";

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const settings = this.settings;
      if (!settings) return;
      this.readUpTo = new Array<number>(settings.shards).fill(0);
      // Entries the saved cursor passed were counted before the restart.
      await this.readShards(settings);
      // A restart loses no turn: the alarm goes on from the saved cursor.
      if ((await ctx.storage.getAlarm()) === null) await ctx.storage.setAlarm(this.clock());
    });
  }

  // ---- RPC ------------------------------------------------------------------------------

  /**
   * Turns the queue on, or changes its settings while it is on. An opening moved back into
   * the future once the line admits is refused: new joins would be keyed as a pre-opening
   * crowd, below the cursor, and go in at once past everyone waiting.
   */
  async configure(input: QueueSettingsInput, shards: number): Promise<ConfigureResult> {
    const now = this.clock();
    const current = this.settings;
    if (current && current.opensAt <= now && input.opensAt !== null && input.opensAt > now) {
      return { ok: false, error: alreadyAdmitting(current.opensAt) };
    }
    const opensAt = input.opensAt ?? current?.opensAt ?? now;
    const settings: QueueSettings = {
      admitPerMinute: input.admitPerMinute,
      opensAt,
      passTtlSeconds: input.passTtlSeconds,
      shards: current?.shards ?? shards,
      generation: current?.generation ?? (this.ctx.storage.kv.get<number>("generation") ?? 0) + 1,
    };
    if (!current) {
      this.line = new QueueLine();
      this.readUpTo = new Array<number>(settings.shards).fill(0);
      this.knownUpTo = [];
      this.save({
        cursor: null,
        admitted: 0,
        pace: startPace(Math.max(now, opensAt)),
        history: [],
      });
      this.put("generation", settings.generation);
    } else if (
      current.admitPerMinute !== settings.admitPerMinute ||
      current.opensAt !== settings.opensAt
    ) {
      this.save({ ...this.progress, pace: startPace(Math.max(now, opensAt)) });
    }
    this.put("settings", settings);
    await this.ctx.storage.setAlarm(now);
    return { ok: true, snapshot: await this.snapshot() };
  }

  /** Turns the queue off: its line, cursor and tickets are gone; passes are no longer asked for. */
  async disable(): Promise<QueueSnapshot> {
    this.ctx.storage.kv.delete("settings");
    this.ctx.storage.kv.delete("progress");
    this.lastSaved = "";
    this.line = new QueueLine();
    this.readUpTo = [];
    this.knownUpTo = [];
    await this.ctx.storage.deleteAlarm();
    return this.snapshot();
  }

  /** What Worker isolates cache: settings, cursor, counts and samples of the line. */
  async snapshot(): Promise<QueueSnapshot> {
    const at = this.clock();
    const settings = this.settings;
    if (!settings) {
      return { enabled: false, generation: this.ctx.storage.kv.get<number>("generation") ?? 0, at };
    }
    const progress = this.progress;
    let shardRows = 0;
    for (const rows of this.shardRows.values()) shardRows += rows;
    return {
      enabled: true,
      at,
      settings,
      cursor: progress.cursor,
      expiredCursor: expiredCursor(progress.history, at - settings.passTtlSeconds * 1000),
      admitted: progress.admitted,
      waiting: this.line.size,
      samples: this.line.samples(),
      knownUpTo: this.knownUpTo,
      rowsWritten: { shards: shardRows, coordinator: this.ownRows },
    };
  }

  /** Reads new joins, admits what is due, and arms the next tick. */
  override async alarm(): Promise<void> {
    const settings = this.settings;
    if (!settings) return;
    const late = await this.readShards(settings);
    // Turned off (or off and on) while the shards were read: that line is gone.
    if (this.settings?.generation !== settings.generation) return;
    const now = this.clock();
    const read = this.progress;
    const admitted = this.admitDue(settings, { ...read, admitted: read.admitted + late }, now);
    const expiredBefore = now - settings.passTtlSeconds * 1000;
    const history = noteCursor(admitted.history, admitted.cursor, now, expiredBefore);
    const progress = { ...admitted, history };
    this.save(progress);
    let next = now + READ_INTERVAL_MS;
    if (now < settings.opensAt) next = Math.min(next, settings.opensAt);
    else if (this.line.admissible(this.watermark) > 0) {
      next = Math.min(next, nextDueAt(progress.pace, settings.admitPerMinute, now));
    }
    await this.ctx.storage.setAlarm(next);
  }

  // ---- inside ---------------------------------------------------------------------------

  private get settings(): QueueSettings | undefined {
    return this.ctx.storage.kv.get<QueueSettings>("settings");
  }

  private get progress(): Progress {
    return (
      this.ctx.storage.kv.get<Progress>("progress") ?? {
        cursor: null,
        admitted: 0,
        pace: startPace(this.clock()),
        history: [],
      }
    );
  }

  private put(key: string, value: unknown): void {
    this.ctx.storage.kv.put(key, value);
    this.ownRows += 1;
  }

  /** Saves the progress when it changed. */
  private save(progress: Progress): void {
    const text = JSON.stringify(progress);
    if (text === this.lastSaved) return;
    this.put("progress", progress);
    this.lastSaved = text;
  }

  /**
   * Adds every shard's new entries to the line; answers how many the cursor has already
   * passed. After a restart those were admitted before it; otherwise they are joins a
   * shard's clock placed behind the cursor, admitted at once rather than left waiting.
   */
  private async readShards(settings: QueueSettings): Promise<number> {
    const startedAt = this.clock();
    const showId = this.ctx.id.name ?? "";
    const readBefore = [...this.readUpTo];
    let complete = true;
    const reads = await Promise.allSettled(
      this.readUpTo.map((afterSeq, shard) =>
        shardStub(this.env, showId, settings.generation, shard).read(shard, afterSeq),
      ),
    );
    // The reads let other calls in: a line turned off meanwhile must not get these entries.
    if (this.settings?.generation !== settings.generation) return 0;
    const progress = this.progress;
    let late = 0;
    reads.forEach((read, shard) => {
      if (read.status === "rejected") {
        complete = false;
        return;
      }
      const { entries, rowsWritten }: ShardRead = read.value;
      this.shardRows.set(shard, rowsWritten);
      const last = entries.at(-1);
      if (last) this.readUpTo[shard] = last[2];
      // A full page: the shard has more than one read returns (after a restart).
      if (entries.length >= READ_LIMIT) complete = false;
      const fresh = entries.filter((entry) => !isAtOrBefore(entry, progress.cursor));
      late += entries.length - fresh.length;
      this.line.add(fresh);
    });
    if (complete) {
      this.watermark = startedAt;
      // Entries read before this read began were in their shards by then, and so was
      // everyone who joined before them; a complete read has all of those: their places
      // are exact. Clock-free, so a shard's clock cannot make a place look known.
      this.knownUpTo = readBefore;
    }
    return late;
  }

  private admitDue(settings: QueueSettings, progress: Progress, now: number): Progress {
    if (now < settings.opensAt) return progress;
    const due = dueAt(progress.pace, settings.admitPerMinute, now);
    if (due === 0) return progress;
    const admitted = this.line.admit(due, this.watermark);
    return {
      ...progress,
      cursor: admitted.at(-1) ?? progress.cursor,
      admitted: progress.admitted + admitted.length,
      pace: afterAdmitting(progress.pace, admitted.length, due, now),
    };
  }
}

function alreadyAdmitting(opensAt: number): ApiFailure {
  const opened = new Date(opensAt).toISOString();
  return failure(
    409,
    "QUEUE_ALREADY_ADMITTING",
    `opens_at: the line has been admitting since ${opened}; a later opening would let new joiners pass those waiting. Turn the queue off and on for a new line.`,
    { field: "opens_at", reason: "the line is already admitting", opened_at: opened },
  );
}

/**
 * The objects' RPC as they answer it: the stubs' generated types widen tuples (an Entry)
 * to arrays, so the stubs are typed by the classes' own signatures instead.
 */
type Api<T, K extends keyof T> = Pick<T, K>;
type CoordinatorApi = Api<QueueCoordinator, "configure" | "disable" | "snapshot">;
type ShardApi = Api<QueueShard, "join" | "read">;

export function coordinatorStub(env: Env, showId: string): CoordinatorApi {
  const stub = env.QUEUE_COORDINATOR.get(env.QUEUE_COORDINATOR.idFromName(showId));
  return stub as unknown as CoordinatorApi;
}

export function shardStub(env: Env, showId: string, generation: number, shard: number): ShardApi {
  const name = `${showId}#${generation}#${shard}`;
  return env.QUEUE_SHARD.get(env.QUEUE_SHARD.idFromName(name)) as unknown as ShardApi;
}
