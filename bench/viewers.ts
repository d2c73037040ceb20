/**
 * Live seat-map viewers: WebSockets on /v1/shows/{id}/seats/live (Node's global WebSocket).
 * Each viewer notes when it first hears that a seat is taken; with the buyers' lock answer
 * times (same process, same clock) that gives the broadcast delay of every lock to every
 * viewer. Each distinct message is parsed once and also keeps the shared SeatBoard current.
 */
import { Histogram } from "./histogram.ts";
import type { SeatBoard, SeatsMessage } from "./seat-board.ts";
import { Samples } from "./stats.ts";

const SNAPSHOT_PREFIX = '{"type":"snapshot"';

interface Viewer {
  socket: WebSocket;
  lastVersion: number;
  /** performance.now() when this viewer first heard each seat was taken; NaN if not yet. */
  takenAt: Float64Array;
  messages: number;
}

export interface LockSeen {
  seatIds: string[];
  seatIndexes: number[];
  /** performance.now() when the lock answer reached the buyer. */
  answeredAt: number;
  /** The lock's `locked_at` (the show object's clock, this machine's) on the same scale. */
  committedAt: number;
}

export interface BroadcastDelays {
  /** From the lock answer at the buyer to each viewer. */
  fromAnswer: Samples;
  /** From the lock's commit in the show object to each viewer. */
  fromCommit: Samples;
  /** The same, as a histogram that merges with other processes' viewers. */
  fromCommitHistogram: Histogram;
  /** (lock, viewer) pairs never delivered. */
  missed: number;
}

export class ViewerPool {
  private readonly url: string;
  private readonly board: SeatBoard;
  private readonly viewers: Viewer[] = [];
  private readonly parsed = new Map<string, SeatsMessage | null>();
  gaps = 0;
  failedToConnect = 0;
  /** The WebSocket extensions the server agreed to (permessage-deflate or none). */
  extensions = "";

  constructor(url: string, board: SeatBoard) {
    this.url = url;
    this.board = board;
  }

  get connected(): number {
    return this.viewers.length;
  }

  /** Opens `count` viewers, `batch` at a time, each ready once its snapshot arrived. */
  async connect(count: number, batch: number, timeoutMs: number): Promise<void> {
    for (let started = 0; started < count; started += batch) {
      const size = Math.min(batch, count - started);
      const opened = await Promise.all(Array.from({ length: size }, () => this.open(timeoutMs)));
      for (const viewer of opened) {
        if (viewer) this.viewers.push(viewer);
        else this.failedToConnect++;
      }
    }
  }

  /** Waits until every viewer has seen `version` (or the time is up). */
  async caughtUp(version: number, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (this.viewers.every((v) => v.lastVersion >= version)) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  get messagesPerViewer(): number {
    if (this.viewers.length === 0) return 0;
    return Math.round(this.viewers.reduce((sum, v) => sum + v.messages, 0) / this.viewers.length);
  }

  /** Broadcast delay of each lock to each viewer; pairs never delivered are counted apart. */
  delays(locks: readonly LockSeen[]): BroadcastDelays {
    const delays: BroadcastDelays = {
      fromAnswer: new Samples(),
      fromCommit: new Samples(),
      fromCommitHistogram: new Histogram(),
      missed: 0,
    };
    for (const lock of locks) {
      for (const viewer of this.viewers) {
        let heard = Number.NEGATIVE_INFINITY;
        for (const index of lock.seatIndexes) heard = Math.max(heard, viewer.takenAt[index] ?? NaN);
        if (Number.isNaN(heard)) {
          delays.missed++;
        } else {
          delays.fromAnswer.add(heard - lock.answeredAt);
          delays.fromCommit.add(heard - lock.committedAt);
          delays.fromCommitHistogram.add(heard - lock.committedAt);
        }
      }
    }
    return delays;
  }

  async close(timeoutMs: number): Promise<void> {
    const closed = this.viewers.map(
      (viewer) =>
        new Promise<void>((resolve) => {
          if (viewer.socket.readyState === WebSocket.CLOSED) return resolve();
          viewer.socket.addEventListener("close", () => resolve());
          viewer.socket.close(1000, "done");
        }),
    );
    await Promise.race([
      Promise.all(closed),
      new Promise((resolve) => setTimeout(resolve, timeoutMs)),
    ]);
  }

  private open(timeoutMs: number): Promise<Viewer | undefined> {
    return new Promise((resolve) => {
      const socket = new WebSocket(this.url);
      const viewer: Viewer = {
        socket,
        lastVersion: -1,
        takenAt: new Float64Array(this.board.size).fill(NaN),
        messages: 0,
      };
      const timer = setTimeout(() => {
        socket.close();
        resolve(undefined);
      }, timeoutMs);
      socket.addEventListener("error", () => {
        clearTimeout(timer);
        resolve(undefined);
      });
      socket.addEventListener("message", (event: MessageEvent) => {
        const at = performance.now();
        if (typeof event.data !== "string") return;
        if (event.data.startsWith(SNAPSHOT_PREFIX)) {
          viewer.lastVersion = snapshotVersion(event.data);
          this.extensions = socket.extensions ?? "";
          clearTimeout(timer);
          resolve(viewer);
          return;
        }
        this.receive(viewer, event.data, at);
      });
    });
  }

  private receive(viewer: Viewer, text: string, at: number): void {
    let message = this.parsed.get(text);
    if (message === undefined) {
      message = this.board.parse(text) ?? null;
      this.parsed.set(text, message);
      if (message) this.board.apply(message);
    }
    if (!message) return;
    viewer.messages++;
    if (message.fromVersion !== viewer.lastVersion) {
      this.gaps++;
      viewer.socket.send("resync");
    }
    viewer.lastVersion = message.version;
    for (const seat of message.seats) {
      if (!seat.taken) viewer.takenAt[seat.index] = NaN;
      else if (Number.isNaN(viewer.takenAt[seat.index])) viewer.takenAt[seat.index] = at;
    }
  }
}

/** The version of a snapshot, read from its head without parsing the whole seat map. */
function snapshotVersion(text: string): number {
  const match = /"version":(\d+)/.exec(text.slice(0, 400));
  return match?.[1] ? Number(match[1]) : -1;
}
