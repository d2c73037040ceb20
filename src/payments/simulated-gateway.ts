import {
  type ChargeOutcome,
  type ChargeRequest,
  type PaymentGateway,
  PaymentOutcomeUnknown,
  type RefundOutcome,
  type RefundRequest,
} from "./payment-gateway.ts";
import type {
  PaymentSimulator,
  SimulatedChargeReply,
  SimulatedRefundReply,
} from "./payment-simulator.ts";

/** The gateway over the simulated provider (PAYMENT_PROVIDER = "simulated"). */
export class SimulatedGateway implements PaymentGateway {
  readonly provider = "simulated";

  constructor(
    private readonly simulator: DurableObjectStub<PaymentSimulator>,
    private readonly timeoutMs: number,
  ) {}

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    const { method } = request;
    // The Worker refuses tokens when the simulator is configured; this is the last guard.
    if (method.kind !== "card") throw new Error("the simulated provider takes card fields only");
    const reply = await withTimeout<SimulatedChargeReply>(
      async () =>
        await this.simulator.charge({
          idempotencyKey: request.idempotencyKey,
          amountMinor: request.amountMinor,
          currency: request.currency,
          card: method.card,
          reference: request.reference,
          stallMs: this.timeoutMs * 3,
        }),
      this.timeoutMs,
    );
    if (reply.status === "error") throw new PaymentOutcomeUnknown("provider_error");
    return reply;
  }

  async retrieve(idempotencyKey: string): Promise<ChargeOutcome | undefined> {
    const reply = await withTimeout<SimulatedChargeReply | undefined>(
      async () => await this.simulator.find(idempotencyKey),
      this.timeoutMs,
    );
    if (reply?.status === "error") throw new PaymentOutcomeUnknown("provider_error");
    return reply;
  }

  async refund(request: RefundRequest): Promise<RefundOutcome> {
    const reply = await withTimeout<SimulatedRefundReply>(
      async () =>
        await this.simulator.refund(
          request.idempotencyKey,
          request.chargeIdempotencyKey,
          request.amountMinor,
        ),
      this.timeoutMs,
    );
    // Thrown here, not in the simulator: an error thrown there would reach us like a lost
    // connection (withTimeout's unknown outcome), and the caller's retries would not say why.
    if (reply.status === "refused") throw new Error(`simulated refund refused: ${reply.message}`);
    return reply;
  }
}

/** The provider's answer, or PaymentOutcomeUnknown once `ms` pass (the call may still land). */
async function withTimeout<T>(call: () => Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PaymentOutcomeUnknown("timeout")), ms);
  });
  try {
    return await Promise.race([call(), timeout]);
  } catch (err) {
    if (err instanceof PaymentOutcomeUnknown) throw err;
    // Transport failure reaching the provider: the outcome is unknown too.
    throw new PaymentOutcomeUnknown("provider_error");
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
