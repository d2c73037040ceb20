import { beforeAll, describe, expect, it } from "vitest";
import {
  type BatchScan,
  nextBatch,
  type QueuedScan,
  SCANS_PER_BATCH,
} from "../public/scan/sync-batches.js";
import { MAX_BATCH_BODY_BYTES } from "../src/app.ts";
import {
  call,
  card,
  createShow,
  expectError,
  lockSeats,
  postBooking,
  tokenFor,
} from "./support/helpers.ts";
import { checkIn, checkInBatch, scannerToken } from "./support/tickets-helpers.ts";

/** Large offline doors: a backlog of any size syncs, in batches the route takes. */

interface BatchResult {
  ticket_id: string | null;
  result: string;
  code?: string;
  first_scan?: { gate: string | null; device_id: string | null };
}

interface Ticket {
  ticketId: string;
  bookingId: string;
  token: string;
  owner: string;
}

const BIG_VENUE = {
  name: "Arena",
  city: "Mumbai",
  zones: [{ name: "floor", rows: [{ from: "A", to: "J", seats: 100 }] }],
};

/** `count` confirmed bookings of one seat each on `showId`, 20 buyers at a time. */
async function bookTickets(showId: string, count: number, prefix: string): Promise<Ticket[]> {
  const tickets: Ticket[] = [];
  for (let start = 0; start < count; start += 20) {
    const size = Math.min(20, count - start);
    const part = await Promise.all(
      Array.from({ length: size }, async (_, i) => {
        const user = `${prefix}_${start + i}`;
        const owner = await tokenFor(user);
        const lockRes = await lockSeats(owner, { show_id: showId, quantity: 1 });
        const lock = (await lockRes.json()) as { lock_id: string; seat_ids: string[] };
        const body = {
          show_id: showId,
          lock_id: lock.lock_id,
          seat_ids: lock.seat_ids,
          user_id: user,
          payment_method: card(),
        };
        const res = await postBooking(owner, body);
        const { booking } = (await res.json()) as {
          booking: { booking_id: string; ticket_id: string };
        };
        const read = await call("GET", `/v1/tickets/${booking.ticket_id}`, { token: owner });
        const { ticket } = (await read.json()) as { ticket: { token: string } };
        return {
          ticketId: booking.ticket_id,
          bookingId: booking.booking_id,
          token: ticket.token,
          owner,
        };
      }),
    );
    tickets.push(...part);
  }
  return tickets;
}

