import { DurableObject } from "cloudflare:workers";
import { type LiveChange, mergeChanges } from "../contract/live-protocol.ts";
import { showStub } from "../contract/object-stubs.ts";
import { RELAY_CAPACITY_HEADER, RELAY_FULL_HEADER, showOfRelay } from "../contract/relay-names.ts";
import type { SeatStatusRead } from "../contract/show-rpc.ts";
import { logLine } from "../observability/log.ts";
import { type FeedFormat, RelaySeats, type ShowLayout } from "./relay-seats.ts";
import { RelayViewers } from "./relay-viewers.ts";

/** The version this relay's viewers were last sent, kept across evictions. */
const FORWARDED_KEY = "forwarded_version";
const FORMATS: FeedFormat[] = ["full", "compact"];

/**
 * One of a show's relays (named `<show id>:<n>`): holds up to its capacity of the show's
 * live viewers on hibernatable sockets, keeps the show's seat statuses, and forwards each
 * change the show object publishes to every viewer, rendered once per format. It joins the
 * show's feed with its first viewer and leaves with its last. A change that does not start
 * where the relay is (a publish missed while evicted or failed) makes it catch up from the
 * show first, so every viewer's versions chain.
 */
export class SeatRelay extends DurableObject<Env> {
  private seats: RelaySeats | undefined;
  private loading: Promise<RelaySeats | undefined> | undefined;
  /** Whether queued publishes are being taken (one at a time, in order, across awaits). */
  private taking = false;
  /** Changes published and not taken yet (see takeQueued). */
  private readonly queued: LiveChange[] = [];
  /**
   * Viewers past the capacity check and not yet accepted (the relay joining the feed, or
   * their resume, is awaited). While any is arriving the relay never leaves the feed.
   */
  private arriving = 0;
  /** Set while the relay leaves the feed; a join waits for it, so attach follows detach. */
  private leaving: Promise<void> | undefined;
  private readonly viewers: RelayViewers;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Answered by the runtime without waking a hibernated relay.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    this.viewers = new RelayViewers((ws) => {
      if (this.seats) send(ws, this.seats.snapshot(formatOf(this.ctx, ws)));
    });
  }

  /** The viewer's upgrade (from the Worker's route only): 101, or 503 with RELAY_FULL_HEADER. */
  override async fetch(request: Request): Promise<Response> {
    const capacity = Number(request.headers.get(RELAY_CAPACITY_HEADER));
    // Viewers arriving together are all counted from here, before any await, so a burst
    // cannot pass the check while the relay joins the feed.
    if (this.ctx.getWebSockets().length + this.arriving >= capacity) {
      return new Response(null, { status: 503, headers: { [RELAY_FULL_HEADER]: "1" } });
    }
    const url = new URL(request.url);
    const format: FeedFormat = url.searchParams.get("format") === "compact" ? "compact" : "full";
    const since = url.searchParams.get("since");
    this.arriving++;
    try {
      const seats = await this.ready();
      if (!seats) return new Response(null, { status: 404 });
      let resumed = since === null ? undefined : await this.resume(seats, Number(since));
      // Changes the relay took while the resume was awaited are this viewer's too: from
      // here to the accept nothing awaits, so the viewer chains on from `seats.version`.
      if (resumed && resumed.to < seats.version) {
        const later = seats.since(resumed.to);
        resumed = later ? mergeChanges([resumed, later]) : undefined;
      }
      const { 0: client, 1: server } = new WebSocketPair();
      this.ctx.acceptWebSocket(server, [format]);
      this.viewers.started(server, Date.now());
      if (!resumed) send(server, seats.snapshot(format));
      else if (resumed.to > resumed.from) send(server, seats.message(format, resumed));
      return new Response(null, { status: 101, webSocket: client });
    } finally {
      this.arriving--;
    }
  }

  /**
   * Every change from `since` to this relay's version, if they can be had: from the relay
   * (it held them), else from the show object (which keeps its latest changes stored, so
   * this works after a deploy restarted everything). Undefined: the viewer needs a snapshot.
   */
  private async resume(seats: RelaySeats, since: number): Promise<LiveChange | undefined> {
    const held = seats.since(since);
    if (held) return held;
    const answer = await this.show().liveSince(since);
    // RPC's types turn the [index, code] tuples into arrays of either; they are tuples.
    const value = answer.ok ? (answer.value as LiveChange | SeatStatusRead) : undefined;
    if (!value || !("changes" in value) || value.to < seats.version) return undefined;
    // The show is ahead of this relay: the relay takes the difference first (its viewers
    // too), so the resumed viewer and the others go on from the same version.
    if (value.to > seats.version) {
      const before = seats.version;
      seats.apply(value);
      this.forward(seats, { ...value, from: before });
    }
    return value;
  }

  /** A change from the show object (RPC). */
  publish(change: LiveChange): void {
    this.queued.push(change);
    if (!this.taking) this.startTaking();
  }

  private startTaking(): void {
    this.taking = true;
    // A turn of the event loop first: publishes that arrived while the last change was
    // being sent to thousands of viewers are delivered, and go out with it as one message.
    setTimeout(() => void this.takeQueued(), 0);
  }

  /**
   * Takes the changes queued so far, one at a time and in order, merged into one where they
   * chain, so a fan-out slower than the changes' pace does not build a backlog of messages
   * (each viewer still sees versions that chain).
   */
  private async takeQueued(): Promise<void> {
    try {
      while (this.queued.length > 0) {
        const batch = this.queued.splice(0);
        const merged = batch.length > 1 ? mergeChanges(batch) : batch[0];
        if (merged) await this.take(merged);
        else for (const change of batch) await this.take(change);
        if (this.queued.length > 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } catch (err) {
      // The next publish finds the gap and catches up by version.
      logLine("warn", "relay could not take a change", {
        relay: this.name,
        message: err instanceof Error ? err.message : String(err),
      });
    } finally {
      this.taking = false;
      if (this.queued.length > 0) this.startTaking();
    }
  }

  /**
   * A message about the show (its status, time or prices changed), sent to every viewer as
   * is. New prices change the layout: the relay starts again from the show and sends every
   * viewer a fresh snapshot (full: with the prices; compact: the statuses at the version).
   */
  announce(text: string, layoutChanged = false): void {
    for (const ws of this.open()) send(ws, text);
    if (layoutChanged) void this.restart();
  }

  private async restart(): Promise<void> {
    this.seats = undefined;
    // The viewers get snapshots: no catch-up message before them.
    this.ctx.storage.kv.delete(FORWARDED_KEY);
    const seats = await this.ready();
    if (!seats) return;
    for (const ws of this.open()) send(ws, seats.snapshot(formatOf(this.ctx, ws)));
    this.ctx.storage.kv.put(FORWARDED_KEY, seats.version);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // After an eviction the seats are rebuilt before a snapshot can be sent.
    if (message === "resync") await this.ready();
    this.viewers.message(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.viewers.forget(ws);
    // Reciprocate the close; 1005/1006 are reserved and cannot be sent back.
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
    await this.leaveIfEmpty(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.viewers.forget(ws);
    try {
      ws.close(1011, "error");
    } catch {
      // Already closed.
    }
    await this.leaveIfEmpty(ws);
  }

  // ---- The show's feed --------------------------------------------------------------------

  private get name(): string {
    return this.ctx.id.name ?? "";
  }

  private show() {
    return showStub(this.env, showOfRelay(this.name));
  }

  /** The seats, joining the show's feed first if this relay is not in it (or was evicted). */
  private ready(): Promise<RelaySeats | undefined> {
    if (this.seats) return Promise.resolve(this.seats);
    this.loading ??= this.joinAfterLeaving().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async joinAfterLeaving(): Promise<RelaySeats | undefined> {
    // A detach still on its way must not land after this join's attach.
    while (this.leaving) await this.leaving;
    return this.join();
  }

  private async join(): Promise<RelaySeats | undefined> {
    const show = this.show();
    const [attached, layout] = await Promise.all([show.attachRelay(this.name), show.layout()]);
    if (!attached.ok || !layout.ok) return undefined;
    const { version, status, areas, resale } = attached.value;
    const seats = new RelaySeats(
      JSON.parse(layout.value) as ShowLayout,
      version,
      status ?? "",
      areas,
      resale,
    );
    this.seats = seats;
    // Viewers still here from before an eviction last saw `forwarded`: bring them up to now.
    const forwarded = this.ctx.storage.kv.get<number>(FORWARDED_KEY);
    if (forwarded !== undefined && forwarded !== version && this.open().length > 0) {
      await this.catchUp(seats, forwarded);
    }
    this.ctx.storage.kv.put(FORWARDED_KEY, seats.version);
    return seats;
  }

  private async take(change: LiveChange): Promise<void> {
    if (!this.hasViewers()) {
      await this.leaveIfEmpty();
      return;
    }
    const seats = await this.ready();
    if (!seats || change.to <= seats.version) return;
    if (change.from > seats.version) await this.catchUp(seats, seats.version);
    if (change.from > seats.version || change.to <= seats.version) return;
    this.forward(seats, seats.apply(change));
  }

  /**
   * Brings viewers who saw `version` up to the show's current one: one message with every
   * change since, when the show still holds them; else a snapshot each.
   */
  private async catchUp(seats: RelaySeats, version: number): Promise<void> {
    const since = await this.show().liveSince(version);
    if (!since.ok) return;
    // RPC's types turn the [index, code] tuples into arrays of either; they are tuples.
    const value = since.value as LiveChange | SeatStatusRead;
    if ("changes" in value) {
      if (value.to <= seats.version && version === seats.version) return;
      seats.apply(value);
      this.forward(seats, { ...value, from: version });
      return;
    }
    seats.reset(value.version, value.status ?? "", value.areas, value.resale);
    for (const ws of this.open()) send(ws, seats.snapshot(formatOf(this.ctx, ws)));
    this.ctx.storage.kv.put(FORWARDED_KEY, seats.version);
  }

  /** Sends a change to every viewer, rendered once per format. */
  private forward(seats: RelaySeats, change: LiveChange): void {
    for (const format of FORMATS) {
      const sockets = this.ctx.getWebSockets(format);
      if (sockets.length === 0) continue;
      const text = seats.message(format, change);
      for (const ws of sockets) send(ws, text);
    }
    this.ctx.storage.kv.put(FORWARDED_KEY, seats.version);
  }

  /**
   * Leaves the show's feed when no viewer is left (`closing` is on its way out) and none is
   * arriving: a relay with viewers, or about to have one, stays attached.
   */
  private async leaveIfEmpty(closing?: WebSocket): Promise<void> {
    if (this.hasViewers(closing) || this.leaving) return;
    this.seats = undefined;
    this.ctx.storage.kv.delete(FORWARDED_KEY);
    this.leaving = this.show()
      .detachRelay(this.name)
      .finally(() => {
        this.leaving = undefined;
      });
    await this.leaving;
    // A viewer who came while leaving joins again through ready(); one already accepted
    // (a hibernated socket's message) needs the relay back in the feed too.
    if (this.open().length > 0) await this.ready();
  }

  /** Whether a viewer is connected (other than `closing`) or arriving. */
  private hasViewers(closing?: WebSocket): boolean {
    return this.arriving > 0 || this.open().some((ws) => ws !== closing);
  }

  private open(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
  }
}

function formatOf(ctx: DurableObjectState, ws: WebSocket): FeedFormat {
  return ctx.getTags(ws).includes("compact") ? "compact" : "full";
}

function send(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // A socket closing under us; its close handler cleans it up.
  }
}
