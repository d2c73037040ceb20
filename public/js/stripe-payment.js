/**
 * Paying through Stripe (PAYMENT_PROVIDER = "stripe"). The card is typed into Stripe's
 * Payment Element, which lives in Stripe's own frames: card data never reaches this page's
 * code or our server. The page gets a PaymentMethod id from Stripe and books with it; when
 * the bank wants the buyer to confirm (3-D Secure) the API answers 202 with the payment's
 * client secret, Stripe.js walks the buyer through it, and the outcome reaches our server by
 * Stripe's webhook, so the page then reads the booking until it is settled.
 *
 * Stripe.js has to be loaded from Stripe's own origin (Stripe does not allow hosting it), so
 * it is the page's one outside script, added here only once the API has said that Stripe is
 * the provider: index.html never names it.
 */
import { api, getUser } from "./api.js";
import { recheckLock } from "./lock.js";
import { clearNotice, showError, showNotice } from "./notice.js";
import { booked, paymentFailed, settledBooking } from "./payment-outcome.js";
import { saveBooking } from "./session.js";
import { state, whileBusy } from "./state.js";

/** The only origin a Stripe script is taken from, whatever the configuration says. */
const STRIPE_JS_ORIGIN = "https://js.stripe.com";
/** After Stripe.js itself reports that the bank said no, the webhook's word is this near. */
const FAILED_ACTION_WAIT_MS = 60_000;

let stripe = null;
let elements = null;
let paymentElement = null;
let currency = "inr";

/** Adds Stripe.js to the page and makes the Stripe object; throws if it cannot load. */
export async function setUpStripe(config) {
  const url = new URL(config.script_url ?? "", location.href);
  if (url.origin !== STRIPE_JS_ORIGIN) {
    throw new Error(`Stripe.js must come from ${STRIPE_JS_ORIGIN}, not ${url.origin}`);
  }
  if (!config.publishable_key) throw new Error("Stripe is the provider but has no publishable key");
  await new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url.href;
    script.addEventListener("load", resolve, { once: true });
    script.addEventListener("error", () => reject(new Error("Stripe.js did not load")), {
      once: true,
    });
    document.head.append(script);
  });
  if (typeof window.Stripe !== "function") throw new Error("Stripe.js did not load");
  stripe = window.Stripe(config.publishable_key);
  currency = (config.currency || "INR").toLowerCase();
}

/** Stripe counts amounts in the currency's minor unit; our prices are in its major unit. */
const minorUnits = (amount) => Math.round(amount * 100);

/**
 * The Payment Element for a lock's total. Elements made without a PaymentIntent need the
 * amount and currency up front (Stripe shows the methods that suit them); it is made at the
 * first lock and mounted once, and each later lock only updates the amount.
 * `paymentMethodCreation: "manual"` lets the page make a PaymentMethod and hand it to our
 * server, which creates and confirms the PaymentIntent itself. False until Stripe.js is in.
 */
export function showPaymentElement(container, total) {
  if (!stripe) return false;
  const amount = minorUnits(total);
  if (elements) {
    elements.update({ amount });
    return true;
  }
  elements = stripe.elements({
    mode: "payment",
    amount,
    currency,
    paymentMethodCreation: "manual",
  });
  paymentElement = elements.create("payment");
  paymentElement.mount(container);
  return true;
}

export const stripeReady = () => Boolean(elements);

export function focusCardField() {
  paymentElement?.focus();
}

function clearCardField() {
  paymentElement?.clear();
}

/**
 * Pays for `lock` with the card in the Payment Element. elements.submit() is the first thing
 * awaited: Stripe wants it called straight from the buyer's click, before any other work.
 */
export function payWithStripe(lock) {
  const showId = state.show.show_id;
  return whileBusy("pay", async () => {
    clearNotice();
    let created;
    try {
      const submitted = await elements.submit();
      if (submitted.error) return cardFieldError(submitted.error);
      created = await stripe.createPaymentMethod({ elements });
    } catch (error) {
      // Stripe.js throws only for a mistake of this page's (an IntegrationError).
      showError(error);
      return;
    }
    if (created.error) return cardFieldError(created.error);
    let answer;
    try {
      const { userId } = await getUser();
      answer = await api.book({
        show_id: showId,
        lock_id: lock.lock_id,
        seat_ids: lock.seat_ids,
        user_id: userId,
        payment_method: { type: "stripe", payment_method: created.paymentMethod.id },
      });
    } catch (error) {
      await paymentFailed(error, clearCardField);
      return;
    }
    if (answer.payment?.status === "requires_action") {
      await confirmWithBank(showId, answer);
      return;
    }
    clearCardField();
    await booked(answer.booking);
  });
}

/** Stripe's own words about the card field (incomplete, invalid number): meant for buyers. */
function cardFieldError(error) {
  showNotice("error", error.message || "Check the card details and try again.");
  focusCardField();
}

/** 202: the bank wants the buyer to confirm; Stripe.js shows its page, then the booking settles. */
async function confirmWithBank(showId, { booking, payment }) {
  // A reload while the bank is asking still finds the booking once it is confirmed.
  saveBooking(showId, booking.booking_id);
  showNotice(
    "info",
    "Your bank asks you to confirm this payment. Follow its steps; your seats stay held meanwhile.",
  );
  let action;
  try {
    action = await stripe.handleNextAction({ clientSecret: payment.client_secret });
  } catch (error) {
    // Thrown only for a mistake of this page's; the booking read below still tells the outcome.
    console.error(error);
    action = { error };
  }
  if (!action.error) showNotice("info", "Confirming your payment…");
  let settled;
  try {
    settled = await settledBooking(
      booking.booking_id,
      action.error ? FAILED_ACTION_WAIT_MS : undefined,
    );
  } catch (error) {
    await paymentFailed(error, clearCardField);
    return;
  }
  if (settled?.status === "confirmed") {
    clearCardField();
    await booked(settled);
    return;
  }
  if (settled === null && !action.error) {
    showNotice(
      "error",
      "Your bank's answer has not reached us yet. Reload the page in a minute to see whether the payment went through.",
    );
    return;
  }
  // Failed (or never confirmed): nothing was charged. The lock may still hold the seats.
  const held = await recheckLock();
  showNotice(
    "error",
    held
      ? "Your bank did not confirm the payment, so nothing was charged. Your seats are still held: try again or use another card."
      : "The payment was not confirmed in time, so nothing was charged and your hold has ended. Choose seats again.",
  );
  if (held) focusCardField();
}
