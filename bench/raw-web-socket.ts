/**
 * A bare WebSocket client on node:net, for the flooder only. Node's WebSocket cannot do
 * what a flood needs: send prepared frames in batches, count the server's messages without
 * decoding 119 KB snapshots, and drop the connection with a TCP reset. The reset matters:
 * tiny frames pile up by the hundred thousand in the kernel's socket buffers, which no
 * client-side backpressure sees, and a server that answers each with a snapshot would work
 * through all of them after a plain close.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

const SNAPSHOT_PREFIX = Buffer.from('{"type":"snapshot"');
const TEXT = 0x1;
const BINARY = 0x2;
const CLOSE = 0x8;

/** One client frame (masked, as RFC 6455 requires of clients), built once and sent often. */
export function clientFrame(
  payload: string | Uint8Array,
  opcode = typeof payload === "string" ? TEXT : BINARY,
): Buffer {
  const data = Buffer.from(payload);
  const lengthBytes = data.length < 126 ? 0 : data.length < 65_536 ? 2 : 8;
  const head = Buffer.alloc(2 + lengthBytes + 4);
  head[0] = 0x80 | opcode;
  if (lengthBytes === 0) head[1] = 0x80 | data.length;
  else if (lengthBytes === 2) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(data.length, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(data.length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(head, 2 + lengthBytes);
  const masked = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) masked[i] = (data[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return Buffer.concat([head, masked]);
}

/** The HTTP/1.1 upgrade request a bare client sends for `target` (also feed-socket.ts). */
export function upgradeRequest(target: URL): string {
  return (
    `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
    "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
    `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\n` +
    "Sec-WebSocket-Version: 13\r\n\r\n"
  );
}

/**
 * Where the frames start in what the server sent first: the offset past its head once the
 * head is whole, -1 while it is not, null when the answer is not a 101 upgrade.
 */
export function framesStart(data: Buffer): number | null {
  const headEnd = data.indexOf("\r\n\r\n");
  if (headEnd < 0) return -1;
  return data.subarray(0, 13).toString().startsWith("HTTP/1.1 101") ? headEnd + 4 : null;
}

export interface RawCounts {
  snapshots: number;
  otherMessages: number;
  bytes: number;
}

export class RawWebSocket {
  readonly counts: RawCounts = { snapshots: 0, otherMessages: 0, bytes: 0 };
  /** The server's close frame, if one came. */
  closeCode: number | null = null;
  closeReason = "";
  /** Called once when the connection ends, whoever ended it. */
  onEnd: () => void = () => undefined;
  onSnapshot: () => void = () => undefined;
  private readonly socket: Socket;
  private pending: Buffer = Buffer.alloc(0);
  private upgraded = false;
  /** Payload bytes left of the current frame, and the first few kept to classify it. */
  private left = 0;
  private opcode = 0;
  private fin = false;
  private keep = 0;
  private kept: Buffer[] = [];
  private messageIsSnapshot = false;
  private ended = false;

  private constructor(socket: Socket) {
    this.socket = socket;
  }

  /** Connects and upgrades; resolves once the first snapshot has arrived. */
  static open(url: string, timeoutMs: number): Promise<RawWebSocket> {
    const target = new URL(url);
    if (target.hostname !== "127.0.0.1") throw new Error(`127.0.0.1 only, not ${url}`);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: target.hostname, port: Number(target.port) });
      const ws = new RawWebSocket(socket);
      const timer = setTimeout(() => {
        ws.reset();
        reject(new Error(`no snapshot from ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.onSnapshot = () => {
        clearTimeout(timer);
        ws.onSnapshot = () => undefined;
        resolve(ws);
      };
      socket.on("connect", () => {
        socket.write(upgradeRequest(target));
      });
      socket.on("data", (chunk: Buffer) => ws.receive(chunk));
      socket.on("error", () => undefined);
      socket.on("close", () => {
        clearTimeout(timer);
        ws.end();
        reject(new Error(`connection to ${url} closed before its snapshot`));
      });
    });
  }

  get open(): boolean {
    return !this.ended && this.socket.writable;
  }

  /** Bytes written but not yet taken by the kernel: the client side's backpressure. */
  get buffered(): number {
    return this.socket.writableLength;
  }

  send(frames: Buffer): void {
    this.socket.write(frames);
  }

  /** Drops the connection with a TCP reset: the server's unread input goes with it. */
  reset(): void {
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
  }

  /** A normal close: a close frame, then the end of the connection. */
  close(code = 1000): void {
    if (!this.open) return;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    this.socket.end(clientFrame(payload, CLOSE));
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
  }

  private receive(chunk: Buffer): void {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    if (!this.upgraded) {
      const start = framesStart(data);
      if (start === -1) {
        this.pending = data;
        return;
      }
      if (start === null) {
        this.reset();
        return;
      }
      this.upgraded = true;
      data = data.subarray(start);
    }
    let at = 0;
    while (at < data.length) {
      if (this.left > 0) {
        const n = Math.min(this.left, data.length - at);
        if (this.keep > 0) {
          const take = Math.min(this.keep, n);
          this.kept.push(Buffer.from(data.subarray(at, at + take)));
          this.keep -= take;
        }
        at += n;
        this.left -= n;
        this.counts.bytes += n;
        if (this.left === 0) this.frameDone();
        continue;
      }
      const used = this.header(data.subarray(at));
      if (used === 0) {
        this.pending = Buffer.from(data.subarray(at));
        return;
      }
      at += used;
      if (this.left === 0) this.frameDone();
    }
  }

  /** Reads one frame header; 0 when it is not complete yet. */
  private header(data: Buffer): number {
    if (data.length < 2) return 0;
    const first = data[0] ?? 0;
    const second = data[1] ?? 0;
    const short = second & 0x7f;
    const lengthBytes = short === 126 ? 2 : short === 127 ? 8 : 0;
    const size = 2 + lengthBytes + (second & 0x80 ? 4 : 0);
    if (data.length < size) return 0;
    this.left =
      lengthBytes === 0
        ? short
        : lengthBytes === 2
          ? data.readUInt16BE(2)
          : Number(data.readBigUInt64BE(2));
    this.fin = (first & 0x80) !== 0;
    this.opcode = first & 0x0f;
    this.kept = [];
    // A message's kind shows in its first bytes; a close frame's code and reason are all of it.
    this.keep =
      this.opcode === CLOSE ? this.left : this.opcode === TEXT ? SNAPSHOT_PREFIX.length : 0;
    return size;
  }

  private frameDone(): void {
    const kept = Buffer.concat(this.kept);
    if (this.opcode === CLOSE) {
      this.closeCode = kept.length >= 2 ? kept.readUInt16BE(0) : 1005;
      this.closeReason = kept.subarray(2).toString();
      // Answer with a close, as the protocol asks; 1005 means none was given.
      this.close(this.closeCode === 1005 ? 1000 : this.closeCode);
      return;
    }
    if (this.opcode === TEXT || this.opcode === BINARY) {
      this.messageIsSnapshot = kept.equals(SNAPSHOT_PREFIX);
    }
    // Continuation frames (opcode 0) belong to the message their first frame began.
    if (this.fin && this.opcode !== 0x9 && this.opcode !== 0xa) {
      if (this.messageIsSnapshot) {
        this.counts.snapshots++;
        this.onSnapshot();
      } else {
        this.counts.otherMessages++;
      }
    }
  }
}
