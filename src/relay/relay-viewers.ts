/** A viewer gets at most one snapshot per this interval; extra `resync`s are coalesced. */
const SNAPSHOT_INTERVAL_MS = 1_000;
/** Messages a viewer may send that are not understood before its socket is closed. */
const MAX_UNKNOWN_MESSAGES = 10;
/**
 * `resync`s a viewer may send while its next snapshot is not due yet. A viewer asks once
 * per gap and then waits for its snapshot; one that keeps asking is flooding.
 */
const MAX_EARLY_RESYNCS = 10;
/** Close code for a viewer that keeps sending what the feed does not speak (RFC 6455). */
const POLICY_VIOLATION = 1008;

/** What each viewer's socket keeps across hibernation. */
interface ViewerAttachment {
  lastSnapshotAt: number;
  unknownMessages: number;
}

/**
 * The rules for what viewers send a relay: `resync` answered with a snapshot at most once
 * a second per viewer, `ping` answered by the runtime, anything else ignored, and a viewer
 * that keeps sending what it should not closed with 1008. Nothing a viewer sends makes the
 * relay do work for other viewers.
 */
export class RelayViewers {
  /** Viewers whose coalesced resync is scheduled. */
  private readonly resyncTimers = new Map<WebSocket, ReturnType<typeof setTimeout>>();
  /** `resync`s received per viewer since its last snapshot while none was due. */
  private readonly earlyResyncs = new Map<WebSocket, number>();

  /** `send` sends the viewer a snapshot of the seats as they are now. */
  constructor(private readonly send: (ws: WebSocket) => void) {}

  /** A viewer's first snapshot (or resume) went out now: its resync pace starts here. */
  started(ws: WebSocket, now: number): void {
    ws.serializeAttachment({ lastSnapshotAt: now, unknownMessages: 0 } satisfies ViewerAttachment);
  }

  message(ws: WebSocket, message: string | ArrayBuffer): void {
    if (message === "resync") {
      this.resync(ws);
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
  private resync(ws: WebSocket): void {
    const now = Date.now();
    const dueAt = attachmentOf(ws).lastSnapshotAt + SNAPSHOT_INTERVAL_MS;
    if (now >= dueAt && !this.resyncTimers.has(ws)) {
      this.sendSnapshot(ws, now);
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
        this.sendSnapshot(ws, Date.now());
      }, dueAt - now),
    );
  }

  private sendSnapshot(ws: WebSocket, now: number): void {
    this.earlyResyncs.delete(ws);
    const viewer = attachmentOf(ws);
    // Survives hibernation, so the pace holds for a viewer whose relay was evicted.
    ws.serializeAttachment({ ...viewer, lastSnapshotAt: now } satisfies ViewerAttachment);
    this.send(ws);
  }
}

function attachmentOf(ws: WebSocket): ViewerAttachment {
  const stored = ws.deserializeAttachment() as Partial<ViewerAttachment> | null;
  return {
    lastSnapshotAt: stored?.lastSnapshotAt ?? 0,
    unknownMessages: stored?.unknownMessages ?? 0,
  };
}
