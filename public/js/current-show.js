/**
 * Switching the page to a show: its details, its seat map and live feed, and any lock or
 * booking this tab had for it. The live feed (live.js) writes into the state like any
 * other source, so the map is drawn the same way whether a change came from the socket,
 * a fresh read or the user's own action.
 */
import { api } from "./api.js";
import { LiveSeats } from "./live.js";
import { STATUS_OF } from "./live-protocol.js";
import { restoreLock, stopCountdown } from "./lock.js";
import { showError, showNotice } from "./notice.js";
import { applySeatChanges, loadSeatMap, setResalePrices, unpricedResale } from "./seats.js";
import { notify, setState, state } from "./state.js";
import { restoreBooking } from "./ticket-panel.js";

/** The open show's live feed, stopped when another show opens. */
let live = null;
/** The open show's layout and its seat ids in order: what compact statuses index into. */
let layout = null;
let layoutIds = [];

/**
 * The seat map the page draws, from the layout and the compact statuses (with the prices
 * of the seats on resale, which the layout does not know).
 */
function seatMapOf(layout, status) {
  return {
    version: status.version,
    venue: layout.venue,
    zones: layout.zones,
    seats: layout.seats.map((seat, i) => ({ ...seat, status: STATUS_OF[status.status[i]] })),
    areas: status.areas ?? [],
    resale: status.resale ?? {},
  };
}

export async function openShow(show) {
  live?.stop();
  live = null;
  stopCountdown();
  state.selected.clear();
  setState({
    phase: "loading",
    show,
    eventName: null,
    venueName: null,
    seats: null,
    version: -1,
    zones: {},
    lock: null,
    booking: null,
    notice: null,
  });

  // The address names the show, so a reload or a shared link opens it again.
  const url = new URL(location.href);
  url.searchParams.set("show", show.show_id);
  history.replaceState(null, "", url);

  // The picker's list usually names the event already, saving a request.
  const listed = state.events?.find((event) => event.event_id === show.event_id)?.name;
  // The layout (kept by the browser) and the statuses: a fraction of the full map's size.
  const [eventResult, mapResult] = await Promise.allSettled([
    listed ?? api.getEvent(show.event_id).then(({ event }) => event.name),
    Promise.all([api.layout(show.show_id), api.seatStatus(show.show_id)]).then(
      ([showLayout, status]) => {
        layout = showLayout;
        layoutIds = showLayout.seats.map((seat) => seat.seat_id);
        return seatMapOf(showLayout, status);
      },
    ),
  ]);
  // The user may have chosen another show while these were on their way.
  if (state.show !== show) return;
  setState({
    phase: "ready",
    eventName: eventResult.status === "fulfilled" ? eventResult.value : null,
  });
  if (mapResult.status === "rejected") {
    state.seats = new Map();
    notify();
    showError(mapResult.reason);
    return;
  }
  loadSeatMap(mapResult.value);
  tellShowStatus(show);

  live = new LiveSeats(show.show_id, {
    layoutIds: () => layoutIds,
    onShow: (change) => {
      // The same show object, changed in place: other modules compare it by identity.
      Object.assign(state.show, { status: change.status, show_time: change.show_time });
      notify();
      tellShowStatus(state.show);
      // Prices may have changed with it: the layout carries them.
      refreshLayout(state.show);
    },
    onSnapshot: (snapshot) => {
      loadSeatMap(snapshot);
      priceResale();
    },
    onChanges: (version, seats, areas) => {
      applySeatChanges(version, seats, areas);
      priceResale();
    },
    currentVersion: () => state.version,
    onState: (liveState) => setState({ live: liveState }),
  });
  live.start();

  await restoreLock();
  await restoreBooking();
}

/** A fresh read of the statuses, for when the live feed may be behind. */
export async function refreshSeats() {
  const show = state.show;
  if (!show || !layout) return;
  try {
    const status = await api.seatStatus(show.show_id);
    if (show !== state.show) return;
    if (status.version > state.version) loadSeatMap(seatMapOf(layout, status));
    else if (status.version === state.version) {
      // The same statuses: only the listings' prices can be news (the feed has none).
      setResalePrices(status.resale ?? {});
      notify();
    }
  } catch {
    // The live feed or the next action will catch up.
  }
}

let pricing = false;

/**
 * A seat went on resale over the live feed, which carries statuses only: its price comes
 * from a status read (its `resale` map). Tried a few times if the read lags the feed.
 */
async function priceResale(tries = 3) {
  if (pricing || !unpricedResale()) return;
  pricing = true;
  try {
    await refreshSeats();
  } finally {
    pricing = false;
  }
  if (tries > 1 && unpricedResale()) setTimeout(() => priceResale(tries - 1), 1_000);
}

/** A show not on sale says so plainly. */
function tellShowStatus(show) {
  if (show.status === "cancelled") {
    showNotice("error", "This show has been cancelled. Every booking is refunded automatically.");
  } else if (show.status === "closed") {
    showNotice("info", "Sales for this show are paused. Seats cannot be held or bought right now.");
  }
}

/** Reads the layout again (revalidating the browser's copy) and redraws prices. */
async function refreshLayout(show) {
  try {
    const fresh = await api.layout(show.show_id, "no-cache");
    if (show !== state.show) return;
    layout = fresh;
    for (const seat of fresh.seats) {
      const known = state.seats?.get(seat.seat_id);
      if (known) known.price = seat.price;
    }
    state.zones = fresh.zones;
    // Drawn afresh: seats repaint only when their status changes otherwise.
    state.layout++;
    notify();
  } catch {
    // The prices shown stay as they were; a lock answers with what it costs.
  }
}
