import type { PaymentMethodInput } from "../contract/payment-method.ts";
import { invalidInput } from "../http/api-error.ts";

/** A payment method as the booking and payment routes' bodies carry it (booking-schemas.ts). */
type PaymentMethodBody =
  | {
      type: "credit_card" | "debit_card";
      card_number: string;
      expiry_month: number;
      expiry_year: number;
      cvv: string;
    }
  | { type: "stripe"; payment_method: string }
  | { type: "razorpay" };

/**
 * The payment method for the configured provider, or 400 naming `payment_method`: with a
 * real provider card fields are refused (card data must never reach our server: the card is
 * entered in the provider's own field, which gives a token), and a provider's token is
 * refused by a deployment that does not use that provider.
 */
export function acceptedMethod(env: Env, body: PaymentMethodBody): PaymentMethodInput {
  const provider = env.PAYMENT_PROVIDER || "simulated";
  if (body.type === "razorpay") {
    if (provider !== "razorpay") {
      throw invalidInput(
        "payment_method",
        `this deployment takes payments through '${provider}', not Razorpay`,
      );
    }
    // The buyer pays in Razorpay's checkout, opened with the order the booking answers.
    return { kind: "checkout", provider: "razorpay" };
  }
  if (body.type === "stripe") {
    if (provider !== "stripe") {
      throw invalidInput(
        "payment_method",
        `this deployment takes payments through '${provider}', not Stripe`,
      );
    }
    return { kind: "token", provider: "stripe", token: body.payment_method };
  }
  if (provider !== "simulated") {
    throw invalidInput(
      "payment_method",
      `card fields are not taken with the '${provider}' provider: card data never reaches this server; send the token of the provider's own card field (Stripe) or {"type": "razorpay"} (Razorpay's checkout)`,
    );
  }
  return { kind: "card", card: body };
}
