/**
 * The seat map (#seat-map) and the count above it (#summary): one <button> per seat,
 * grouped by zone and row, drawn from the state. The buttons are built once per layout;
 * after that a redraw only repaints the seats whose shown state changed, so live updates
 * keep focus, scroll position and screen-reader context on a busy show. A seat's access
 * (wheelchair space, companion seat, aisle, limited view) is a marker on its button, named
 * in its label, and explained in the access legend (#access-legend) for the kinds the show
 * has.
 */
import { $, setText } from "./dom.js";
import { capitalise, formatPrice } from "./format.js";
import { mountSeatKeys } from "./seat-map-keys.js";
import { availableCount, forSale, lookupSeat, priceOf, shownState, toggleSeat } from "./seats.js";
import { subscribe } from "./state.js";

const STATE_WORDS = {
  available: "available",
  resale: "resale from a ticket holder",
  selected: "selected",
  "own-lock": "held by you",
  locked: "held by someone else",
  held: "not on sale",
  booked: "sold",
};

/** The layout drawn, and each seat's button and the state it was last painted in. */
let drawnLayout = -1;
let drawnEmpty = false;
const buttons = new Map();
const painted = new Map();
let keys;

/** Access kinds as the API names them, in the legend's order, with their words. */
const ACCESS_KINDS = {
  wheelchair: { words: "wheelchair space", legend: "Wheelchair space" },
  companion: { words: "companion seat", legend: "Companion seat, next to a wheelchair space" },
  aisle: { words: "aisle seat", legend: "Aisle seat" },
  limited_view: { words: "limited view", legend: "Limited view" },
};

/** A seat's access marker (also drawn in the legend): its look comes from app.css. */
function accessMark(kind) {
  const mark = document.createElement("span");
  mark.className = "access-mark";
  mark.dataset.access = kind;
  mark.setAttribute("aria-hidden", "true");
  if (kind === "companion") mark.textContent = "C";
  return mark;
}

export function mountSeatMap() {
  const container = $("seat-map");
  container.addEventListener("click", (event) => {
    const button = event.target.closest?.("button[data-seat-id]");
    if (button) toggleSeat(button.dataset.seatId);
  });
  keys = mountSeatKeys(container);
  subscribe(render);
}

/**
 * Puts focus back on the map when the panel that had it closes: on its one tab stop (the
 * seat last used), or with `seat` false on the map as a whole, read out from its start.
 */
export function focusSeatMap({ seat = true } = {}) {
  if (seat) keys.focusTabStop();
  else $("seat-map").focus();
}

function render(state) {
  const container = $("seat-map");
  if (state.seats === null) {
    // Loading: the page's own "Loading seats…" stays until a map (or a failure) arrives;
    // switching shows puts it back.
    if (drawnLayout !== -1 || drawnEmpty) showPlaceholder(container);
  } else if (state.seats.size === 0) {
    if (!drawnEmpty) {
      container.replaceChildren();
      buttons.clear();
      drawnEmpty = true;
      drawnLayout = -1;
      drawAccessLegend(new Set());
    }
  } else if (state.layout !== drawnLayout) {
    build(container, state);
  }
  for (const [seatId, button] of buttons) paint(seatId, button);
  setText(
    $("summary"),
    state.seats?.size ? `${availableCount()} of ${state.seats.size} seats available` : "",
  );
}

function showPlaceholder(container) {
  const placeholder = document.createElement("p");
  placeholder.className = "placeholder";
  placeholder.textContent = "Loading seats…";
  container.replaceChildren(placeholder);
  buttons.clear();
  drawnLayout = -1;
  drawnEmpty = false;
  drawAccessLegend(new Set());
}

