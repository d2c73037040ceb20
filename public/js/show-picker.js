/**
 * The show picker in the top bar (#picker): an event, then one of its shows. Choosing
 * one opens it; the lists are kept in the state and drawn from there.
 */
import { api } from "./api.js";
import { openShow } from "./current-show.js";
import { $, fillSelect } from "./dom.js";
import { formatShowTime } from "./format.js";
import { showError } from "./notice.js";
import { setState, subscribe } from "./state.js";

const DEMO_SHOW_ID = "show_demo";

/**
 * Which show to open: ?show=… if given, else the demo show if it exists, else the first
 * show of the newest event. Three small requests at most, whatever the size of the catalog.
 */
export async function initialShow() {
  const wanted = new URL(location.href).searchParams.get("show");
  for (const showId of [wanted, DEMO_SHOW_ID]) {
    if (!showId) continue;
    try {
      return (await api.getShow(showId)).show;
    } catch (error) {
      if (showId === wanted) showError(error);
    }
  }
  const { events } = await api.listEvents();
  for (const event of events) {
    const { shows } = await api.listShows(event.event_id);
    if (shows[0]) return shows[0];
  }
  return null;
}

/** Fills the picker, with `show`'s event and show chosen. */
export async function loadPicker(show) {
  const { events } = await api.listEvents();
  // An older event beyond the first page is still named in the list when it is open.
  if (show && !events.some((event) => event.event_id === show.event_id)) {
    events.unshift((await api.getEvent(show.event_id)).event);
  }
  setState({ events, pickedEventId: show?.event_id ?? null });
  if (show) await loadShows(show.event_id);
}

async function loadShows(eventId) {
  const { shows } = await api.listShows(eventId);
  setState({ pickedEventId: eventId, shows });
  return shows;
}

export function mountShowPicker() {
  $("event-select").addEventListener("change", async (event) => {
    try {
      const shows = await loadShows(event.target.value);
      if (shows[0]) await openShow(shows[0]);
    } catch (error) {
      showError(error);
    }
  });
  $("show-select").addEventListener("change", async (event) => {
    try {
      await openShow((await api.getShow(event.target.value)).show);
    } catch (error) {
      showError(error);
    }
  });
  subscribe(render);
}

/** What the selects show now: each is refilled only when its list changes. */
const drawn = { events: null, eventId: null, shows: null, showId: null };

function render({ events, pickedEventId, shows, show }) {
  if (events && events !== drawn.events) {
    drawn.events = events;
    drawn.eventId = pickedEventId;
    fillSelect(
      $("event-select"),
      events.map((event) => ({ value: event.event_id, label: event.name })),
      pickedEventId,
    );
  } else if (events && pickedEventId !== drawn.eventId) {
    drawn.eventId = pickedEventId;
    $("event-select").value = pickedEventId;
  }
  if (!shows) return;
  // The open show when it is one of the listed ones, else the first (a new event's).
  const showId = shows.some((item) => item.show_id === show?.show_id)
    ? show.show_id
    : shows[0]?.show_id;
  if (shows !== drawn.shows) {
    drawn.shows = shows;
    drawn.showId = showId;
    fillSelect(
      $("show-select"),
      shows.map((item) => ({
        value: item.show_id,
        label: `${formatShowTime(item.show_time)}${item.status === "scheduled" ? "" : ` (${item.status})`}`,
      })),
      showId,
    );
  } else if (showId !== drawn.showId) {
    drawn.showId = showId;
    $("show-select").value = showId;
  }
}
