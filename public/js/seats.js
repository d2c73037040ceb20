/**
 * The show's seats in the state: loading a map, live changes, and the selection's rules.
 * A seat's shown state combines what the server says (available / locked / booked /
 * resale) with what only this page knows: the seats the user has selected, and the seats
 * of the user's own lock (which the server just reports as "locked", like anyone else's),
 * shown as "own-lock". A resale seat (a ticket its holder offers back) is picked and held
 * like an available one, at its listing's price (`resalePrice`, from the status read's
 * `resale` map), not its zone's.
 */
import { capitalise } from "./format.js";
import { describeSeats } from "./messages.js";
import { showNotice } from "./notice.js";
import { notify, state } from "./state.js";

export const MAX_SELECTION = 10;

/** Seat data with its server status, for naming seats in messages and totals. */
export const lookupSeat = (seatId) => state.seats?.get(seatId);

/** "row A seats 4, 5", from seat ids. */
export const nameSeats = (seatIds) => describeSeats(seatIds, lookupSeat);

/** Whether a seat of this server status can be picked and held: available, or on resale. */
export const forSale = (status) => status === "available" || status === "resale";

/** What a seat costs: its listing's price while on resale, else its zone's (or category's). */
export const priceOf = (seat) => seat.resalePrice ?? seat.price;

export const totalOf = (seatIds) =>
  seatIds.reduce((sum, id) => {
    const seat = lookupSeat(id);
    return sum + Number(seat ? priceOf(seat) : 0);
  }, 0);

/** What a lock costs: its seats, and its places of standing areas at their zone's price. */
export const lockTotal = (lock) =>
  totalOf(lock.seat_ids) +
  (lock.areas ?? []).reduce(
    (sum, area) => sum + area.quantity * Number(state.zones?.[area.zone]?.price ?? 0),
    0,
  );

/** "2 places on floor" for each area of a lock or booking. */
export const namePlaces = (areas) =>
  (areas ?? [])
    .map(
      (area) =>
        `${area.quantity} standing ${area.quantity === 1 ? "place" : "places"} on ${area.zone}`,
    )
    .join(", ");

/** A lock's seats and places in words: "row A seats 4, 5 and 2 standing places on floor". */
export const nameLock = (lock) =>
  [lock.seat_ids.length > 0 ? nameSeats(lock.seat_ids) : "", namePlaces(lock.areas)]
    .filter(Boolean)
    .join(" and ");

/**
 * The shown state: the user's own lock ("own-lock") and selection ("selected") first, then
 * the server's status (available, resale, locked, held, booked).
 */
export function shownState(seatId) {
  const seat = lookupSeat(seatId);
  if (!seat) return undefined;
  if (state.lock?.seat_ids.includes(seatId)) return "own-lock";
  if (state.selected.has(seatId) && forSale(seat.status)) return "selected";
  return seat.status;
}

export function availableCount() {
  let count = 0;
  for (const seat of state.seats?.values() ?? []) if (forSale(seat.status)) count++;
  return count;
}

/**
 * Takes a full seat map (GET …/seats, or a live snapshot after connecting or resyncing).
 * The same seats as before only change status; a different set is a new layout. A map
 * with `resale` (seat id → price, as the status read gives it) sets the listings' prices;
 * one without (a live snapshot) keeps those known.
 */
export function loadSeatMap(map) {
  const sameLayout =
    state.seats !== null &&
    map.seats.length === state.seats.size &&
    map.seats.every((seat) => state.seats.has(seat.seat_id));
  if (sameLayout) {
    for (const seat of map.seats) setSeatStatus(seat.seat_id, seat.status);
  } else {
    state.seats = new Map(map.seats.map((seat) => [seat.seat_id, { ...seat }]));
    state.layout++;
  }
  if (map.resale) setResalePrices(map.resale);
  state.version = map.version;
  state.zones = map.zones ?? state.zones;
  state.areas = map.areas ?? [];
  if (map.venue?.name) state.venueName = map.venue.name;
  dropTakenSelection();
  notify();
}

/** Applies a live `seats` message's changes (live.js has checked its versions). */
export function applySeatChanges(version, changes, areas) {
  state.version = version;
  for (const change of changes) setSeatStatus(change.seat_id, change.status);
  // A change that moved places carries those areas' full counts.
  for (const area of areas ?? []) {
    const at = state.areas.findIndex((known) => known.zone === area.zone);
    if (at >= 0) state.areas[at] = area;
    else state.areas.push(area);
  }
  dropTakenSelection();
  notify();
}

/**
 * The listings' prices (seat id → price, the status read's `resale`): every other seat's
 * listing price is forgotten.
 */
export function setResalePrices(resale) {
  for (const [seatId, seat] of state.seats ?? []) {
    if (typeof resale[seatId] === "number") seat.resalePrice = resale[seatId];
    else delete seat.resalePrice;
  }
}

/** Seats on resale whose listing price this page does not know yet. */
export const unpricedResale = () =>
  [...(state.seats?.values() ?? [])].some(
    (seat) => seat.status === "resale" && seat.resalePrice === undefined,
  );

/** The seats an API error named as taken are taken: show them so at once. */
export function markTaken(seatIds, status) {
  for (const id of seatIds) {
    if (forSale(lookupSeat(id)?.status)) setSeatStatus(id, status);
  }
  // The error message has named these seats already: leave the selection without a word.
  dropTakenSelection(false);
  notify();
}

export function setSeatStatus(seatId, status) {
  const seat = lookupSeat(seatId);
  if (!seat) return;
  seat.status = status;
  // A listing ends when its seat is sold on, withdrawn or taken off sale (a buyer's hold,
  // "locked", keeps it: the buyer pays its price).
  if (status !== "resale" && status !== "locked") delete seat.resalePrice;
}

/**
 * Selected seats someone else has just taken leave the selection, and the user is told
 * (unless the caller has said so already, `tell` false).
 */
function dropTakenSelection(tell = true) {
  const lost = [...state.selected].filter((id) => !forSale(lookupSeat(id)?.status));
  if (lost.length === 0) return;
  for (const id of lost) state.selected.delete(id);
  if (tell) {
    showNotice(
      "info",
      `${capitalise(nameSeats(lost))} ${lost.length === 1 ? "was" : "were"} just taken by someone else and left your selection.`,
    );
  }
}

/** A seat was clicked or pressed: pick it, drop it, or say why not. */
export function toggleSeat(seatId) {
  const seat = lookupSeat(seatId);
  if (!seat) return;
  if (state.lock) {
    if (!state.lock.seat_ids.includes(seatId)) {
      showNotice("info", "You already hold seats. Pay for them or release them to choose others.");
    }
    return;
  }
  if (state.selected.has(seatId)) {
    state.selected.delete(seatId);
    notify();
    return;
  }
  if (!forSale(seat.status)) {
    const why =
      seat.status === "booked"
        ? "is sold"
        : seat.status === "held"
          ? "is not on sale"
          : "is being held by someone else";
    showNotice("info", `Row ${seat.row} seat ${seat.number} ${why}.`);
    return;
  }
  if (state.selected.size >= MAX_SELECTION) {
    showNotice("info", `You can pick up to ${MAX_SELECTION} seats at a time.`);
    return;
  }
  state.selected.add(seatId);
  notify();
}

export function clearSelection() {
  state.selected.clear();
  notify();
}
