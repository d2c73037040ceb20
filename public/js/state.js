/**
 * The page's state: one plain object, the single source of truth. Actions change it and
 * then call notify(); every part of the page subscribes and redraws its own elements from
 * it. Nothing is read back from the page, so what is shown can never drift from what the
 * code believes (a hidden panel is never taken to mean "no booking", for instance).
 *
 * Notification is synchronous: once an action has called notify(), the page shows the new
 * state, so the action can move focus to an element that has just appeared.
 */

export const state = {
  /** The dev user this tab acts as. */
  userId: null,
  /** How far opening a show got: "loading" | "ready" | "empty" (no shows) | "failed". */
  phase: "loading",

  /** The picker's lists (null until loaded): events, the event chosen, that event's shows. */
  events: null,
  pickedEventId: null,
  shows: null,

  /** The open show (as GET /v1/shows/{id} gives it) and its event's name. */
  show: null,
  eventName: null,
  venueName: null,
  /** The live feed's state: "connecting" | "live" | "reconnecting" | "offline". */
  live: "connecting",

  /**
   * The show's seats by id ({seat_id, row, number, zone, price, accessibility, status},
   * status as the server says), null while the map is loading. `layout` moves on whenever a different
   * set of seats arrives, telling the map to draw itself afresh rather than repaint.
   */
  seats: null,
  layout: 0,
  version: -1,
  zones: {},
  /** The show's standing areas: [{zone, capacity, available, locked, held, booked}]. */
  areas: [],

  /** Seat ids the user has picked but not yet locked, in the order picked. */
  selected: new Set(),
  /** The user's lock: {lock_id, seat_ids, deadline} (deadline in local clock ms). */
  lock: null,
  /** Whole seconds left on the lock, counted down by lock.js. */
  secondsLeft: 0,
  /**
   * The user's place on the open show's waitlist, as GET .../waitlist/me gives it
   * ({position, quantity, status, offer, ...}), or null when they are not on it.
   */
  waitlist: null,
  /** The booking shown as a ticket: {booking, detail} (detail once read, else null). */
  booking: null,

  /** The action under way ("lock" | "release" | "pay"), or null: one at a time. */
  busy: null,
  /** The message in the notice area: {kind, text, serial}, or null. */
  notice: null,
};

const listeners = [];

/** Calls `render(state)` now and after every change. */
export function subscribe(render) {
  listeners.push(render);
  render(state);
}

export function notify() {
  for (const render of listeners) render(state);
}

/** Changes some fields and redraws. */
export function setState(patch) {
  Object.assign(state, patch);
  notify();
}

/**
 * Runs an action with `busy` set, so the buttons that start actions are disabled while it
 * runs and nothing is sent twice. Answers what the action answers (undefined if another
 * action was already under way).
 */
export async function whileBusy(name, action) {
  if (state.busy) return undefined;
  setState({ busy: name });
  try {
    return await action();
  } finally {
    setState({ busy: null });
  }
}
