/**
 * The standing-area phase of `npm run bench` (and `--ci`; `--areas` runs it alone): a show
 * of a venue with one general-admission floor (5,000 places; 1,000 in CI) beside a row of
 * seats, sold to more buyers than it holds, each wanting 1-4 places: lock the places by
 * quantity, book with a card; a buyer refused for want of places tries once more for what
 * is left. The floor's places are counts in the show object, so this is the "stadium pitch"
 * case: it must sell as fast as seats and never oversell.
 *
 * Checked afterwards: never more sold than the capacity; the seat map's counts add up and
 * match what the buyers were sold; D1's booking_areas and the valid tickets of the floor
 * equal the places sold (one ticket per place); every confirmed booking had one ticket per
 * place. The Worker runs in a workerd process of its own (fresh state, simulated
 * provider), like the presale's; the buyers in this Node process.
 */
import { randomBytes } from "node:crypto";
import { signAccessToken } from "../src/auth/access-token.ts";
import { HttpClient } from "./http.ts";
import { type CheckResult, waitForD1Row } from "./invariants.ts";
import { formatChecks, recordPhase } from "./report.ts";
import { projectRoot, type WorkerServer } from "./serve.ts";
import { BENCH_CARD, startSoloServer } from "./solo-server.ts";
import { round, Samples, seededRandom } from "./stats.ts";

interface AreaSettings {
  capacity: number;
  buyers: number;
  seed: number;
}

const settingsFor = (ci: boolean): AreaSettings =>
  ci
    ? { capacity: 1_000, buyers: 500, seed: 20261204 }
    : { capacity: 5_000, buyers: 2_500, seed: 20261204 };

interface Counts {
  capacity: number;
  available: number;
  locked: number;
  held: number;
  booked: number;
}

interface Sold {
  placesSold: number;
  bookings: number;
  /** Confirmed bookings whose 201 listed a ticket per place. */
  ticketsMatched: number;
  refusals: Record<string, number>;
  lockMs: Samples;
  bookMs: Samples;
  lastBookedAt: number;
}

async function api(
  client: HttpClient,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  extra: Record<string, string> = {},
) {
  return client.send(method, path, { Authorization: `Bearer ${token}`, ...extra }, body, 30_000);
}

/** A venue with the floor and a row of seats, an event and a show; answers the show id. */
async function festivalShow(client: HttpClient, admin: string, capacity: number): Promise<string> {
  const made = async (path: string, body: unknown) => {
    const reply = await api(client, "POST", path, admin, body);
    if (reply.status !== 201) throw new Error(`POST ${path}: ${reply.status} ${reply.body}`);
    return JSON.parse(reply.body) as Record<string, Record<string, string>>;
  };
  const event = await made("/v1/events", { name: "Bench festival" });
  const venue = await made("/v1/venues", {
    name: "Bench grounds",
    city: "Bench",
    zones: [
      { name: "floor", general_admission: true, capacity },
      { name: "stands", rows: [{ row: "A", seats: 10 }] },
    ],
  });
  const show = await made("/v1/shows", {
    event_id: event.event?.event_id,
    venue_id: venue.venue?.venue_id,
    show_time: new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString(),
    prices: { floor: 40, stands: 90 },
  });
  return show.show?.show_id ?? "";
}

/** One buyer: lock `wants` places (once more for what is left, if refused), then book. */
async function buy(
  client: HttpClient,
  showId: string,
  buyer: { userId: string; token: string; wants: number },
  sold: Sold,
): Promise<void> {
  let quantity = buyer.wants;
  for (let attempt = 0; attempt < 2 && quantity > 0; attempt++) {
    const lock = await api(client, "POST", "/v1/seats/lock", buyer.token, {
      show_id: showId,
      areas: [{ zone: "floor", quantity }],
    });
    sold.lockMs.add(lock.ms);
    if (lock.status !== 200) {
      const error = (
        JSON.parse(lock.body) as { error?: { code?: string; details?: { available?: number } } }
      ).error;
      const key = `${lock.status} ${error?.code ?? ""}`;
      sold.refusals[key] = (sold.refusals[key] ?? 0) + 1;
      quantity = Math.min(quantity - 1, error?.details?.available ?? 0);
      continue;
    }
    const { lock_id, areas } = JSON.parse(lock.body) as {
      lock_id: string;
      areas: { zone: string; quantity: number }[];
    };
    const booked = await api(
      client,
      "POST",
      "/v1/bookings",
      buyer.token,
      {
        show_id: showId,
        lock_id,
        seat_ids: [],
        areas,
        user_id: buyer.userId,
        payment_method: BENCH_CARD,
      },
      { "Idempotency-Key": `area-${lock_id}` },
    );
    sold.bookMs.add(booked.ms);
    if (booked.status !== 201) {
      const key = `book ${booked.status}`;
      sold.refusals[key] = (sold.refusals[key] ?? 0) + 1;
      return;
    }
    const { booking } = JSON.parse(booked.body) as {
      booking: { status: string; tickets: { zone?: string; seat_id: string | null }[] };
    };
    if (booking.status !== "confirmed") return;
    sold.placesSold += quantity;
    sold.bookings += 1;
    sold.lastBookedAt = performance.now();
    const places = booking.tickets.filter((t) => t.seat_id === null && t.zone === "floor");
    if (places.length === quantity) sold.ticketsMatched += 1;
    return;
  }
}

