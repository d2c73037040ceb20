import type { Database } from "../db/database.ts";
import type { D1Outbox } from "./d1-outbox.ts";
import type { SeatBook } from "./seat-book.ts";
import type { ShowInfo, ShowStorage } from "./show-storage.ts";

/** A show as the object holds it in memory: rebuilt from its storage after eviction. */
export interface LoadedShow {
  info: ShowInfo;
  book: SeatBook;
  version: number;
  /** The seat map JSON of `version`, built on first read after a change. */
  snapshot: string | undefined;
}

/** What the show object lends the parts that run inside it (bookings, payments). */
export interface ShowCore {
  readonly storage: ShowStorage;
  readonly outbox: D1Outbox;
  readonly db: Database;
  readonly env: Env;
  /** Runs `write` as one SQLite transaction of the object. */
  transaction(write: () => void): void;
  /** Applies one change to the seats: stores it, moves the version on, tells viewers. */
  commit(show: LoadedShow, seatIds: readonly string[], now: number, write: () => void): void;
  /** Ends the locks whose time has come. */
  expireDue(show: LoadedShow, now: number): void;
  /** Arms the alarm for `at` (a retry) if nothing earlier is armed. */
  armAlarm(at?: number): Promise<void>;
  /**
   * Sends queued D1 writes (one shared flush at a time) and arms a retry for what D1 did
   * not take. Awaited by answers that should reach D1 first; commit() starts it anyway.
   */
  flushToD1(): Promise<void>;
}

/** How soon the alarm retries D1 writes, or refunds, that failed. */
export const RETRY_MS = 5_000;
