/**
 * The payment simulator's test cards (see src/payments/payment-simulator.ts and the
 * docs/api.md's table): the one list the page offers, both as the card the form starts with
 * and as the "Test cards" buttons. None of them can move money.
 */

export const TEST_CARDS = [
  { number: "4111111111111111", behaviour: "succeeds" },
  { number: "4242424242424242", behaviour: "succeeds" },
  { number: "4000000000000002", behaviour: "declined" },
  { number: "4000000000009995", behaviour: "insufficient funds" },
  { number: "4000000000000077", behaviour: "slow, then succeeds" },
  { number: "4000000000000119", behaviour: "times out" },
  { number: "4000000000000259", behaviour: "fails after charging" },
];

/** The card the form is filled with for each new lock: the first one, which succeeds. */
export const DEFAULT_CARD = { number: TEST_CARDS[0].number, expiry: "12/2031", cvv: "123" };
