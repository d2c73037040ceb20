import {
  RazorpayGateway,
  type RazorpayGatewayConfig,
} from "../../src/payments/razorpay-gateway.ts";
import { StripeGateway } from "../../src/payments/stripe-gateway.ts";
import * as razorpay from "./razorpay-stand-in.ts";
import * as stripe from "./stripe-stand-in.ts";

/** The provider gateways pointed at the stand-ins (whose fetches answerFetchesWith takes). */

export function stripeStandInGateway(timeoutMs = 5_000): StripeGateway {
  return new StripeGateway({
    secretKey: stripe.STAND_IN_SECRET_KEY,
    apiBase: stripe.STAND_IN_ORIGIN,
    timeoutMs,
  });
}

export function razorpayStandInGateway(
  options: Partial<RazorpayGatewayConfig> = {},
): RazorpayGateway {
  return new RazorpayGateway({
    keyId: razorpay.STAND_IN_KEY_ID,
    keySecret: razorpay.STAND_IN_KEY_SECRET,
    apiBase: razorpay.STAND_IN_ORIGIN,
    timeoutMs: 5_000,
    ...options,
  });
}
