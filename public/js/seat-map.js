/**
 * The seat map: builds one <button> per seat, grouped by zone and row, and keeps each
 * button's look and accessible name in step with the seat's state. Live updates change
 * buttons in place (no re-render), so focus, scroll position and screen-reader context
 * survive a busy show.
 *
 * A seat's shown state combines what the server says (available / locked / booked) with
 * what only this page knows: seats the user has selected, and seats held by the user's
 * own lock (which the server just reports as "locked").
 */

export const MAX_SELECTION = 10;

const STATE_WORDS = {
  available: "available",
  selected: "selected",
  held: "held by you",
  locked: "held by someone else",
  booked: "sold",
};

export function formatPrice(value) {
  return Number(value).toLocaleString(undefined, { maximumFractionDigits: 2 });
}

const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1);

export class SeatMap {
  /**
   * @param {HTMLElement} container where the map is drawn
   * @param {object} callbacks
   * @param {(seatId: string) => void} callbacks.onActivate a seat was clicked or pressed
   * @param {(seatIds: string[]) => void} callbacks.onSelectionLost selected seats were taken
   *   by someone else
   * @param {() => void} callbacks.onChange anything shown changed (counts, selection)
   */
  constructor(container, { onActivate, onSelectionLost, onChange }) {
    this.container = container;
    this.onActivate = onActivate;
    this.onSelectionLost = onSelectionLost;
    this.onChange = onChange;
    /** @type {Map<string, {seat: object, status: string, button: HTMLButtonElement}>} */
    this.seats = new Map();
    this.selected = new Set();
    this.held = new Set();
    this.version = -1;
    this.zones = {};
    this.venueName = undefined;
    /** Buttons by row, top to bottom, for arrow-key movement. */
    this.grid = [];
    /** The one seat button reachable with Tab. */
    this.tabStop = undefined;

    container.addEventListener("click", (event) => {
      const button = event.target.closest?.("button[data-seat-id]");
      if (button) this.onActivate(button.dataset.seatId);
    });
    container.addEventListener("keydown", (event) => this.moveFocus(event));
    // One tab stop for the whole map (a "roving" tabindex): Tab moves past hundreds of
    // seats in one step, arrow keys move between them, and coming back lands on the seat
    // last used.
    container.addEventListener("focusin", (event) => {
      const button = event.target.closest?.("button[data-seat-id]");
      if (button) this.setTabStop(button);
    });
  }

  setTabStop(button) {
    if (this.tabStop === button) return;
    if (this.tabStop) this.tabStop.tabIndex = -1;
    button.tabIndex = 0;
    this.tabStop = button;
  }