function build(container, state) {
  buttons.clear();
  painted.clear();
  drawnLayout = state.layout;
  drawnEmpty = false;
  container.replaceChildren();

  const stage = document.createElement("div");
  stage.className = "stage";
  stage.textContent = "Screen";
  stage.setAttribute("aria-hidden", "true");
  container.append(stage);

  // Zones keep the venue's order (best first); rows keep the order seats come in.
  const zoneRows = new Map();
  for (const seat of state.seats.values()) {
    if (!zoneRows.has(seat.zone)) zoneRows.set(seat.zone, new Map());
    const rows = zoneRows.get(seat.zone);
    if (!rows.has(seat.row)) rows.set(seat.row, []);
    rows.get(seat.row).push(seat);
  }

  const grid = [];
  for (const [zone, rows] of zoneRows) {
    const section = document.createElement("section");
    section.className = "zone";
    section.setAttribute("aria-labelledby", `zone-${zone}`);
    section.append(zoneHeading(zone, state.zones[zone], rows));
    for (const [row, seats] of rows) {
      const rowEl = document.createElement("div");
      rowEl.className = "row";
      rowEl.setAttribute("role", "group");
      rowEl.setAttribute("aria-label", `Row ${row}`);
      rowEl.append(rowLabel(row));
      const rowButtons = [];
      seats.sort((a, b) => a.number - b.number);
      for (const seat of seats) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "seat";
        button.dataset.seatId = seat.seat_id;
        button.dataset.row = String(grid.length);
        button.dataset.col = String(rowButtons.length);
        button.textContent = String(seat.number);
        if (ACCESS_KINDS[seat.accessibility]) {
          button.dataset.access = seat.accessibility;
          button.append(accessMark(seat.accessibility));
        }
        button.tabIndex = -1;
        rowButtons.push(button);
        rowEl.append(button);
        buttons.set(seat.seat_id, button);
      }
      rowEl.append(rowLabel(row));
      grid.push(rowButtons);
      section.append(rowEl);
    }
    container.append(section);
  }
  // The longest row sets how large seats can be drawn (see .seat-map in app.css).
  const longest = Math.max(1, ...grid.map((row) => row.length));
  container.style.setProperty("--cols", String(longest));
  keys.setGrid(grid, (seatId) => forSale(shownState(seatId)));
  drawAccessLegend(new Set([...state.seats.values()].map((seat) => seat.accessibility)));
}

/** The access legend: one entry per kind of access the show's seats have; hidden if none. */
function drawAccessLegend(kinds) {
  const legend = $("access-legend");
  const shown = Object.entries(ACCESS_KINDS).filter(([kind]) => kinds.has(kind));
  legend.replaceChildren(
    ...shown.map(([kind, { legend: words }]) => {
      const item = document.createElement("li");
      item.dataset.access = kind;
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.dataset.state = "available";
      swatch.append(accessMark(kind));
      item.append(swatch, words);
      return item;
    }),
  );
  legend.hidden = shown.length === 0;
}

/** Brings one seat's button in step with its shown state and price, if either changed. */
function paint(seatId, button) {
  const state = shownState(seatId);
  const seat = lookupSeat(seatId);
  // A resale seat's price arrives apart from its status (and changes with its listing).
  const price = priceOf(seat);
  const look = `${state} ${price}`;
  if (painted.get(seatId) === look) return;
  painted.set(seatId, look);
  const words = STATE_WORDS[state] ?? state;
  const access = ACCESS_KINDS[seat.accessibility]?.words;
  button.dataset.state = state;
  button.setAttribute("aria-pressed", String(state === "selected" || state === "own-lock"));
  // Taken seats stay focusable (aria-disabled, not disabled) so arrow keys and screen
  // readers can still move through them and hear that they are taken.
  if (state === "locked" || state === "booked" || state === "held") {
    button.setAttribute("aria-disabled", "true");
  } else button.removeAttribute("aria-disabled");
  // A seat priced apart from its zone names its price category (e.g. restricted view).
  const where = seat.category ? `${seat.zone}, ${seat.category.replaceAll("_", " ")}` : seat.zone;
  button.setAttribute(
    "aria-label",
    `Row ${seat.row} seat ${seat.number}, ${where}, ${formatPrice(price)}, ${
      access ? `${access}, ` : ""
    }${words}`,
  );
  button.title = `Row ${seat.row} seat ${seat.number} · ${
    seat.category ? `${seat.category.replaceAll("_", " ")} · ` : ""
  }${formatPrice(price)} · ${access ? `${access} · ` : ""}${words}`;
}

function zoneHeading(zone, info, rows) {
  const heading = document.createElement("h3");
  heading.id = `zone-${zone}`;
  const price = info?.price ?? [...rows.values()][0]?.[0]?.price;
  heading.innerHTML = `<span class="zone-name"></span> <span class="zone-price"></span>`;
  heading.querySelector(".zone-name").textContent = capitalise(zone);
  heading.querySelector(".zone-price").textContent =
    `${formatPrice(price)} · ${info?.seats ?? "?"} seats`;
  return heading;
}

function rowLabel(row) {
  const label = document.createElement("span");
  label.className = "row-label";
  label.setAttribute("aria-hidden", "true");
  label.textContent = row;
  return label;
}
