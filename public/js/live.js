/**
 * The live seat map: a WebSocket to /v1/shows/{id}/seats/live in its compact form. The
 * page holds the show's layout (GET …/layout), so the feed sends statuses only: a `status`
 * snapshot (one character per seat, in layout order), then `[index, code]` changes. Each
 * change message says which version it starts from; if that is not the version the page
 * holds, a message was missed, so the page asks for a fresh snapshot ("resync") rather
 * than show a wrong map. Connecting with `since=<the version the page holds>` gets only
 * what changed since (after a dropped connection or a deploy), or a snapshot when the
 * server no longer has it.
 *
 * Connections drop (laptops sleep, phones change networks, servers restart), so this
 * reconnects by itself with growing, jittered delays, and pings to notice a dead link
 * that never reported closing.
 *
 * The status letters come from live-protocol.js, generated from the server's own
 * definition (src/contract/live-protocol.ts).
 */
import { MESSAGE_TYPES, STATUS_OF } from "./live-protocol.js";

const PING_EVERY_MS = 20_000;
const PONG_WITHIN_MS = 8_000;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 15_000;

export class LiveSeats {
  /**
   * @param {string} showId
   * @param {object} handlers
   * @param {() => string[]} handlers.layoutIds the show's seat ids in layout order
   * @param {(snapshot: {version: number, seats: {seat_id: string, status: string}[]}) => void} handlers.onSnapshot every seat's status
   * @param {(version: number, seats: {seat_id: string, status: string}[]) => void} handlers.onChanges
   * @param {() => number} handlers.currentVersion the version the page holds
   * @param {(state: "connecting" | "live" | "reconnecting" | "offline") => void} handlers.onState
   */
  constructor(showId, handlers) {
    this.showId = showId;
    this.handlers = handlers;
    this.socket = null;
    this.retries = 0;
    this.stopped = false;
    this.awaitingSnapshot = true;
    this.retryTimer = undefined;
    this.pingTimer = undefined;
    this.pongTimer = undefined;
    this.onOnline = () => this.reconnectNow();
    this.onVisible = () => {
      if (document.visibilityState === "visible") this.reconnectNow();
    };
  }

  start() {
    window.addEventListener("online", this.onOnline);
    document.addEventListener("visibilitychange", this.onVisible);
    this.connect();
  }

  /** Closes for good (the page switched shows). */
  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    document.removeEventListener("visibilitychange", this.onVisible);
    clearTimeout(this.retryTimer);
    this.stopHeartbeat();
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "leaving");
  }

  url(since) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const query = since >= 0 ? `?format=compact&since=${since}` : "?format=compact";
    return `${scheme}//${location.host}/v1/shows/${encodeURIComponent(this.showId)}/seats/live${query}`;
  }

  connect() {
    if (this.stopped) return;
    this.handlers.onState(this.retries === 0 ? "connecting" : "reconnecting");
    // The version the page holds (from its read, or from before the connection dropped).
    const since = this.handlers.currentVersion();
    let socket;
    try {
      socket = new WebSocket(this.url(since));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    // Resuming: the feed sends what changed since, or a snapshot if it cannot.
    this.awaitingSnapshot = !(since >= 0);
    socket.addEventListener("open", () => {
      this.startHeartbeat(socket);
      if (!this.awaitingSnapshot) {
        this.retries = 0;
        this.handlers.onState("live");
      }
    });
    socket.addEventListener("message", (event) => this.receive(socket, event.data));
    // "error" is always followed by "close"; reconnecting is handled there only.
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopHeartbeat();
      this.scheduleReconnect();
    });
  }

  receive(socket, data) {
    if (socket !== this.socket) return;
    clearTimeout(this.pongTimer);
    if (data === "pong") return;
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (message.type === MESSAGE_TYPES.status) {
      this.retries = 0;
      this.awaitingSnapshot = false;
      const ids = this.handlers.layoutIds();
      const seats = ids.map((seatId, i) => ({
        seat_id: seatId,
        status: STATUS_OF[message.status[i]],
      }));
      this.handlers.onSnapshot({ version: message.version, seats, areas: message.areas });
      this.handlers.onState("live");
    } else if (message.type === MESSAGE_TYPES.show) {
      this.handlers.onShow?.(message);
    } else if (message.type === MESSAGE_TYPES.seats) {
      // Changes that arrive while a snapshot is on its way are in that snapshot already.
      if (this.awaitingSnapshot) return;
      if (message.from_version !== this.handlers.currentVersion()) {
        // A gap (or the page's own read got ahead): start again from a full map.
        this.awaitingSnapshot = true;
        socket.send("resync");
        return;
      }
      const ids = this.handlers.layoutIds();
      const seats = (message.changes ?? []).map(([index, code]) => ({
        seat_id: ids[index],
        status: STATUS_OF[code],
      }));
      this.handlers.onChanges(message.version, seats, message.areas);
    }
  }

  scheduleReconnect() {
    if (this.stopped) return;
    this.handlers.onState(navigator.onLine === false ? "offline" : "reconnecting");
    const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.retries);
    // Full jitter: thousands of viewers of one show must not come back in lockstep.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.retries++;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Back online or back in view: try at once instead of waiting out the backoff. */
  reconnectNow() {
    if (this.stopped || this.socket) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  startHeartbeat(socket) {
    this.stopHeartbeat();
    this.pingTimer = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send("ping");
      clearTimeout(this.pongTimer);
      // No answer at all: the link is dead without having said so. A close handshake may
      // never finish on a dead link, so let go of the socket now and reconnect.
      this.pongTimer = setTimeout(() => this.abandon(socket), PONG_WITHIN_MS);
    }, PING_EVERY_MS);
  }

  abandon(socket) {
    if (this.socket !== socket) return;
    this.socket = null;
    this.stopHeartbeat();
    socket.close(4000, "no pong");
    this.scheduleReconnect();
  }

  stopHeartbeat() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }
}
