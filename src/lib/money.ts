/**
 * Prices travel as decimal numbers with at most two decimals (500, 249.5). Sums are done
 * in integer minor units so that 0.1 + 0.2 style float error never reaches a total.
 */
export function toMinorUnits(amount: number): number {
  return Math.round(amount * 100);
}

export function fromMinorUnits(minor: number): number {
  return minor / 100;
}

/** The highest price a zone of a show may have, in the currency's major unit. */
export const MAX_PRICE = 1_000_000;

/**
 * True when `amount` is exactly a number of hundredths as JSON can write it: 249.5 and
 * 0.3 are, 10.005 and 0.30000000000000004 are not. Dividing the rounded hundredths by 100
 * gives the double nearest that decimal, which is the value a client writing it with two
 * decimals sends; any other double is refused rather than silently rounded. Holds for
 * every amount far below 2^53 / 100, which covers any booking's total.
 */
export function hasAtMostTwoDecimals(amount: number): boolean {
  return Number.isFinite(amount) && toMinorUnits(amount) / 100 === amount;
}