  /** Draws the whole map from a seat map (GET …/seats or a live snapshot). */
  render(map) {
    const lastStop = this.tabStop?.dataset.seatId;
    this.tabStop = undefined;
    this.seats.clear();
    this.grid = [];
    this.zones = map.zones ?? {};
    this.venueName = map.venue?.name;
    this.version = map.version;
    this.container.replaceChildren();

    const stage = document.createElement("div");
    stage.className = "stage";
    stage.textContent = "Screen";
    stage.setAttribute("aria-hidden", "true");
    this.container.append(stage);

    // Zones keep the venue's order (best first); rows keep the order seats come in.
    const zoneRows = new Map();
    for (const seat of map.seats) {
      if (!zoneRows.has(seat.zone)) zoneRows.set(seat.zone, new Map());
      const rows = zoneRows.get(seat.zone);
      if (!rows.has(seat.row)) rows.set(seat.row, []);
      rows.get(seat.row).push(seat);
    }

    for (const [zone, rows] of zoneRows) {
      const section = document.createElement("section");
      section.className = "zone";
      const headingId = `zone-${zone}`;
      section.setAttribute("aria-labelledby", headingId);
      const heading = document.createElement("h3");
      heading.id = headingId;
      const info = this.zones[zone];
      const price = info?.price ?? [...rows.values()][0]?.[0]?.price;
      heading.innerHTML = `<span class="zone-name"></span> <span class="zone-price"></span>`;
      heading.querySelector(".zone-name").textContent = capitalise(zone);
      heading.querySelector(".zone-price").textContent =
        `${formatPrice(price)} · ${info?.seats ?? "?"} seats`;
      section.append(heading);

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
          button.dataset.row = String(this.grid.length);
          button.dataset.col = String(rowButtons.length);
          button.textContent = String(seat.number);
          button.tabIndex = -1;
          rowButtons.push(button);
          rowEl.append(button);
          this.seats.set(seat.seat_id, { seat, status: seat.status, button });
          this.paint(seat.seat_id);
        }
        rowEl.append(rowLabel(row));
        this.grid.push(rowButtons);
        section.append(rowEl);
      }
      this.container.append(section);
    }
    // The tab stop: the seat used last if it is still there, else the first free seat.
    const entries = [...this.seats.values()];
    const start =
      this.seats.get(lastStop)?.button ??
      entries.find((entry) => entry.status === "available")?.button ??
      entries[0]?.button;
    if (start) this.setTabStop(start);
    // The longest row sets how large seats can be drawn (see .seat-map in app.css).
    const longest = Math.max(1, ...this.grid.map((row) => row.length));
    this.container.style.setProperty("--cols", String(longest));
    this.dropTakenSelection();
    this.onChange();
  }

  /**
   * Takes a full seat map again (a snapshot after reconnecting or resyncing). Same layout:
   * statuses are updated in place; a different layout is drawn afresh.
   */
  replace(map) {
    const sameLayout =
      map.seats.length === this.seats.size &&
      map.seats.every((seat) => this.seats.has(seat.seat_id));
    if (!sameLayout) {
      this.render(map);
      return;
    }
    this.version = map.version;
    this.zones = map.zones ?? this.zones;
    for (const seat of map.seats) this.setStatus(seat.seat_id, seat.status);
    this.dropTakenSelection();
    this.onChange();
  }

  /** Applies a live `seats` message's changes (the caller has checked its versions). */
  applyChanges(version, changes) {
    this.version = version;
    for (const change of changes) this.setStatus(change.seat_id, change.status);
    this.dropTakenSelection();
    this.onChange();
  }

  setStatus(seatId, status) {
    const entry = this.seats.get(seatId);
    if (!entry || entry.status === status) return;
    entry.status = status;
    this.paint(seatId);
  }

  /** Seat data plus its server status, for naming seats in messages and totals. */
  lookup(seatId) {
    const entry = this.seats.get(seatId);
    return entry ? { ...entry.seat, status: entry.status } : undefined;
  }

  isAvailable(seatId) {
    return this.seats.get(seatId)?.status === "available";
  }

  toggleSelected(seatId) {
    if (this.selected.has(seatId)) this.selected.delete(seatId);
    else this.selected.add(seatId);
    this.paint(seatId);
    this.onChange();
  }

  clearSelection() {
    const ids = [...this.selected];
    this.selected.clear();
    for (const id of ids) this.paint(id);
    this.onChange();
  }

  /** Marks the seats of the user's own lock (an empty list when there is none). */
  setHeld(seatIds) {
    const before = [...this.held];
    this.held = new Set(seatIds);
    for (const id of [...before, ...seatIds]) this.paint(id);
    this.onChange();
  }

  /** The shown state: the user's own hold and selection first, then the server's word. */
  stateOf(seatId) {
    const entry = this.seats.get(seatId);
    if (!entry) return undefined;
    if (this.held.has(seatId)) return "held";
    if (this.selected.has(seatId) && entry.status === "available") return "selected";
    return entry.status;
  }

  paint(seatId) {
    const entry = this.seats.get(seatId);
    if (!entry) return;
    const { seat, button } = entry;
    const state = this.stateOf(seatId);
    button.dataset.state = state;
    button.setAttribute("aria-pressed", String(state === "selected" || state === "held"));
    // Taken seats stay focusable (aria-disabled, not disabled) so arrow keys and screen
    // readers can still move through them and hear that they are taken.
    if (state === "locked" || state === "booked") button.setAttribute("aria-disabled", "true");
    else button.removeAttribute("aria-disabled");
    button.setAttribute(
      "aria-label",
      `Row ${seat.row} seat ${seat.number}, ${seat.zone}, ${formatPrice(seat.price)}, ${STATE_WORDS[state] ?? state}`,
    );
    button.title = `Row ${seat.row} seat ${seat.number} · ${formatPrice(seat.price)} · ${STATE_WORDS[state] ?? state}`;
  }

  /**
   * Selected seats someone else has just taken leave the selection, and the user is told
   * (unless the caller already said so, `notify` false).
   */
  dropTakenSelection(notify = true) {
    const lost = [...this.selected].filter((id) => !this.isAvailable(id));
    if (lost.length === 0) return;
    for (const id of lost) {
      this.selected.delete(id);
      this.paint(id);
    }
    if (notify) this.onSelectionLost(lost);
    else this.onChange();
  }

  /** Counts of seats by server status, for the summary line. */
  counts() {
    const counts = { available: 0, locked: 0, booked: 0 };
    for (const entry of this.seats.values()) {
      counts[entry.status] = (counts[entry.status] ?? 0) + 1;
    }
    return counts;
  }

  /** Arrow keys move between seats (rows up and down, seats left and right), Home/End. */
  moveFocus(event) {
    const button = event.target.closest?.("button[data-seat-id]");
    if (!button) return;
    const row = Number(button.dataset.row);
    const col = Number(button.dataset.col);
    let target;
    switch (event.key) {
      case "ArrowLeft":
        target = this.grid[row]?.[col - 1];
        break;
      case "ArrowRight":
        target = this.grid[row]?.[col + 1];
        break;
      case "ArrowUp":
      case "ArrowDown": {
        const next = this.grid[row + (event.key === "ArrowUp" ? -1 : 1)];
        target = next?.[Math.min(col, next.length - 1)];
        break;
      }
      case "Home":
        target = this.grid[row]?.[0];
        break;
      case "End":
        target = this.grid[row]?.at(-1);
        break;
      default:
        return;
    }
    event.preventDefault();
    if (target) {
      target.focus();
      target.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }
}

function rowLabel(row) {
  const label = document.createElement("span");
  label.className = "row-label";
  label.setAttribute("aria-hidden", "true");
  label.textContent = row;
  return label;
}
