/**
 * The page's wiring: picks a show, keeps the seat map live, and walks the user from
 * choosing seats to holding them to paying. The modules it uses each do one job:
 * api.js (requests, token), seat-map.js (drawing seats), live.js (the WebSocket),
 * messages.js (errors in plain words).
 */
import { ApiError, api, getUser } from "./api.js";
import { LiveSeats } from "./live.js";
import { describeSeats, explainError } from "./messages.js";
import { formatPrice, MAX_SELECTION, SeatMap } from "./seat-map.js";

const $ = (id) => document.getElementById(id);

const TEST_CARDS = [
  ["4111111111111111", "succeeds"],
  ["4242424242424242", "succeeds"],
  ["4000000000000002", "declined"],
  ["4000000000009995", "insufficient funds"],
  ["4000000000000077", "slow, then succeeds"],
  ["4000000000000119", "times out"],
  ["4000000000000259", "fails after charging"],
];
const DEFAULT_CARD = { number: "4111111111111111", expiry: "12/2031", cvv: "123" };
const DEMO_SHOW_ID = "show_demo";

/** Everything the page knows about the current show and the user's progress. */
const state = {
  showId: null,
  show: null,
  live: null,
  /** The user's hold: {lock_id, seat_ids, deadline} (deadline in local clock ms). */
  lock: null,
  countdownTimer: undefined,
  busy: false,
};

const seatMap = new SeatMap($("seat-map"), {
  onActivate: (seatId) => toggleSeat(seatId),
  onSelectionLost: (seatIds) =>
    showNotice(
      "info",
      `${capitalise(name(seatIds))} ${seatIds.length === 1 ? "was" : "were"} just taken by someone else and left your selection.`,
    ),
  onChange: () => {
    renderSelection();
    renderMobileBar();
  },
});

const name = (seatIds) => describeSeats(seatIds, (id) => seatMap.lookup(id));
const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1);

// ---- notices ----------------------------------------------------------------------------------

/** Shows a message in the page's live region (read out at once). */
function showNotice(kind, text) {
  $("notice-box").dataset.kind = kind;
  $("notice-close").hidden = false;
  if ($("notice").textContent !== text) {
    $("notice").textContent = text;
    return;
  }
  // The same words again (a second declined card): a live region only speaks on a change.
  $("notice").textContent = "";
  setTimeout(() => {
    $("notice").textContent = text;
  }, 100);
}

function clearNotice() {
  delete $("notice-box").dataset.kind;
  $("notice").textContent = "";
  $("notice-close").hidden = true;
}

$("notice-close").addEventListener("click", () => clearNotice());

function showError(error) {
  if (!(error instanceof ApiError)) console.error(error);
  showNotice(
    "error",
    explainError(error, (id) => seatMap.lookup(id)),
  );
}

/** A quiet note for screen readers about something that changed. */
function announce(text) {
  $("announcer").textContent = "";
  // A fresh text node after a tick makes screen readers read repeated messages again.
  setTimeout(() => {
    $("announcer").textContent = text;
  }, 50);
}

// ---- choosing a show --------------------------------------------------------------------------

function formatShowTime(iso) {
  return new Date(iso).toLocaleString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
}

function fillSelect(select, options, selected) {
  select.replaceChildren(
    ...options.map(({ value, label }) => {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = label;
      option.selected = value === selected;
      return option;
    }),
  );
  select.disabled = options.length === 0;
}

/**
 * Which show to open: ?show=… if given, else the demo show if it exists, else the first
 * show of the newest event. Three small requests at most, whatever the size of the catalog.
 */
