/**
 * Small helpers for drawing state into the page. Views write through setText so that an
 * unchanged text is not written again: rewriting a live region's text, even with the same
 * words, can make screen readers read it out again on every redraw.
 */

export const $ = (id) => document.getElementById(id);

/** What each element was last given, so a redraw skips texts that did not change. */
const written = new WeakMap();

export function setText(element, text) {
  if (written.get(element) === text) return;
  written.set(element, text);
  element.textContent = text;
}

/** Fills a <select> with `options` ({value, label}); disabled when there are none. */
export function fillSelect(select, options, selected) {
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
