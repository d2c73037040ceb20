/**
 * A stand-in for Stripe.js (https://js.stripe.com/v3/), for the browser test only
 * (scripts/stripe-browser-test.ts): the test answers the page's request for Stripe's real
 * URL with this file (Playwright's page.route), so the page loads it as it would load
 * Stripe's, under the page's production CSP. It lives outside public/ so that the Worker
 * never serves it.
 *
 * It does the part of Stripe.js the page uses, with Stripe's documented shapes and the
 * checks Stripe makes of the integration:
 * - `Stripe(publishableKey)` (a pk_test_/pk_live_ key);
 * - `stripe.elements({mode: "payment", amount, currency, paymentMethodCreation: "manual"})`,
 *   `elements.update({amount})`, `elements.create("payment")` and its `mount(element)`,
 *   `focus()`, `clear()`: the Payment Element is one card-number input here (Stripe's is a
 *   frame of its own);
 * - `elements.submit()`: checks the number (Luhn), `{}` or `{error}`;
 * - `stripe.createPaymentMethod({elements})`, only after submit(): Stripe's test card
 *   numbers become Stripe's test PaymentMethods, which the stand-in server knows;
 * - `stripe.handleNextAction({clientSecret})`: the 3-D Secure page as Stripe shows it in
 *   test mode, a dialog with "Complete" and "Fail"; the buyer's choice is posted to the
 *   stand-in server (https://api.stripe.com/_stand_in/intents/{id}/action, routed there by
 *   the test), which settles the intent and sends Stripe's webhook event to our server.
 * What the page called is kept in `window.__stripeStandIn.calls` for the test to read.
 */
