/**
 * The pay form (#pay-form) inside the lock panel, for the provider GET /v1/payments/config
 * names. The simulator: the card fields, the pay button and the list of test cards; the
 * card details are the user's input, read from the form once to pay, sent in that one
 * request body, and cleared from the form after a payment. Stripe: Stripe's own card field
 * in place of ours (stripe-payment.js); card fields are never sent then. Until the
 * provider is known nothing is sent, since card data must not go to a server that takes
 * payments elsewhere.
 */
import { api, getUser } from "./api.js";
import { $, setText } from "./dom.js";
import { formatPrice } from "./format.js";
import { clearNotice, showError, showNotice } from "./notice.js";
import { booked, paymentFailed } from "./payment-outcome.js";
import { lockTotal } from "./seats.js";
import { notify, state, subscribe, whileBusy } from "./state.js";
import {
  focusCardField,
  payWithStripe,
  setUpStripe,
  showPaymentElement,
  stripeReady,
} from "./stripe-payment.js";
import { DEFAULT_CARD, TEST_CARDS } from "./test-cards.js";

/** The form was emptied after a payment: the next lock offers the public test card again. */
let emptied = false;
/** The lock the form was last drawn for. */
let drawnLockId = null;
/** The lock Stripe's field was last given the total of. */
let elementLockId = null;
/** "simulated" | "stripe" | an unsupported provider's name; null until the API has said. */
let provider = null;
/** The config request under way or done (null again after a failure, to ask anew). */
let configLoad = null;

export function mountPaymentForm() {
  fillTestCards();
  fillCard(DEFAULT_CARD);
  $("pay-form").addEventListener("submit", (event) => {
    event.preventDefault();
    pay();
  });
  subscribe(render);
  loadProvider().catch(() => {
    // Said when the user pays (pay() asks again); the seat map needs none of it.
  });
}

/** Asks the API which provider takes payments, and sets the form up for it. */
function loadProvider() {
  configLoad ??= (async () => {
    const config = await api.paymentConfig();
    if (config.provider === "stripe") {
      useStripeForm(config);
      try {
        await setUpStripe(config);
      } catch (error) {
        showNotice(
          "error",
          "The card form could not be loaded from Stripe. Check your connection and reload the page.",
        );
        throw error;
      }
    } else if (config.provider !== "simulated") {
      useNoForm(config.provider);
    }
    provider = config.provider;
    notify();
  })().catch((error) => {
    configLoad = null;
    throw error;
  });
  return configLoad;
}

/** Stripe's field in place of ours; our fields are disabled so the form never checks them. */
function useStripeForm(config) {
  hideCardFields();
  $("payment-element").hidden = false;
  setText($("pay-heading"), "Pay by card");
  if (config.publishable_key?.startsWith("pk_test_")) {
    showPayNote("Stripe test mode: card 4242 4242 4242 4242, any future date and any CVC.");
  }
  setText($("card-data-note"), "Card details go to Stripe only; this site never sees them.");
}

/** A provider this page cannot pay through (Razorpay's checkout is not built in yet). */
function useNoForm(name) {
  hideCardFields();
  setText($("pay-heading"), "Payment");
  showPayNote(`This page cannot take payments through ${name} yet.`);
}

function hideCardFields() {
  $("card-fields").hidden = true;
  for (const input of $("card-fields").querySelectorAll("input")) input.disabled = true;
  $("test-cards-box").hidden = true;
}

function showPayNote(text) {
  setText($("pay-note"), text);
  $("pay-note").hidden = false;
}

function render({ lock, busy }) {
  const lockId = lock?.lock_id ?? null;
  if (lockId !== drawnLockId) {
    drawnLockId = lockId;
    if (lock && emptied) {
      fillCard(DEFAULT_CARD);
      emptied = false;
    }
  }
  // Stripe's field is made for the lock's total, then updated to each new lock's (once
  // Stripe.js is there: setting it up redraws).
  if (provider === "stripe" && lock && lockId !== elementLockId) {
    if (showPaymentElement($("payment-element"), lockTotal(lock))) elementLockId = lockId;
  }
  const payable = provider === "simulated" || (provider === "stripe" && stripeReady());
  // Before the provider is known the button stays usable: pay() then asks for it again.
  $("pay-button").disabled = Boolean(busy) || (provider !== null && !payable);
  if (busy === "pay") setText($("pay-button"), "Paying…");
  else if (lock) setText($("pay-button"), `Pay ${formatPrice(lockTotal(lock))}`);
}

/** Takes the user to the card number: the next step once seats are held. */
export function focusPaymentForm({ scroll = false } = {}) {
  // On a phone the form is far below; a smooth scroll shows where focus went.
  if (scroll) $("pay-form").scrollIntoView({ behavior: "smooth", block: "center" });
  if (provider === "stripe") focusCardField();
  else $("card-number").focus({ preventScroll: scroll });
}

function fillTestCards() {
  $("test-cards").replaceChildren(
    ...TEST_CARDS.map(({ number, behaviour }) => {
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

function fillCard({ number, expiry, cvv }) {
  $("card-number").value = number;
  $("card-expiry").value = expiry;
  $("card-cvv").value = cvv;
}

function clearCard() {
  fillCard({ number: "", expiry: "", cvv: "" });
  emptied = true;
}

/** "12/2031", "12 / 31" → {month: 12, year: 2031}; undefined if it is not a date. */
function parseExpiry(text) {
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(text);
  if (!match) return undefined;
  const month = Number(match[1]);
  const year = match[2].length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
  return month >= 1 && month <= 12 ? { month, year } : undefined;
}

function pay() {
  const lock = state.lock;
  if (!lock) return;
  if (provider === "stripe") {
    if (stripeReady()) payWithStripe(lock);
    return;
  }
  if (provider === "simulated") payWithCard(lock);
  else if (provider === null) {
    // The provider was not known yet (its request failed): ask again, send nothing now.
    whileBusy("pay", async () => {
      try {
        await loadProvider();
        showNotice("info", "The payment form is ready. Check the details and press Pay again.");
      } catch (error) {
        showError(error);
      }
    });
  }
}

/** The simulator: the card fields go in the booking request. */
function payWithCard(lock) {
  const expiry = parseExpiry($("card-expiry").value);
  if (!expiry) {
    showNotice("error", "Enter the card's expiry as MM/YYYY, for example 12/2031.");
    $("card-expiry").focus();
    return;
  }
  // The card details live only in this request body; nothing else holds them.
  const paymentMethod = {
    type: "credit_card",
    card_number: $("card-number").value.replace(/[\s-]/g, ""),
    expiry_month: expiry.month,
    expiry_year: expiry.year,
    cvv: $("card-cvv").value.trim(),
  };
  const showId = state.show.show_id;
  whileBusy("pay", async () => {
    clearNotice();
    try {
      const { userId } = await getUser();
      const { booking } = await api.book({
        show_id: showId,
        lock_id: lock.lock_id,
        seat_ids: lock.seat_ids,
        ...(lock.areas?.length ? { areas: lock.areas } : {}),
        user_id: userId,
        payment_method: paymentMethod,
      });
      clearCard();
      await booked(booking);
    } catch (error) {
      await paymentFailed(error, clearCard);
    }
  });
}
