import type { CardDetails, CardSummary } from "./payment-gateway.ts";

/**
 * The simulated provider's card checks: a real provider validates cards on its side, so
 * the gateway interface only carries the card and these live with the simulator.
 */

/** What may be kept of a card: its brand and last four digits. */
export function cardSummary(card: CardDetails): CardSummary {
  const digits = card.card_number.replace(/\D/g, "");
  return { brand: cardBrand(digits), last4: digits.slice(-4) };
}

function cardBrand(digits: string): string {
  if (/^4/.test(digits)) return "visa";
  if (/^(5[1-5]|2[2-7])/.test(digits)) return "mastercard";
  if (/^3[47]/.test(digits)) return "amex";
  if (/^(6011|65)/.test(digits)) return "discover";
  if (/^60|^65|^81|^82|^508/.test(digits)) return "rupay";
  return "unknown";
}

/** The Luhn checksum every real card number satisfies. */
export function passesLuhn(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** A card is usable through the last day of its expiry month (UTC). */
export function isExpired(
  card: Pick<CardDetails, "expiry_month" | "expiry_year">,
  now: Date,
): boolean {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  return card.expiry_year < year || (card.expiry_year === year && card.expiry_month < month);
}
