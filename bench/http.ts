/**
 * A small keep-alive HTTP/1.1 client over node:http for the load process. It sends no
 * Accept-Encoding, so answers come back uncompressed: compression is the edge's work in
 * production, not the Worker's, and locally it would be Miniflare's simulation of it.
 */
import { Agent, request } from "node:http";

export interface Reply {
  status: number;
  body: string;
  /** The answer is a kept one, replayed (`Idempotent-Replayed: true`). */
  replayed: boolean;
  /** Request sent to last byte received. */
  ms: number;
  /** performance.now() when the last byte arrived. */
  at: number;
}

export interface Drained {
  status: number;
  bytes: number;
  ms: number;
}

export class HttpClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, maxSockets: number) {
    const url = new URL(baseUrl);
    if (url.hostname !== "127.0.0.1") throw new Error(`load goes to 127.0.0.1 only, not ${url}`);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /**
   * A request whose answer body is kept (JSON answers of the API). With `timeoutMs`, a
   * request still unanswered then fails, so a stalled server cannot hold a bounded loop.
   */
  send(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: unknown,
    timeoutMs?: number,
  ): Promise<Reply> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const allHeaders: Record<string, string> = { ...headers };
    if (payload !== undefined) {
      allHeaders["Content-Type"] = "application/json";
      allHeaders["Content-Length"] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request(
        { agent: this.agent, host: this.host, port: this.port, method, path, headers: allHeaders },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const at = performance.now();
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString("utf8"),
              replayed: res.headers["idempotent-replayed"] === "true",
              ms: at - started,
              at,
            });
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      if (timeoutMs !== undefined) {
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
      }
      req.end(payload);
    });
  }

  /** A GET whose body is only counted, for throughput runs. */
  drain(path: string): Promise<Drained> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request(
        { agent: this.agent, host: this.host, port: this.port, method: "GET", path },
        (res) => {
          let bytes = 0;
          res.on("data", (chunk: Buffer) => {
            bytes += chunk.length;
          });
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - started }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The API's error envelope, as the load reads it: the fields it looks at. */
export interface ApiErrorBody {
  code?: string;
  details?: { reason?: string; unavailable_seats?: string[] };
}

/** The error an answer carries, if its body is the API's error envelope. */
export function apiErrorOf(reply: { body: string }): ApiErrorBody | undefined {
  try {
    return (JSON.parse(reply.body) as { error?: ApiErrorBody }).error;
  } catch {
    return undefined;
  }
}
