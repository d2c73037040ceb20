/**
 * A crowd of live viewers in one load process (`kind: "crowd"`): `viewers` sockets on the
 * compact feed (`?format=compact`, as the web page reads it), opened before the sale. Each
 * viewer notes, per seat, when it first heard the seat was taken; after the sale, run.ts
 * sends the sale's locks (seat ids, commit times), and the crowd answers with the delay of
 * every lock to every viewer as a histogram, the pairs never delivered, and the gaps seen.
 */

import { monitorEventLoopDelay } from "node:perf_hooks";
import { CODE_OF, MESSAGE_TYPES, type SeatCode } from "../src/contract/live-protocol.ts";
import { nextStdinLine, releaseStdin, say } from "./control.ts";
import type { CrowdResult, CrowdTask, SaleLocks } from "./crowd-protocol.ts";
import { FeedSocket } from "./feed-socket.ts";
import { Histogram } from "./histogram.ts";
import { READY_LINE } from "./protocol.ts";
import { round } from "./stats.ts";

interface CrowdViewer {
  socket: FeedSocket;
  lastVersion: number;
  /** Epoch ms when this viewer first heard each seat was taken; NaN while it is free. */
  takenAt: Float64Array;
  messages: number;
}

interface Change {
  from: number;
  to: number;
  /** [layout index, status code] */
  changes: [number, SeatCode][];
}

interface StatusSnapshot {
  version: number;
  status: string;
}

/** The feed's letter for an available seat. */
const AVAILABLE = CODE_OF.available;

/**
 * The wall clock, as the show object stamps `locked_at` and the relay entry its times: this
 * VM's monotonic clock stops while the VM is paused and the wall clock then jumps, so a
 * crowd on `timeOrigin + performance.now()` once measured deliveries before their commits.
 */
const now = () => Date.now();

class Crowd {
  readonly viewers: CrowdViewer[] = [];
  private readonly parsed = new Map<string, Change | StatusSnapshot | null>();
  gaps = 0;
  failed = 0;

  private readonly seats: number;

  constructor(seats: number) {
    this.seats = seats;
  }

  add(socket: FeedSocket, first: string): void {
    const viewer: CrowdViewer = {
      socket,
      lastVersion: -1,
      takenAt: new Float64Array(this.seats).fill(Number.NaN),
      messages: 0,
    };
    this.receive(viewer, first, now());
    socket.onMessage = (text) => this.receive(viewer, text, now());
    this.viewers.push(viewer);
  }

  private parse(text: string): Change | StatusSnapshot | null {
    let message = this.parsed.get(text);
    if (message !== undefined) return message;
    const raw = JSON.parse(text) as {
      type: string;
      version: number;
      from_version?: number;
      status?: string;
      changes?: [number, SeatCode][];
    };
    if (raw.type === MESSAGE_TYPES.status)
      message = { version: raw.version, status: raw.status ?? "" };
    else if (raw.type === MESSAGE_TYPES.seats) {
      message = { from: raw.from_version ?? -1, to: raw.version, changes: raw.changes ?? [] };
    } else message = null;
    // Status snapshots differ per moment and are few; changes repeat for every viewer.
    if (message && "changes" in message) this.parsed.set(text, message);
    return message;
  }

  private receive(viewer: CrowdViewer, text: string, at: number): void {
    const message = this.parse(text);
    if (!message) return;
    viewer.messages++;
    if ("status" in message) {
      viewer.lastVersion = message.version;
      for (let i = 0; i < message.status.length && i < this.seats; i++) {
        if (message.status[i] === AVAILABLE) viewer.takenAt[i] = Number.NaN;
        else if (Number.isNaN(viewer.takenAt[i])) viewer.takenAt[i] = at;
      }
      return;
    }
    if (message.from !== viewer.lastVersion) {
      this.gaps++;
      viewer.socket.send("resync");
    }
    viewer.lastVersion = message.to;
    for (const [index, code] of message.changes) {
      if (code === AVAILABLE) viewer.takenAt[index] = Number.NaN;
      else if (Number.isNaN(viewer.takenAt[index])) viewer.takenAt[index] = at;
    }
  }

