/**
 * Keyboard use of the seat map. The map is one tab stop (a "roving" tabindex): Tab moves
 * past hundreds of seats in one step, arrow keys move between seats (rows up and down,
 * seats left and right, Home/End), and coming back to the map lands on the seat last used.
 * Enter and Space press the focused seat's button as for any button.
 */

export function mountSeatKeys(container) {
  /** Buttons by row, top to bottom, as drawn. */
  let grid = [];
  /** The one seat button reachable with Tab, remembered by seat id across redraws. */
  let tabStop;
  let lastSeatId;

  function setTabStop(button) {
    if (tabStop === button) return;
    if (tabStop) tabStop.tabIndex = -1;
    button.tabIndex = 0;
    tabStop = button;
    lastSeatId = button.dataset.seatId;
  }

  container.addEventListener("focusin", (event) => {
    const button = event.target.closest?.("button[data-seat-id]");
    if (button) setTabStop(button);
  });

  container.addEventListener("keydown", (event) => {
    const button = event.target.closest?.("button[data-seat-id]");
    if (!button) return;
    const row = Number(button.dataset.row);
    const col = Number(button.dataset.col);
    let target;
    switch (event.key) {
      case "ArrowLeft":
        target = grid[row]?.[col - 1];
        break;
      case "ArrowRight":
        target = grid[row]?.[col + 1];
        break;
      case "ArrowUp":
      case "ArrowDown": {
        const next = grid[row + (event.key === "ArrowUp" ? -1 : 1)];
        target = next?.[Math.min(col, next.length - 1)];
        break;
      }
      case "Home":
        target = grid[row]?.[0];
        break;
      case "End":
        target = grid[row]?.at(-1);
        break;
      default:
        return;
    }
    event.preventDefault();
    if (target) {
      target.focus();
      target.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  });

  return {
    /**
     * A new layout was drawn. The tab stop: the seat used last if it is still there, else
     * the first free seat, else the first seat.
     */
    setGrid(rows, isFree) {
      grid = rows;
      tabStop = undefined;
      const all = rows.flat();
      const start =
        all.find((button) => button.dataset.seatId === lastSeatId) ??
        all.find((button) => isFree(button.dataset.seatId)) ??
        all[0];
      if (start) setTabStop(start);
    },
    focusTabStop() {
      tabStop?.focus();
    },
  };
}
