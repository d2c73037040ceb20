/**
 * The bench's relay process entry (bench only, never deployed): the Worker's own bundle,
 * with SeatRelay wrapped for two things the bench needs.
 * - Miniflare's dev registry reaches an object of another process by its id alone (over
 *   workerd's debug port), so `ctx.id.name` can be empty here; the relay's name
 *   `<show id>:<n>` is found again by matching its id against the show's relay names.
 * - It counts the show object's publish() calls per show, so the bench reports how many
 *   messages the show object sends per change (benchStats), and notes when each seat's
 *   taking first reached a relay (Date.now() as publish() starts, on this machine's clock),
 *   so a broadcast's delay splits into the show's side (commit → relay) and the fan-out's
 *   (relay → viewer).
 * It imports the bundle through the bench's entry (bench/ops-entry.ts), which counts the
 * process's operations when the run asks for it and passes the bundle through otherwise.
 */
import { SeatRelay as ProductSeatRelay } from "./ops-entry.js";

export * from "./ops-entry.js";
export { default } from "./ops-entry.js";

const NAME_KEY = "bench_relay_name";
/** More relays than any bench show uses (VIEWERS_PER_SHOW / VIEWERS_PER_RELAY). */
const MAX_RELAYS = 64;

/**
 * Per show: relays that got a publish, publish calls, distinct changes (by version), the
 * viewers each relay accepted (101 answers), to check how the route spread them, and per
 * relay its last version and when each seat it holds taken was first published to it.
 */
const counts = new Map();

function showCounts(name) {
  const showId = name.slice(0, name.lastIndexOf(":"));
  let show = counts.get(showId);
  if (!show) {
    show = {
      relays: new Set(),
      publishes: 0,
      versions: new Set(),
      accepted: {},
      lastVersion: new Map(),
      takenAt: new Map(),
    };
    counts.set(showId, show);
  }
  return show;
}

function countPublish(name, change) {
  const show = showCounts(name);
  show.relays.add(name);
  show.publishes++;
  show.versions.add(change.to);
  show.lastVersion.set(name, Math.max(show.lastVersion.get(name) ?? -1, change.to));
  // As a viewer notes it: a seat's time is its first taking since it was last available.
  const at = Date.now();
  let seats = show.takenAt.get(name);
  if (!seats) {
    seats = new Map();
    show.takenAt.set(name, seats);
  }
  for (const [index, code] of change.changes) {
    if (code === "a") seats.delete(index);
    else if (!seats.has(index)) seats.set(index, at);
  }
}

/** Per seat index, the earliest time any relay of the show was told it was taken. */
function firstTaken(show) {
  const first = {};
  for (const seats of show?.takenAt.values() ?? []) {
    for (const [index, at] of seats) first[index] = Math.min(first[index] ?? at, at);
  }
  return first;
}

export class SeatRelay extends ProductSeatRelay {
  #name;

  constructor(ctx, env) {
    super(ctx, env);
    this.#name = ctx.id.name ?? ctx.storage.kv.get(NAME_KEY);
  }

  get name() {
    return this.#name ?? "";
  }

  async fetch(request) {
    if (this.#name === undefined) {
      const showId = new URL(request.url).pathname.split("/")[3] ?? "";
      const id = this.ctx.id.toString();
      for (let n = 0; n < MAX_RELAYS; n++) {
        if (this.env.SEAT_RELAY.idFromName(`${showId}:${n}`).toString() === id) {
          this.#name = `${showId}:${n}`;
          this.ctx.storage.kv.put(NAME_KEY, this.#name);
          break;
        }
      }
    }
    const response = await super.fetch(request);
    if (response.status === 101) {
      const accepted = showCounts(this.name).accepted;
      const index = this.name.slice(this.name.lastIndexOf(":") + 1);
      accepted[index] = (accepted[index] ?? 0) + 1;
    }
    return response;
  }

  publish(change) {
    countPublish(this.name, change);
    return super.publish(change);
  }

  benchStats(showId) {
    const show = counts.get(showId);
    return {
      relays: show?.relays.size ?? 0,
      publishes: show?.publishes ?? 0,
      changes: show?.versions.size ?? 0,
      acceptedByRelay: show?.accepted ?? {},
      lastVersionByRelay: Object.fromEntries(show?.lastVersion ?? []),
      relayTakenAt: firstTaken(show),
    };
  }
}
