import { failure } from "../http/api-failure.ts";
import type { SeatMapBroadcaster } from "./seat-map-broadcaster.ts";
import type { ShowState } from "./show-state.ts";

/** A viewer gets at most one snapshot per this interval; extra `resync`s are coalesced. */
const SNAPSHOT_INTERVAL_MS = 1_000;
/** Messages a viewer may send that are not understood before its socket is closed. */
const MAX_UNKNOWN_MESSAGES = 10;
/**
 * `resync`s a viewer may send while its next snapshot is not due yet. A viewer asks once
 * per gap and then waits for its snapshot; one that keeps asking is flooding, and every
 * message it sends costs the thread that takes the show's locks.
 */
const MAX_EARLY_RESYNCS = 10;
/** Close code for a viewer that keeps sending what the feed does not speak (RFC 6455). */
const POLICY_VIOLATION = 1008;
/** Cloudflare allows 32,768 WebSockets per object; the cap stays under it. */
const DEFAULT_MAX_VIEWERS = 30_000;

/** What each viewer's socket keeps across hibernation. */
interface ViewerAttachment {
  lastSnapshotAt: number;
  unknownMessages: number;
}

/**
 * The live seat map's sockets on the show object: accepting viewers up to a cap, a snapshot
 * first, `resync` answered at most once a second per viewer, anything else ignored and a
 * viewer that keeps sending it closed. Nothing a viewer sends makes the object do work for
 * other viewers.
 */
export class LiveViewers {
  /** Viewers whose coalesced resync is scheduled. */
  private readonly resyncTimers = new Map<WebSocket, ReturnType<typeof setTimeout>>();
  /** `resync`s received per viewer since its last snapshot while none was due. */
  private readonly earlyResyncs = new Map<WebSocket, number>();

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly broadcaster: SeatMapBroadcaster,
    private readonly maxViewers: number,
  ) {}

  /** The upgrade: 101 with the socket, or a refusal in the error envelope's terms. */
  accept(show: ShowState): Response {
    if (this.ctx.getWebSockets().length >= this.maxViewers) {
      const refusal = failure(
        503,
        "VIEWERS_LIMIT_REACHED",
        "This show's live seat map has as many viewers as it can take; retry shortly, or read the seat map",
        { limit: this.maxViewers },
      );
      return Response.json(refusal, { status: 503, headers: { "Retry-After": "5" } });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    this.sendSnapshot(server, show, Date.now());
    return new Response(null, { status: 101, webSocket: client });
  }

  message(ws: WebSocket, message: string | ArrayBuffer, show: ShowState | undefined): void {
    if (message === "resync" && show) {
      this.resync(ws, show);
      return;
    }
    // `ping` is answered by the runtime's auto-response; anything else (any size, text or
    // binary) is not understood, and costs the object nothing but this count.
    if (message === "ping") return;
    const viewer = attachmentOf(ws);
    viewer.unknownMessages++;
    if (viewer.unknownMessages > MAX_UNKNOWN_MESSAGES) {
      this.shut(ws, "the live seat map understands only 'resync' and 'ping'");
      return;
    }
    ws.serializeAttachment(viewer);
  }

  forget(ws: WebSocket): void {
    const timer = this.resyncTimers.get(ws);
    if (timer !== undefined) clearTimeout(timer);
    this.resyncTimers.delete(ws);
    this.earlyResyncs.delete(ws);
  }

  /** Closes a viewer that keeps sending what it should not; the runtime stops its messages. */
  private shut(ws: WebSocket, reason: string): void {
    this.forget(ws);
    try {
      ws.close(POLICY_VIOLATION, reason);
    } catch {
      // Already closed.
    }
  }

  /** A fresh snapshot after the viewer noticed a gap: now, or once its interval is over. */
  private resync(ws: WebSocket, show: ShowState): void {
    const now = Date.now();
    const dueAt = attachmentOf(ws).lastSnapshotAt + SNAPSHOT_INTERVAL_MS;
    if (now >= dueAt && !this.resyncTimers.has(ws)) {
      this.sendSnapshot(ws, show, now);
      return;
    }
    const early = (this.earlyResyncs.get(ws) ?? 0) + 1;
    if (early > MAX_EARLY_RESYNCS) {
      this.shut(ws, "too many resync requests; one per gap is enough");
      return;
    }
    this.earlyResyncs.set(ws, early);
    if (this.resyncTimers.has(ws)) return;
    this.resyncTimers.set(
      ws,
      setTimeout(() => {
        this.resyncTimers.delete(ws);
        this.sendSnapshot(ws, show, Date.now());
      }, dueAt - now),
    );
  }

  private sendSnapshot(ws: WebSocket, show: ShowState, now: number): void {
    show.expireDue(now);
    this.earlyResyncs.delete(ws);
    const viewer = attachmentOf(ws);
    // Survives hibernation, so the pace holds for a viewer whose object was evicted.
    ws.serializeAttachment({ ...viewer, lastSnapshotAt: now } satisfies ViewerAttachment);
    this.broadcaster.sendSnapshot(
      ws,
      () => `{"type":"snapshot",${show.seatMap(Date.now()).slice(1)}`,
    );
  }
}

function attachmentOf(ws: WebSocket): ViewerAttachment {
  const stored = ws.deserializeAttachment() as Partial<ViewerAttachment> | null;
  return {
    lastSnapshotAt: stored?.lastSnapshotAt ?? 0,
    unknownMessages: stored?.unknownMessages ?? 0,
  };
}

/** The cap on a show's viewers: VIEWERS_PER_SHOW, or the default. */
export function maxViewers(env: Env): number {
  const configured = Number(env.VIEWERS_PER_SHOW);
  return Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_MAX_VIEWERS;
}