/** Runs the phase in a workerd process of its own; prints, writes JSON; the failed checks. */
export async function runAreaSaleBench(
  ci: boolean,
  log: (line: string) => void,
  root = projectRoot,
): Promise<number> {
  const settings = settingsFor(ci);
  log("");
  log(
    `Standing-area phase: a floor of ${settings.capacity} places, ${settings.buyers} buyers wanting 1-4 each (lock by quantity, book with a card)`,
  );
  const secret = randomBytes(32).toString("hex");
  const solo = await startSoloServer(root, "areas", secret);
  const { server, served } = solo;
  try {
    log(`Served: ${served}`);
    const admin = await signAccessToken(
      { sub: "bench_admin", role: "admin", ttlSeconds: 3600 },
      secret,
    );
    const client = new HttpClient(server.url, 64);
    const showId = await festivalShow(client, admin, settings.capacity);
    await api(client, "GET", `/v1/shows/${showId}/seats`, admin);
    const random = seededRandom(settings.seed);
    const buyers = await Promise.all(
      Array.from({ length: settings.buyers }, async (_, i) => {
        const userId = `bench_floor_${i}`;
        const token = await signAccessToken(
          { sub: userId, role: "user", ttlSeconds: 3600 },
          secret,
        );
        return { userId, token, wants: 1 + Math.floor(random() * 4) };
      }),
    );
    const sold: Sold = {
      placesSold: 0,
      bookings: 0,
      ticketsMatched: 0,
      refusals: {},
      lockMs: new Samples(),
      bookMs: new Samples(),
      lastBookedAt: 0,
    };
    const started = performance.now();
    await Promise.all(buyers.map((buyer) => buy(client, showId, buyer, sold)));
    const sellOutMs = sold.lastBookedAt - started;

    const waited = await waitForD1(server, showId, sold.bookings);
    const map = await api(client, "GET", `/v1/shows/${showId}/seats`, admin);
    const counts = (JSON.parse(map.body) as { areas?: (Counts & { zone: string })[] }).areas?.[0];
    client.close();
    const invariants = await check(server, showId, settings, sold, counts);
    const result = {
      settings,
      served,
      placesSold: sold.placesSold,
      bookings: sold.bookings,
      sellOutSeconds: round(sellOutMs / 1000, 2),
      bookingsPerSecond: round(sold.bookings / (sellOutMs / 1000), 1),
      lockMs: sold.lockMs.summary(),
      bookMs: sold.bookMs.summary(),
      refusals: sold.refusals,
      d1CaughtUpMs: waited,
      workerErrors: server.workerErrors,
      invariants,
    };
    log(
      `Sold ${sold.placesSold} of ${settings.capacity} places in ${sold.bookings} bookings in ${result.sellOutSeconds} s ` +
        `(${result.bookingsPerSecond} bookings/s); lock p50 ${round(sold.lockMs.summary().p50, 1)} ms, ` +
        `book p50 ${round(sold.bookMs.summary().p50, 1)} ms; refusals ${JSON.stringify(sold.refusals)}`,
    );
    log(formatChecks(invariants));
    return recordPhase("area-sale.json", "Standing-area phase", result, invariants, log);
  } finally {
    await solo.stop();
  }
}

/** Until D1 has every confirmed booking (at most 15 s); the ms waited. */
function waitForD1(server: WorkerServer, showId: string, confirmed: number): Promise<number> {
  return waitForD1Row<{ booked: number }>(
    server,
    showId,
    "SELECT COUNT(*) AS booked FROM bookings WHERE show_id = ?1 AND status = 'confirmed'",
    (row) => row.booked >= confirmed,
  );
}

async function check(
  server: WorkerServer,
  showId: string,
  settings: AreaSettings,
  sold: Sold,
  counts: Counts | undefined,
): Promise<CheckResult[]> {
  const [d1] = await server.query<{ places: number; bookings: number }>(
    `SELECT COALESCE(SUM(ba.quantity), 0) AS places, COUNT(DISTINCT b.booking_id) AS bookings
       FROM booking_areas ba JOIN bookings b ON b.booking_id = ba.booking_id
      WHERE b.show_id = ? AND b.status = 'confirmed'`,
    showId,
  );
  const [tickets] = await server.query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM tickets WHERE show_id = ? AND zone = 'floor' AND seat_id IS NULL AND status = 'valid'",
    showId,
  );
  const sum = counts ? counts.available + counts.locked + counts.held + counts.booked : -1;
  return [
    {
      name: "never more places sold than the floor holds",
      passed: sold.placesSold <= settings.capacity && (counts?.booked ?? -1) <= settings.capacity,
      detail: `${sold.placesSold} sold to buyers, ${counts?.booked} booked in the seat map, capacity ${settings.capacity}`,
    },
    {
      name: "the floor's counts add up to its capacity and match what buyers were sold",
      passed:
        sum === settings.capacity && counts?.booked === sold.placesSold && counts?.locked === 0,
      detail: `available ${counts?.available} + locked ${counts?.locked} + held ${counts?.held} + booked ${counts?.booked} = ${sum}`,
    },
    {
      name: "the floor sold out (demand was above capacity)",
      passed: counts?.available === 0,
      detail: `${counts?.available} places left`,
    },
    {
      name: "D1's booking_areas = places sold, in the buyers' bookings",
      passed: d1?.places === sold.placesSold && d1?.bookings === sold.bookings,
      detail: `D1 ${d1?.places} places in ${d1?.bookings} bookings; buyers ${sold.placesSold} in ${sold.bookings}`,
    },
    {
      name: "tickets = places sold (one valid ticket per place, in D1 and in each booking)",
      passed: tickets?.n === sold.placesSold && sold.ticketsMatched === sold.bookings,
      detail: `${tickets?.n} valid floor tickets in D1; ${sold.ticketsMatched} of ${sold.bookings} bookings listed one per place`,
    },
  ];
}