(() => {
  const API_ORIGIN = "https://api.stripe.com";
  /** Stripe's test card numbers (docs: testing) and the test PaymentMethods they stand for. */
  const TEST_CARDS = new Map([
    ["4242424242424242", { id: "pm_card_visa", brand: "visa", last4: "4242" }],
    ["4000000000000002", { id: "pm_card_chargeDeclined", brand: "visa", last4: "0002" }],
    ["4000002760003184", { id: "pm_card_threeDSecure2Required", brand: "visa", last4: "3184" }],
  ]);
  const calls = [];
  window.__stripeStandIn = { calls };

  class IntegrationError extends Error {
    name = "IntegrationError";
  }

  function luhnValid(digits) {
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    return digits.length >= 12 && sum % 10 === 0;
  }

  function checkElementsOptions(options) {
    if (options?.mode !== "payment") throw new IntegrationError("elements(): mode must be set");
    if (!Number.isInteger(options.amount) || options.amount <= 0) {
      throw new IntegrationError("elements(): amount must be a positive integer (minor units)");
    }
    if (!/^[a-z]{3}$/.test(options.currency ?? "")) {
      throw new IntegrationError("elements(): currency must be a lowercase ISO code");
    }
  }

  function makeElements(options) {
    checkElementsOptions(options);
    const group = { options: { ...options }, input: null, submitted: false };
    group.update = (patch) => {
      calls.push({ call: "elements.update", options: patch });
      Object.assign(group.options, patch);
      group.submitted = false;
    };
    group.create = (type) => {
      if (type !== "payment") throw new IntegrationError(`the stand-in has no ${type} element`);
      if (group.input) throw new IntegrationError("only one Payment Element per Elements");
      const label = document.createElement("label");
      const text = document.createElement("span");
      text.textContent = "Card number";
      const input = document.createElement("input");
      input.name = "cardnumber";
      input.inputMode = "numeric";
      input.autocomplete = "cc-number";
      input.addEventListener("input", () => {
        group.submitted = false;
      });
      label.append(text, input);
      group.input = input;
      return {
        mount(target) {
          const container = typeof target === "string" ? document.querySelector(target) : target;
          if (!container) throw new IntegrationError("mount(): no such element");
          container.replaceChildren(label);
        },
        focus: () => input.focus(),
        clear: () => {
          input.value = "";
        },
      };
    };
    group.submit = async () => {
      calls.push({ call: "elements.submit" });
      const digits = (group.input?.value ?? "").replace(/\s/g, "");
      if (digits === "") {
        return cardError(
          "validation_error",
          "incomplete_number",
          "Your card number is incomplete.",
        );
      }
      if (!/^\d+$/.test(digits) || !luhnValid(digits)) {
        return cardError("validation_error", "invalid_number", "Your card number is invalid.");
      }
      group.submitted = true;
      return {};
    };
    return group;
  }

  const cardError = (type, code, message) => ({ error: { type, code, message } });

  /** Stripe's test page for 3-D Secure: the buyer completes it or fails it. */
  function askBuyer() {
    return new Promise((resolve) => {
      const dialog = document.createElement("dialog");
      dialog.setAttribute("aria-labelledby", "stripe-stand-in-3ds");
      const heading = document.createElement("h2");
      heading.id = "stripe-stand-in-3ds";
      heading.textContent = "3D Secure 2 test page (Stripe stand-in)";
      const choose = (result) => () => {
        dialog.close();
        dialog.remove();
        resolve(result);
      };
      const complete = document.createElement("button");
      complete.type = "button";
      complete.textContent = "Complete";
      complete.addEventListener("click", choose("succeeds"));
      const fail = document.createElement("button");
      fail.type = "button";
      fail.textContent = "Fail";
      fail.addEventListener("click", choose("fails"));
      dialog.append(heading, complete, fail);
      document.body.append(dialog);
      dialog.showModal();
    });
  }

  function Stripe(publishableKey) {
    if (!/^pk_(test|live)_\w+$/.test(publishableKey ?? "")) {
      throw new IntegrationError("Invalid API Key provided");
    }
    calls.push({ call: "Stripe", publishableKey });
    return {
      elements(options) {
        calls.push({ call: "elements", options });
        return makeElements(options);
      },

      async createPaymentMethod({ elements }) {
        calls.push({ call: "createPaymentMethod" });
        if (elements?.options?.paymentMethodCreation !== "manual") {
          throw new IntegrationError("createPaymentMethod needs paymentMethodCreation: manual");
        }
        if (!elements.submitted) {
          throw new IntegrationError("elements.submit() must be called before createPaymentMethod");
        }
        const digits = elements.input.value.replace(/\s/g, "");
        const card = TEST_CARDS.get(digits);
        if (!card) {
          return cardError("card_error", "card_declined", "The stand-in knows no such test card.");
        }
        return {
          paymentMethod: {
            id: card.id,
            object: "payment_method",
            type: "card",
            card: { brand: card.brand, last4: card.last4 },
          },
        };
      },

      async handleNextAction({ clientSecret } = {}) {
        calls.push({ call: "handleNextAction", clientSecret });
        const intentId = /^(pi_[^_]+)_secret_/.exec(clientSecret ?? "")?.[1];
        if (!intentId) throw new IntegrationError("handleNextAction: invalid clientSecret");
        const result = await askBuyer();
        // A string body is sent as text/plain: a simple request, as Stripe.js's own are.
        const response = await fetch(
          `${API_ORIGIN}/_stand_in/intents/${encodeURIComponent(intentId)}/action`,
          { method: "POST", body: JSON.stringify({ result }) },
        );
        if (!response.ok) {
          return cardError("api_error", "stand_in_error", `stand-in: ${response.status}`);
        }
        if (result === "fails") {
          return {
            error: {
              type: "invalid_request_error",
              code: "payment_intent_authentication_failure",
              message:
                "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
              payment_intent: { id: intentId, status: "requires_payment_method" },
            },
          };
        }
        return { paymentIntent: { id: intentId, object: "payment_intent", status: "succeeded" } };
      },
    };
  }

  window.Stripe = Stripe;
})();
