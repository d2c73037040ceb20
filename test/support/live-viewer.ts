import { runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { expect, vi } from "vitest";
import type { ShowObject } from "../../src/show/show-object.ts";
import { BASE, lockSeats, stubOf, tokenFor } from "./helpers.ts";

/**
 * The tests' one client of the live seat map (GET /v1/shows/{show_id}/seats/live): it opens
 * the socket, keeps every message, and knows how the socket closed.
 */

/** What the live feed sends, in either format (`show`: the show's status or time changed). */
export interface FeedMessage {
  type: "snapshot" | "status" | "seats" | "show";
  /** The seat map's version; every message has one but `show`. */
  version?: number;
  from_version?: number;
  seats?: { seat_id: string; status: string }[];
  changes?: [number, string][];
  status?: string;
  show_time?: string;
}

export interface Viewer {
  ws: WebSocket;
  /** Every JSON message, parsed, in order. */
  messages: FeedMessage[];
  /** Every text frame as sent, JSON or not (`pong`). */
  texts: string[];
  /** The close code, once closed. */
  closed: number | undefined;
}

/** The upgrade request of the live feed (query: `format`, `since`), answered as it is. */
export function upgrade(showId: string, query = ""): Promise<Response> {
  return exports.default.fetch(`${BASE}/v1/shows/${showId}/seats/live${query}`, {
    headers: { Upgrade: "websocket" },
  });
}

/** Opens the live feed (query: `format`, `since`) and collects its messages. */
export async function watch(showId: string, query = ""): Promise<Viewer> {
  const res = await upgrade(showId, query);
  const ws = res.webSocket;
  if (res.status !== 101 || !ws) throw new Error(`no WebSocket: ${res.status} ${await res.text()}`);
  const viewer: Viewer = { ws, messages: [], texts: [], closed: undefined };
  ws.addEventListener("message", (event) => {
    const text = String(event.data);
    viewer.texts.push(text);
    if (text.startsWith("{")) viewer.messages.push(JSON.parse(text) as FeedMessage);
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

/**
 * Waits until the show object has published every change to its live feed (none is left
 * in the coalescing window), and answers the seat map's version. Read from the object's
 * SQLite: the version, and the last change stored as published (live_changes).
 */
export async function published(showId: string): Promise<number> {
  const read = () =>
    runInDurableObject(stubOf(showId), (_object: ShowObject, state) =>
      state.storage.sql
        .exec<{ version: number; published: number | null }>(
          "SELECT version, (SELECT MAX(to_version) FROM live_changes) AS published FROM show_info",
        )
        .one(),
    );
  return vi.waitFor(
    async () => {
      const { version, published } = await read();
      expect(published ?? 0).toBe(version);
      return version;
    },
    { interval: 10 },
  );
}

/**
 * Locks the seats one at a time, each its own change of the live feed: the next lock is
 * made once the one before has been published (left the coalescing window). Answers the
 * seat map's version after the last.
 */
export async function lockOneByOne(
  showId: string,
  seatIds: string[],
  user = "user_live",
): Promise<number> {
  const token = await tokenFor(user);
  let version = await published(showId);
  for (const seatId of seatIds) {
    expect((await lockSeats(token, { show_id: showId, seat_ids: [seatId] })).status).toBe(200);
    version = await published(showId);
  }
  return version;
}