async function initialShow() {
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

/** Event names by id, from the picker's list, so opening a show needs no extra request. */
const eventNames = new Map();

async function loadPicker(show) {
  const { events } = await api.listEvents();
  if (show && !events.some((event) => event.event_id === show.event_id)) {
    events.unshift((await api.getEvent(show.event_id)).event);
  }
  for (const event of events) eventNames.set(event.event_id, event.name);
  fillSelect(
    $("event-select"),
    events.map((event) => ({ value: event.event_id, label: event.name })),
    show?.event_id,
  );
  if (show) await loadShowOptions(show.event_id, show.show_id);
}

async function loadShowOptions(eventId, selectedShowId) {
  const { shows } = await api.listShows(eventId);
  fillSelect(
    $("show-select"),
    shows.map((show) => ({
      value: show.show_id,
      label: `${formatShowTime(show.show_time)}${show.status === "scheduled" ? "" : ` (${show.status})`}`,
    })),
    selectedShowId ?? shows[0]?.show_id,
  );
  return shows;
}

$("event-select").addEventListener("change", async (event) => {
  try {
    const shows = await loadShowOptions(event.target.value);
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

/** Switches the page to a show: its details, its seat map, its live feed, any hold. */
async function openShow(show) {
  state.live?.stop();
  stopCountdown();
  state.show = show;
  state.showId = show.show_id;
  state.lock = null;
  seatMap.selected.clear();
  seatMap.held.clear();
  $("ticket-panel").hidden = true;
  clearNotice();

  const url = new URL(location.href);
  url.searchParams.set("show", show.show_id);
  history.replaceState(null, "", url);

  $("show-title").textContent = "Loading the show…";
  const [eventResult, mapResult] = await Promise.allSettled([
    eventNames.get(show.event_id) ?? api.getEvent(show.event_id).then(({ event }) => event.name),
    api.seatMap(show.show_id),
  ]);
  const eventName = eventResult.status === "fulfilled" ? eventResult.value : "Show";
  $("show-title").textContent = eventName;
  document.title = `${eventName} · Seat map`;
  if (mapResult.status === "rejected") {
    showError(mapResult.reason);
    $("seat-map").replaceChildren();
    return;
  }
  const map = mapResult.value;
  $("show-meta").textContent = `${formatShowTime(show.show_time)} · ${map.venue.name}${
    show.status === "scheduled" ? "" : ` · ${show.status}`
  }`;
  seatMap.render(map);
  fillSelect(
    $("best-zone"),
    [
      { value: "", label: "Best available" },
      ...Object.entries(map.zones).map(([zone, info]) => ({
        value: zone,
        label: `${capitalise(zone)} · ${formatPrice(info.price)}`,
      })),
    ],
    "",
  );

  state.live = new LiveSeats(show.show_id, {
    onSnapshot: (snapshot) => seatMap.replace(snapshot),
    onChanges: (version, seats) => seatMap.applyChanges(version, seats),
    currentVersion: () => seatMap.version,
    onState: (liveState) => showLiveState(liveState),
  });
  state.live.start();

  await restoreHold();
  await restoreBooking();
  renderPanels();
}

function showLiveState(liveState) {
  const words = {
    connecting: "Connecting…",
    live: "Live",
    reconnecting: "Reconnecting…",
    offline: "Offline",
  };
  $("live").dataset.state = liveState;
  $("live-text").textContent = words[liveState];
  $("live").title =
    liveState === "live" ? "Seat changes appear as they happen" : "Seat changes may be late";
}

// ---- selecting seats ----------------------------------------------------------------------------

function toggleSeat(seatId) {
  const seat = seatMap.lookup(seatId);
  if (!seat) return;
  if (state.lock) {
    if (!seatMap.held.has(seatId)) {
      showNotice("info", "You already hold seats. Pay for them or release them to choose others.");
    }
    return;
  }
  if (seatMap.selected.has(seatId)) {
    seatMap.toggleSelected(seatId);
    return;
  }
  if (seat.status !== "available") {
    showNotice(
      "info",
      seat.status === "booked"
        ? `Row ${seat.row} seat ${seat.number} is sold.`
        : `Row ${seat.row} seat ${seat.number} is being held by someone else.`,
    );
    return;
  }
  if (seatMap.selected.size >= MAX_SELECTION) {
    showNotice("info", `You can pick up to ${MAX_SELECTION} seats at a time.`);
    return;
  }
  seatMap.toggleSelected(seatId);
}

function totalOf(seatIds) {
  return seatIds.reduce((sum, id) => sum + Number(seatMap.lookup(id)?.price ?? 0), 0);
}

/** The selection panel text and buttons, and the counts above the map. */
function renderSelection() {
  const selected = [...seatMap.selected];
  $("selection-text").textContent =
    selected.length === 0
      ? `Pick up to ${MAX_SELECTION} seats on the map.`
      : `${capitalise(name(selected))} · ${selected.length} ${
          selected.length === 1 ? "seat" : "seats"
        } · ${formatPrice(totalOf(selected))}`;
  $("hold-button").disabled = selected.length === 0 || state.busy || Boolean(state.lock);
  $("hold-button").textContent =
    selected.length > 1 ? `Hold ${selected.length} seats` : "Hold seat";
  $("clear-button").disabled = selected.length === 0 || state.busy;
  const counts = seatMap.counts();
  $("summary").textContent = `${counts.available} of ${seatMap.seats.size} seats available`;
}

$("clear-button").addEventListener("click", () => seatMap.clearSelection());

$("hold-button").addEventListener("click", () => holdSeats({ seat_ids: [...seatMap.selected] }));

$("best-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const selection = { quantity: Number($("best-quantity").value) };
  if ($("best-zone").value) selection.zone = $("best-zone").value;
  holdSeats(selection);
});

/** Runs an action with the buttons that start actions disabled, so nothing is sent twice. */
async function busy(action) {
  if (state.busy) return;
  state.busy = true;
  document.body.setAttribute("aria-busy", "true");
  renderPanels();
  try {
    await action();
  } finally {
    state.busy = false;
    document.body.removeAttribute("aria-busy");
    renderPanels();
  }
}

// ---- holding seats ----------------------------------------------------------------------------

const lockKey = (showId) => `seatmap.lock.${showId}`;
const bookingKey = (showId) => `seatmap.booking.${showId}`;

function holdSeats(selection) {
  return busy(async () => {
    clearNotice();
    try {
      const lock = await api.lockSeats(state.showId, selection);
      seatMap.clearSelection();
      setLock(lock);
      sessionStorage.removeItem(bookingKey(state.showId));
      $("ticket-panel").hidden = true;
      const seats = name(lock.seat_ids);
      showNotice(
        "success",
        `${capitalise(seats)} ${lock.seat_ids.length === 1 ? "is" : "are"} held for you. Pay before the timer runs out.`,
      );
      $("card-number").focus();
    } catch (error) {
      showError(error);
      // The seats named as taken are taken: show them so at once (the error message has
      // named them), then catch up with a fresh read in case the live feed is behind.
      const taken = error instanceof ApiError ? error.details?.unavailable_seats : undefined;
      if (Array.isArray(taken) && taken.length > 0) {
        for (const id of taken) {
          if (seatMap.isAvailable(id))
            seatMap.setStatus(id, error.code === "SEATS_UNAVAILABLE" ? "booked" : "locked");
        }
        seatMap.dropTakenSelection(false);
        refreshSeatMap();
      }
    }
  });
}

/** A fresh read of the seat map, used when the live feed may be behind. */
async function refreshSeatMap() {
  const showId = state.showId;
  try {
    const map = await api.seatMap(showId);
    if (showId === state.showId && map.version > seatMap.version) seatMap.replace(map);
  } catch {
    // The live feed or the next action will catch up.
  }
}

/**
 * Keeps a new hold. The deadline is counted on this device's clock from the hold's length
 * (expires_at − locked_at), so a device clock that is off does not shorten or stretch it.
 */
function setLock(lock, deadline) {
  const length = Date.parse(lock.expires_at) - Date.parse(lock.locked_at);
  state.lock = {
    lock_id: lock.lock_id,
    seat_ids: lock.seat_ids,
    deadline: deadline ?? Date.now() + (Number.isFinite(length) ? length : 300_000),
  };
  sessionStorage.setItem(lockKey(state.showId), JSON.stringify(state.lock));
  // The form was emptied after the last payment; offer the public test card again.
  if ($("card-number").value === "" && $("card-cvv").value === "") prefillCard();
  seatMap.setHeld(lock.seat_ids);
  startCountdown();
  renderPanels();
}

function dropLock() {
  if (state.showId) sessionStorage.removeItem(lockKey(state.showId));
  state.lock = null;
  stopCountdown();
  seatMap.setHeld([]);
  renderPanels();
}

/** After a reload: the hold this tab had for this show, if the API says it still holds. */
async function restoreHold() {
  let saved;
  try {
    saved = JSON.parse(sessionStorage.getItem(lockKey(state.showId)) ?? "null");
  } catch {
    saved = null;
  }
  if (!saved || saved.deadline <= Date.now()) {
    sessionStorage.removeItem(lockKey(state.showId));
    return;
  }
  const showId = state.showId;
  try {
    const lock = await api.getLock(saved.lock_id);
    // The user may have switched shows while this was on its way.
    if (showId !== state.showId) return;
    if (lock.status === "locked") setLock(lock, saved.deadline);
    else sessionStorage.removeItem(lockKey(state.showId));
  } catch {
    sessionStorage.removeItem(lockKey(state.showId));
  }
}

function startCountdown() {
  stopCountdown();
  const tick = () => {
    if (!state.lock) return;
    const left = Math.max(0, Math.round((state.lock.deadline - Date.now()) / 1000));
    $("countdown").textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    $("countdown").parentElement.dataset.urgent = String(left <= 60);
    if (!$("mobile-bar").hidden)
      $("mobile-bar-text").textContent = `Held · ${$("countdown").textContent} left`;
    if (left === 60) announce("One minute left to pay for your seats.");
    // A payment under way keeps the hold alive on the server; its answer settles things.
    if (left === 0 && !state.busy) {
      dropLock();
      showNotice("error", "Your hold expired and the seats were released. Choose seats again.");
    }
  };
  tick();
  state.countdownTimer = setInterval(tick, 1000);
}

function stopCountdown() {
  clearInterval(state.countdownTimer);
}

$("release-button").addEventListener("click", () =>
  busy(async () => {
    if (!state.lock) return;
    const seats = name(state.lock.seat_ids);
    try {
      await api.releaseLock(state.lock.lock_id);
      dropLock();
      showNotice("info", `Released ${seats}.`);
      // The release button has gone with the hold panel: carry focus back to the map.
      seatMap.tabStop?.focus();
    } catch (error) {
      // A hold the API no longer knows is gone anyway.
      if (error instanceof ApiError && error.code === "NOT_FOUND") dropLock();
      showError(error);
    }
  }),
);

// ---- paying -----------------------------------------------------------------------------------

function fillTestCards() {
  $("test-cards").replaceChildren(
    ...TEST_CARDS.map(([number, behaviour]) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.innerHTML = "<code></code><span></span>";
      button.querySelector("code").textContent = number.replace(/(\d{4})(?=\d)/g, "$1 ");
      button.querySelector("span").textContent = behaviour;
      button.setAttribute("aria-label", `Use test card ${number}: ${behaviour}`);
      button.addEventListener("click", () => {
        $("card-number").value = number;
        $("card-number").focus();
      });
      item.append(button);
      return item;
    }),
  );
}

/** Puts the public test card back in the form, for the next hold. */
function prefillCard() {
  $("card-number").value = DEFAULT_CARD.number;
  $("card-expiry").value = DEFAULT_CARD.expiry;
  $("card-cvv").value = DEFAULT_CARD.cvv;
}

function clearCard() {
  $("card-number").value = "";
  $("card-expiry").value = "";
  $("card-cvv").value = "";
}

/** "12/2031", "12 / 31" → {month: 12, year: 2031}; undefined if it is not a date. */
function parseExpiry(text) {
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(text);
  if (!match) return undefined;
  const month = Number(match[1]);
  const year = match[2].length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
  return month >= 1 && month <= 12 ? { month, year } : undefined;
}

$("pay-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (!state.lock) return;
  const expiry = parseExpiry($("card-expiry").value);
  if (!expiry) {
    showNotice("error", "Enter the card's expiry as MM/YYYY, for example 12/2031.");
    $("card-expiry").focus();
    return;
  }
  const lock = state.lock;
  // The card details live only in this request body; nothing else holds them.
  const paymentMethod = {
    type: "credit_card",
    card_number: $("card-number").value.replace(/[\s-]/g, ""),
    expiry_month: expiry.month,
    expiry_year: expiry.year,
    cvv: $("card-cvv").value.trim(),
  };
  busy(async () => {
    clearNotice();
    $("pay-button").textContent = "Paying…";
    try {
      const { userId } = await getUser();
      const { booking } = await api.book({
        show_id: state.showId,
        lock_id: lock.lock_id,
        seat_ids: lock.seat_ids,
        user_id: userId,
        payment_method: paymentMethod,
      });
      clearCard();
      dropLock();
      for (const seat of booking.seats) seatMap.setStatus(seat.seat_id, "booked");
      await showBooking(booking);
    } catch (error) {
      await paymentFailed(error);
    }
  });
});

async function paymentFailed(error) {
  showError(error);
  if (!(error instanceof ApiError)) return;
  if (
    error.code === "LOCK_EXPIRED" ||
    (error.code === "INVALID_INPUT" && error.details?.field === "lock_id")
  ) {
    dropLock();
  } else if (error.code === "BOOKING_EXISTS" && typeof error.details?.booking_id === "string") {
    // Already paid (a retry after a lost answer): show the booking that exists.
    clearCard();
    dropLock();
    try {
      await showBooking((await api.getBooking(error.details.booking_id)).booking);
    } catch (readError) {
      showError(readError);
    }
  }
}

// ---- the booking --------------------------------------------------------------------------------

/**
 * Shows the confirmed booking as a ticket. The 201 answer has the seats and ids; the
 * booking's own read adds the event, time, venue and the ticket's URL.
 */
async function showBooking(booking) {
  sessionStorage.setItem(bookingKey(state.showId), booking.booking_id);
  const seats = booking.seats.map((seat) => seat.seat_id);
  $("ticket-seats").textContent = capitalise(
    describeSeats(seats, (id) => booking.seats.find((seat) => seat.seat_id === id)),
  );
  $("ticket-total").textContent = formatPrice(booking.total_amount);
  $("ticket-booking").textContent = booking.booking_id;
  $("ticket-id").textContent = booking.ticket_id ?? "—";
  $("ticket-event").textContent = $("show-title").textContent;
  $("ticket-time").textContent = state.show ? formatShowTime(state.show.show_time) : "—";
  $("ticket-venue").textContent = seatMap.venueName ?? "—";
  $("ticket-link").replaceChildren();
  $("ticket-panel").hidden = false;
  renderPanels();
  showNotice(
    "success",
    `Booked! ${capitalise(describeSeats(seats, (id) => booking.seats.find((s) => s.seat_id === id)))}, total ${formatPrice(booking.total_amount)}.`,
  );
  $("ticket-panel").focus();

  try {
    const detail = (await api.getBooking(booking.booking_id)).booking;
    $("ticket-event").textContent = detail.show.event_name;
    $("ticket-time").textContent = formatShowTime(detail.show.show_time);
    $("ticket-venue").textContent = detail.show.venue;
    if (detail.ticket_url) {
      const link = document.createElement("a");
      link.href = detail.ticket_url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = "Open your ticket";
      $("ticket-link").replaceChildren(link);
    }
  } catch {
    // The ticket is already shown from the booking answer; the details are a bonus.
  }
}

/** After a reload: the booking this tab last made for this show. */
async function restoreBooking() {
  const bookingId = sessionStorage.getItem(bookingKey(state.showId));
  if (!bookingId || state.lock) return;
  try {
    const booking = (await api.getBooking(bookingId)).booking;
    if (booking.status === "confirmed") {
      await showBooking(booking);
      clearNotice();
    } else sessionStorage.removeItem(bookingKey(state.showId));
  } catch {
    sessionStorage.removeItem(bookingKey(state.showId));
  }
}

$("book-more").addEventListener("click", () => {
  sessionStorage.removeItem(bookingKey(state.showId));
  $("ticket-panel").hidden = true;
  clearNotice();
  renderPanels();
  $("seat-map").focus();
});

// ---- panels -----------------------------------------------------------------------------------

/** Which panel shows: choosing seats, paying for a hold, or the ticket. */
function renderPanels() {
  const holding = Boolean(state.lock);
  const booked = !$("ticket-panel").hidden;
  $("choose-panel").hidden = holding || booked;
  $("hold-panel").hidden = !holding;
  if (holding) {
    $("hold-seats").textContent = `${capitalise(name(state.lock.seat_ids))} · total ${formatPrice(
      totalOf(state.lock.seat_ids),
    )}`;
    if (!state.busy)
      $("pay-button").textContent = `Pay ${formatPrice(totalOf(state.lock.seat_ids))}`;
  }
  for (const id of ["pay-button", "release-button", "best-button"]) $(id).disabled = state.busy;
  renderSelection();
  renderMobileBar();
}

/** The phone bar: what is chosen or held, and the button for the next step. */
function renderMobileBar() {
  const bar = $("mobile-bar");
  const selected = [...seatMap.selected];
  if (state.lock) {
    $("mobile-bar-text").textContent = `Held · ${$("countdown").textContent} left`;
    $("mobile-bar-button").textContent = "Pay now";
  } else if (selected.length > 0) {
    $("mobile-bar-text").textContent = `${selected.length} ${
      selected.length === 1 ? "seat" : "seats"
    } · ${formatPrice(totalOf(selected))}`;
    $("mobile-bar-button").textContent = $("hold-button").textContent;
  }
  bar.hidden = !state.lock && selected.length === 0;
  $("mobile-bar-button").disabled = state.busy;
}

$("mobile-bar-button").addEventListener("click", () => {
  if (state.lock) {
    $("pay-form").scrollIntoView({ behavior: "smooth", block: "center" });
    $("card-number").focus({ preventScroll: true });
  } else {
    holdSeats({ seat_ids: [...seatMap.selected] });
  }
});

// ---- start ------------------------------------------------------------------------------------

async function start() {
  fillTestCards();
  try {
    // The token first: every later request can then carry it (see api.js, read()).
    const user = await getUser();
    $("user-id").textContent = user.userId;
    const show = await initialShow();
    if (!show) {
      $("show-title").textContent = "No shows yet";
      $("seat-map").replaceChildren();
      return;
    }
    await loadPicker(show);
    await openShow(show);
  } catch (error) {
    $("show-title").textContent = "Could not load the show";
    showError(error);
  }
}

start();
