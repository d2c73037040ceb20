import { expect, vi } from "vitest";
import { PaymentSimulator } from "../../src/payments/payment-simulator.ts";

/** Holds the simulator's charges until `release()`; `started` resolves when one is held. */
export function holdCharges() {
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const charge = PaymentSimulator.prototype.charge;
  const spy = vi.spyOn(PaymentSimulator.prototype, "charge").mockImplementation(async function (
    this: PaymentSimulator,
    input,
  ) {
    await held;
    return charge.call(this, input);
  });
  return { release, started: () => vi.waitFor(() => expect(spy).toHaveBeenCalled()) };
}
