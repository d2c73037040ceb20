import { exports } from "cloudflare:workers";
import { expect, vi } from "vitest";
import { BASE } from "./helpers.ts";

/** What the live feed sends, in either format. */
export interface FeedMessage {
  type: "snapshot" | "status" | "seats";
  version: number;
  from_version?: number;
  seats?: { seat_id: string; status: string }[];
  changes?: [number, string][];
  status?: string;
}

export interface Viewer {
  ws: WebSocket;
  messages: FeedMessage[];
  closed: number | undefined;
}

/** Opens the live feed (query: `format`, `since`) and collects its messages. */
export async function watch(showId: string, query = ""): Promise<Viewer> {
  const res = await exports.default.fetch(`${BASE}/v1/shows/${showId}/seats/live${query}`, {
    headers: { Upgrade: "websocket" },
  });
  const ws = res.webSocket;
  if (!ws) throw new Error(`no WebSocket: ${res.status} ${await res.text()}`);
  const viewer: Viewer = { ws, messages: [], closed: undefined };
  ws.addEventListener("message", (event) => {
    viewer.messages.push(JSON.parse(String(event.data)) as FeedMessage);
  });
  ws.addEventListener("close", (event) => {
    viewer.closed = event.code;
  });
  ws.accept();
  return viewer;
}

/** Waits until the viewer has been sent `version`. */
export async function reaches(viewer: Viewer, version: number): Promise<void> {
  await vi.waitFor(() => expect(viewer.messages.at(-1)?.version).toBe(version), {
    timeout: 3_000,
  });
}

/** Asserts that each message after the first starts where the one before ended. */
export function expectChained(viewer: Viewer): void {
  viewer.messages.slice(1).forEach((message, i) => {
    const before = viewer.messages[i];
    if (message.type === "seats") expect(message.from_version).toBe(before?.version);
  });
}

/** The statuses a full-format viewer knows by now (snapshot, then changes), by seat id. */
export function statusesSeenBy(viewer: Viewer): Map<string, string> {
  const seen = new Map<string, string>();
  for (const message of viewer.messages) {
    for (const seat of message.seats ?? []) seen.set(seat.seat_id, seat.status);
  }
  return seen;
}