async function manifest(token: string, showId: string) {
  const res = await call("GET", `/v1/shows/${showId}/checkins/manifest`, { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { manifest: { valid: string[]; used: { ticket_id: string }[] } })
    .manifest;
}

let doorShow: string;
let otherShow: string;
let doorTickets: Ticket[];
let otherTickets: Ticket[];

beforeAll(async () => {
  ({ showId: doorShow } = await createShow({ floor: 300 }, BIG_VENUE));
  ({ showId: otherShow } = await createShow());
  doorTickets = await bookTickets(doorShow, 980, "user_door");
  otherTickets = await bookTickets(otherShow, 20, "user_elsewhere");
}, 180_000);

describe("offline doors' backlogs", () => {
  it("syncs 1,000 queued scans in the page's batches after another door's 500 in one batch, each with its right result", async () => {
    const pool = doorTickets;
    // Before the doors went offline: 20 tickets were let in at a gate online, and 20
    // bookings were cancelled (their tickets void).
    for (const ticket of pool.slice(0, 20)) {
      const res = await checkIn(await scannerToken("gate_south"), {
        token: ticket.token,
        gate: "South",
      });
      expect(res.status).toBe(200);
    }
    for (const ticket of pool.slice(20, 40)) {
      const res = await call("POST", `/v1/bookings/${ticket.bookingId}/cancel`, {
        token: ticket.owner,
      });
      expect(res.status).toBe(200);
    }
    const started = Date.now();

    // West scanned 500 of the tickets first, and syncs them in one batch of the route's
    // largest size, with gate and device ids of the longest length.
    const west = pool.slice(40, 540);
    const westScans = west.map((ticket, i) => ({
      token: ticket.token,
      scanned_at: new Date(started + i).toISOString(),
      gate: "West gate ".padEnd(64, "w"),
      device_id: "device-west-".padEnd(64, "0"),
    }));
    const westBody = JSON.stringify({ show_id: doorShow, scans: westScans }).length;
    expect(westBody).toBeGreaterThan(256 * 1024);
    const westRes = await checkInBatch(await scannerToken("door_west"), doorShow, westScans);
    expect(westRes.status).toBe(200);
    const westResults = ((await westRes.json()) as { results: BatchResult[] }).results;
    expect(westResults.map((r) => [r.ticket_id, r.result])).toEqual(
      west.map((t) => [t.ticketId, "admitted"]),
    );

    // North scanned every ticket of the show later, and 20 of another show's: 1,000 scans,
    // sent the way the scanner page sends its queue.
    const scanned = [...pool, ...otherTickets];
    const queue: QueuedScan[] = scanned.map((ticket, i) => ({
      ticket_id: ticket.ticketId,
      show_id: doorShow,
      token: ticket.token,
      scanned_at: new Date(started + 10_000 + i).toISOString(),
      device_id: "device-north-1",
      gate: "North",
    }));
    expect(queue).toHaveLength(1_000);
    const north = await scannerToken("door_north");
    const results: BatchResult[] = [];
    let requests = 0;
    for (let batch = nextBatch(queue, doorShow); batch; batch = nextBatch(queue, doorShow)) {
      const res = await checkInBatch(north, batch.showId, batch.scans);
      expect(res.status).toBe(200);
      const answer = (await res.json()) as { results: BatchResult[] };
      expect(answer.results).toHaveLength(batch.scans.length);
      results.push(...answer.results);
      queue.splice(0, batch.scans.length);
      requests += 1;
    }
    expect(requests).toBe(Math.ceil(1_000 / SCANS_PER_BATCH));
    expect(results).toHaveLength(1_000);

    const expected = (i: number): Partial<BatchResult> => {
      if (i < 20) {
        return {
          result: "duplicate",
          first_scan: { gate: "South", device_id: "online:gate_south" },
        };
      }
      if (i < 40) return { result: "void" };
      if (i < 540) {
        const { gate, device_id } = westScans[0] ?? { gate: "", device_id: "" };
        return { result: "duplicate", first_scan: { gate, device_id } };
      }
      if (i < 980) return { result: "admitted" };
      return { result: "invalid", code: "TICKET_WRONG_SHOW" };
    };
    results.forEach((result, i) => {
      expect(result).toMatchObject({ ticket_id: scanned[i]?.ticketId, ...expected(i) });
    });
    const scanner = await scannerToken();
    expect((await manifest(scanner, doorShow)).used).toHaveLength(960);
    expect((await manifest(scanner, otherShow)).used).toEqual([]);
    const lengths = pool.map((t) => t.token.length);
    console.log(
      `real tokens ${Math.min(...lengths)}-${Math.max(...lengths)} characters; West's 500 scans: ${westBody} bytes`,
    );
  }, 120_000);
});

describe("the batch route's body limit", () => {
  /** The longest scan the route documents: a 477-character token, 64-character gate and device. */
  function largestScans(count: number): BatchScan[] {
    return Array.from({ length: count }, (_, i) => ({
      token: `forged.${String(i).padStart(6, "0")}.`.padEnd(477, "A"),
      scanned_at: "2026-12-04T10:00:00.123456789+14:00",
      gate: "G".repeat(64),
      device_id: "D".repeat(64),
    }));
  }

  it("takes 500 of the longest scans in one body, answering each", async () => {
    const scans = largestScans(500);
    expect(JSON.stringify({ show_id: doorShow, scans }).length).toBeGreaterThan(330 * 1024);
    const res = await checkInBatch(await scannerToken(), doorShow, scans);
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: BatchResult[] };
    expect(results).toHaveLength(500);
    expect(new Set(results.map((r) => `${r.result} ${r.code}`))).toEqual(
      new Set(["invalid TICKET_INVALID"]),
    );
  });

  it("refuses a body over 512 KiB with 413, and a batch of 501 scans with 400", async () => {
    const scanner = await scannerToken();
    const pad = "x".repeat(MAX_BATCH_BODY_BYTES);
    const padded = { show_id: doorShow, scans: largestScans(1), pad };
    const tooLarge = await call("POST", "/v1/checkins/batch", { token: scanner, body: padded });
    const error = await expectError(tooLarge, 413, "PAYLOAD_TOO_LARGE");
    expect(error.details).toEqual({ limit_bytes: MAX_BATCH_BODY_BYTES });
    expect(MAX_BATCH_BODY_BYTES).toBe(512 * 1024);
    const tooMany = await checkInBatch(scanner, doorShow, largestScans(501));
    expect((await expectError(tooMany, 400, "INVALID_INPUT")).details?.field).toBe("scans");
  });
});
