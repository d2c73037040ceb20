/**
 * The bench's main-process entry for `--broadcast` (bench only, never deployed): the
 * Worker's own bundle, with ShowObject's SEAT_RELAY binding wrapped so that each publish()
 * to a relay notes when each seat's taking was first sent (Date.now() in the show object,
 * this machine's clock). With the relay entry's times (bench/workers/relay-host.js), the
 * show's side of a broadcast splits into commit → sent (the coalescing window and the
 * object's thread) and sent → relay told (the output gate, the bench's hop between
 * processes, and the relay process's queue).
 */
import { ShowObject as ProductShowObject } from "./ops-entry.js";

export * from "./ops-entry.js";
export { default } from "./ops-entry.js";

/** Per show id: seat index → when a publish first carried it taken (since last available). */
const sent = new Map();

function notePublish(showId, change) {
  let seats = sent.get(showId);
  if (!seats) {
    seats = new Map();
    sent.set(showId, seats);
  }
  const at = Date.now();
  for (const [index, code] of change.changes) {
    if (code === "a") seats.delete(index);
    else if (!seats.has(index)) seats.set(index, at);
  }
}

/** A relay namespace whose stubs note each publish() before making it. */
function timedRelays(namespace, showId) {
  const timed = (stub) =>
    new Proxy(stub, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (prop !== "publish" || typeof value !== "function") return value;
        return (change) => {
          notePublish(showId, change);
          return Reflect.apply(value, target, [change]);
        };
      },
    });
  return {
    idFromName: (...args) => namespace.idFromName(...args),
    idFromString: (...args) => namespace.idFromString(...args),
    get: (...args) => timed(namespace.get(...args)),
    getByName: (...args) => timed(namespace.getByName(...args)),
  };
}

export class ShowObject extends ProductShowObject {
  constructor(ctx, env) {
    // The show objects are named here: the main process wakes them (bench/server-pair.ts).
    const relays = timedRelays(env.SEAT_RELAY, ctx.id.name ?? "");
    super(
      ctx,
      new Proxy(env, {
        get: (target, prop) => (prop === "SEAT_RELAY" ? relays : Reflect.get(target, prop)),
      }),
    );
  }

  /** Per seat index, when its taking was first sent to the relays (epoch ms). */
  benchSentTimes(showId) {
    return Object.fromEntries(sent.get(showId) ?? []);
  }
}
