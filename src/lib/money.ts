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