  async caughtUp(version: number, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (this.viewers.every((v) => v.lastVersion >= version)) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }
}

/** Each seat id's index in the layout: the index the live feed names seats by. */
export async function layoutIndex(baseUrl: string, showId: string): Promise<Map<string, number>> {
  const response = await fetch(`${baseUrl}/v1/shows/${showId}/layout`);
  if (response.status !== 200) throw new Error(`layout: ${response.status}`);
  const layout = (await response.json()) as { seats: { seat_id: string }[] };
  return new Map(layout.seats.map((seat, i) => [seat.seat_id, i]));
}

export async function runCrowd(task: CrowdTask): Promise<CrowdResult> {
  const index = await layoutIndex(task.baseUrl, task.showId);
  const crowd = new Crowd(index.size);
  const url = `${task.baseUrl.replace(/^http/, "ws")}/v1/shows/${task.showId}/seats/live?format=compact`;
  const connectStarted = performance.now();
  for (let started = 0; started < task.viewers; started += task.batch) {
    const size = Math.min(task.batch, task.viewers - started);
    const opened = await Promise.allSettled(
      Array.from({ length: size }, () => FeedSocket.open(url, task.timeoutMs)),
    );
    for (const result of opened) {
      if (result.status === "fulfilled") crowd.add(result.value.socket, result.value.first);
      else crowd.failed++;
    }
  }
  const connectSeconds = (performance.now() - connectStarted) / 1000;
  // The crowd's own CPU from here on: what it took of the machine's cores during the sale.
  const cpuBefore = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  say(READY_LINE);

  const line = await nextStdinLine();
  releaseStdin();
  const sale = JSON.parse(line ?? "null") as SaleLocks | null;
  const delays = new Histogram();
  const split = sale?.relayTakenAt ? { to: new Histogram(), from: new Histogram() } : undefined;
  let missed = 0;
  let caughtUp = false;
  let cpu = process.cpuUsage(cpuBefore);
  if (sale) {
    caughtUp = await crowd.caughtUp(sale.version, sale.settleMs);
    cpu = process.cpuUsage(cpuBefore);
    loopDelay.disable();
    for (const [seatIds, committedAt] of sale.locks) {
      const seats = seatIds.map((id) => index.get(id) ?? -1);
      // When the relays were told: the last of the lock's seats, as a viewer hears it.
      let relayAt = Number.NEGATIVE_INFINITY;
      for (const seat of seats)
        relayAt = Math.max(relayAt, sale.relayTakenAt?.[seat] ?? Number.NaN);
      for (const viewer of crowd.viewers) {
        let heard = Number.NEGATIVE_INFINITY;
        for (const seat of seats) heard = Math.max(heard, viewer.takenAt[seat] ?? Number.NaN);
        if (Number.isNaN(heard)) missed++;
        else {
          delays.add(heard - committedAt);
          if (split && !Number.isNaN(relayAt)) {
            split.to.add(relayAt - committedAt);
            split.from.add(heard - relayAt);
          }
        }
      }
    }
  }
  loopDelay.disable();
  const messages = crowd.viewers.reduce((sum, v) => sum + v.messages, 0);
  for (const viewer of crowd.viewers) viewer.socket.close();
  return {
    kind: "crowd",
    viewers: task.viewers,
    connected: crowd.viewers.length,
    failedToConnect: crowd.failed,
    connectSeconds: round(connectSeconds, 2),
    caughtUp,
    messages,
    gaps: crowd.gaps,
    missed,
    fromCommit: delays.sparse(),
    ...(split ? { toRelay: split.to.sparse(), fromRelay: split.from.sparse() } : {}),
    clientCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    // The histogram is in nanoseconds.
    loopDelayP99Ms: round(loopDelay.percentile(99) / 1e6, 1),
    loopDelayMaxMs: round(loopDelay.max / 1e6, 1),
  };
}
