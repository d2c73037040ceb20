import { compareEntries, type Entry } from "./queue-order.ts";

/**
 * When each stretch of the line was admitted, so a turn can be told over: the coordinator
 * notes its cursor about once a second and keeps the notes as far back as one pass lasts.
 * Pure, so the coordinator keeps the state and tests can drive it.
 */

/** The cursor is noted at most this often. */
const HISTORY_STEP_MS = 1_000;

/** `[at, cursor]` pairs, oldest first. */
export type TurnHistory = [number, Entry][];

/**
 * Notes `cursor` at `now` when it moved since the last note and that note is a second
 * old, and drops notes no pass can still depend on (before `expiredBefore`).
 */
export function noteCursor(
  history: TurnHistory,
  cursor: Entry | null,
  now: number,
  expiredBefore: number,
): TurnHistory {
  const last = history.at(-1);
  const moved = cursor !== null && (!last || compareEntries(last[1], cursor) !== 0);
  const noted: TurnHistory =
    cursor && moved && (!last || now - last[0] >= HISTORY_STEP_MS)
      ? [...history, [now, cursor]]
      : history;
  return trimHistory(noted, expiredBefore);
}

/** The last cursor noted at or before `before`: entries up to it were admitted by then. */
export function expiredCursor(history: TurnHistory, before: number): Entry | null {
  let found: Entry | null = null;
  for (const [at, cursor] of history) {
    if (at > before) break;
    found = cursor;
  }
  return found;
}

/** History from the last note at or before `before` on: older notes can no longer matter. */
function trimHistory(history: TurnHistory, before: number): TurnHistory {
  let first = 0;
  for (let i = 0; i < history.length; i++) {
    const note = history[i];
    if (note && note[0] <= before) first = i;
  }
  return history.slice(first);
}
