/**
 * Best-available locks on a half-sold 50,000-seat show, in plain Node: the show object's
 * in-memory part of a lock (SeatLedger.bestAvailable, then SeatLedger.lock), without the
 * runtime, storage or network around it. Prints p50/p99 per pick+lock for one buyer alone,
 * on two half-sold states: sold by earlier best-available buyers (the middle of each zone
 * goes first), and sold in scattered small groups (many short free runs: the hard case).
 *
 *   node bench/best-available-50k.ts
 *
 * Timings are printed, never asserted; test/best-available-large.test.ts checks the picks.
 */
import { SeatLedger } from "../src/show/seats/seat-ledger.ts";
import type { SeatInfo } from "../src/show/seats/seat-lock.ts";

const ROWS = 250;
const SEATS_PER_ROW = 200;
const ZONES = ["lower", "club", "upper", "terrace"];
const SAMPLES = 2_000;

/** mulberry32: the same seeded sequence on every run, so runs compare. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function stadiumSeats(): SeatInfo[] {
  const seats: SeatInfo[] = [];
  for (let r = 0; r < ROWS; r++) {
    const zone = ZONES[Math.floor((r * ZONES.length) / ROWS)] ?? "lower";
    for (let n = 1; n <= SEATS_PER_ROW; n++) {
      seats.push({
        seatId: `s_R${r}_${n}`,
        row: `R${r}`,
        number: n,
        zone,
        price: 50,
        position: seats.length,
      });
    }
  }
  return seats;
}

const NOW = Date.parse("2026-11-29T12:00:00Z");
let lockCounter = 0;

/** A best-available lock as the show object takes it in memory; the lock id, if any. */
function lockBest(
  book: SeatLedger,
  quantity: number,
  zone: string | undefined,
): string | undefined {
  const picked = book.bestAvailable(quantity, zone ? [zone] : ZONES);
  if (!picked) return undefined;
  const outcome = book.lock({
    lockId: `lock_${++lockCounter}`,
    userId: "user_bench",
    seatIds: picked.map((seat) => seat.seatId),
    now: NOW,
    durationMs: 300_000,
  });
  return outcome.ok ? outcome.lock.lockId : undefined;
}

/** Half sold by buyers of 1-10 seats taking the best available, half of them by zone. */
function soldByBestAvailable(seats: SeatInfo[], next: () => number): SeatLedger {
  const book = new SeatLedger(seats);
  let sold = 0;
  while (sold < seats.length / 2) {
    const quantity = 1 + Math.floor(next() * 10);
    const zone = next() < 0.5 ? ZONES[Math.floor(next() * ZONES.length)] : undefined;
    const lockId = lockBest(book, quantity, zone);
    if (!lockId) continue;
    book.confirm(lockId, `booking_${lockCounter}`);
    sold += quantity;
  }
  return book;
}

/** Half sold in groups of 1-6 seats at random places. */
function soldScattered(seats: SeatInfo[], next: () => number): SeatLedger {
  const booked = new Map<string, string>();
  while (booked.size < seats.length / 2) {
    const row = Math.floor(next() * ROWS);
    const start = 1 + Math.floor(next() * SEATS_PER_ROW);
    const length = 1 + Math.floor(next() * 6);
    for (let n = start; n < start + length && n <= SEATS_PER_ROW; n++) {
      booked.set(`s_R${row}_${n}`, "booking_scattered");
    }
  }
  return new SeatLedger(seats, [], booked);
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

/** One buyer alone, lock after lock; each lock is released untimed, so the show stays half sold. */
function measure(name: string, book: SeatLedger, next: () => number): void {
  const times = new Float64Array(SAMPLES);
  let refused = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const quantity = 1 + Math.floor(next() * 10);
    const zone = next() < 0.5 ? ZONES[Math.floor(next() * ZONES.length)] : undefined;
    const started = performance.now();
    const lockId = lockBest(book, quantity, zone);
    times[i] = performance.now() - started;
    if (lockId) book.release(lockId);
    else refused++;
  }
  times.sort();
  const ms = (value: number) => `${value.toFixed(3)} ms`;
  console.log(
    `${name.padEnd(34)} p50 ${ms(percentile(times, 0.5))}  p99 ${ms(percentile(times, 0.99))}  ` +
      `max ${ms(times[times.length - 1] ?? 0)}  (${SAMPLES} locks, ${refused} found no fit)`,
  );
}

const seats = stadiumSeats();
const next = random(7);
let started = performance.now();
const scattered = soldScattered(seats, next);
console.log(
  `${ROWS * SEATS_PER_ROW} seats; index built with the book in ${(performance.now() - started).toFixed(0)} ms`,
);
measure("half sold in scattered groups", scattered, next);
started = performance.now();
const byBest = soldByBestAvailable(seats, next);
console.log(
  `half sold by best available in ${(performance.now() - started).toFixed(0)} ms (${lockCounter} locks)`,
);
measure("half sold by best available", byBest, next);
