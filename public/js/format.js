/** How numbers, times and names read on the page, in one place so every panel agrees. */

export const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1);

export function formatPrice(value) {
  return Number(value).toLocaleString(undefined, { maximumFractionDigits: 2 });
}

export function formatShowTime(iso) {
  return new Date(iso).toLocaleString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** "4:05" from a number of seconds. */
export function formatCountdown(seconds) {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/** "1 seat", "3 seats". */
export const seatCount = (n) => `${n} ${n === 1 ? "seat" : "seats"}`;
