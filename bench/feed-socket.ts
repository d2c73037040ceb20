/**
 * A bare WebSocket client on node:net for the viewer crowd (bench/viewer-crowd.ts). One
 * load process holds thousands of viewers, each getting every change: Node's WebSocket
 * costs several times the CPU per message of this frame reader, and the load shares the
 * machine's two cores with the server it measures.
 */
import { connect, type Socket } from "node:net";
import { clientFrame, framesStart, upgradeRequest } from "./raw-web-socket.ts";

const TEXT = 0x1;
const CLOSE = 0x8;
const PING = 0x9;

export class FeedSocket {
  /** Called with each text message (whole; the server does not fragment its messages). */
  onMessage: (text: string) => void = () => undefined;
  onClose: () => void = () => undefined;
  private readonly socket: Socket;
  private pending: Buffer | undefined;
  /** Chunks of a frame larger than what has come so far, and the bytes it needs. */
  private waiting: Buffer[] = [];
  private waitingBytes = 0;
  private needed = 0;
  private upgraded = false;
  private closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
  }

  /** Connects and upgrades; resolves when the first message (the snapshot) arrived. */
  static open(url: string, timeoutMs: number): Promise<{ socket: FeedSocket; first: string }> {
    const target = new URL(url);
    if (target.hostname !== "127.0.0.1") throw new Error(`127.0.0.1 only, not ${url}`);
    return new Promise((resolve, reject) => {
      const raw = connect({ host: target.hostname, port: Number(target.port) });
      raw.setNoDelay(true);
      const ws = new FeedSocket(raw);
      const timer = setTimeout(() => {
        raw.destroy();
        reject(new Error(`no first message from ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.onMessage = (text) => {
        clearTimeout(timer);
        ws.onMessage = () => undefined;
        resolve({ socket: ws, first: text });
      };
      raw.on("connect", () => {
        raw.write(upgradeRequest(target));
      });
      raw.on("data", (chunk: Buffer) => ws.receive(chunk));
      raw.on("error", () => undefined);
      raw.on("close", () => {
        clearTimeout(timer);
        ws.closed = true;
        ws.onClose();
        reject(new Error(`connection to ${url} closed before its first message`));
      });
    });
  }

  get open(): boolean {
    return !this.closed;
  }

  send(text: string): void {
    if (!this.closed) this.socket.write(clientFrame(text));
  }

  close(): void {
    if (this.closed) return;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(1000);
    this.socket.end(clientFrame(payload, CLOSE));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    // A big snapshot (megabytes for a stadium's full seat map) comes in many chunks: they are
    // joined once it is whole, not on every chunk.
    if (this.needed > 0) {
      this.waiting.push(chunk);
      this.waitingBytes += chunk.length;
      if (this.waitingBytes < this.needed) return;
      chunk = Buffer.concat(this.waiting);
      this.waiting = [];
      this.waitingBytes = 0;
      this.needed = 0;
    }
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    if (!this.upgraded) {
      const start = framesStart(data);
      if (start === -1) {
        this.pending = data;
        return;
      }
      if (start === null) {
        this.socket.destroy();
        return;
      }
      this.upgraded = true;
      data = data.subarray(start);
    }
    let at = 0;
    while (at + 2 <= data.length) {
      const first = data[at] ?? 0;
      const short = (data[at + 1] ?? 0) & 0x7f;
      const lengthBytes = short === 126 ? 2 : short === 127 ? 8 : 0;
      const head = 2 + lengthBytes;
      if (at + head > data.length) break;
      const size =
        lengthBytes === 0
          ? short
          : lengthBytes === 2
            ? data.readUInt16BE(at + 2)
            : Number(data.readBigUInt64BE(at + 2));
      if (at + head + size > data.length) {
        this.needed = head + size;
        break;
      }
      const opcode = first & 0x0f;
      const payload = data.subarray(at + head, at + head + size);
      at += head + size;
      if (opcode === TEXT) this.onMessage(payload.toString("utf8"));
      else if (opcode === CLOSE) this.close();
      else if (opcode === PING) this.socket.write(clientFrame(payload, 0xa));
    }
    if (at < data.length) {
      this.pending = Buffer.from(data.subarray(at));
      if (this.needed > 0) {
        this.waiting = [this.pending];
        this.waitingBytes = this.pending.length;
        this.pending = undefined;
      }
    } else this.needed = 0;
  }
}
