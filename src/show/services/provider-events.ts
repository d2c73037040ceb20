import type { ProviderEvent, ProviderEventOutcome } from "../../contract/provider-events.ts";
import type { ShowState } from "../show-state.ts";
import { MAY_STILL_BE_PAID, type PaymentActions } from "./payment-actions.ts";

/**
 * A payment provider's webhook events at the show object. Each is recorded once by its id,
 * whatever the order or the number of deliveries, and whether it comes before or after the
 * API call's own answer. An event does not move money or seats by what it says: it tells
 * the object to ask the provider about the payment (PaymentActions.check), whose answer is
 * applied once, whoever looks first. A dispute is money taken back from the organizer: an
 * operator must look.
 */
export class ProviderEvents {
  constructor(
    private readonly show: ShowState,
    private readonly actions: PaymentActions,
  ) {}

  async apply(event: ProviderEvent, now: number): Promise<ProviderEventOutcome> {
    const { show } = this;
    let fresh = false;
    show.transaction(() => {
      fresh = show.providerEvents.record(event, now);
    });
    if (!fresh) return "duplicate";
    const attempt = event.attemptKey
      ? show.attemptStorage.findAttempt(event.attemptKey)
      : undefined;
    const fields = {
      provider: event.provider,
      event_id: event.eventId,
      type: event.type,
      payment_id: event.paymentId,
      booking_id: event.bookingId,
      attempt_status: attempt?.status ?? null,
    };
    if (event.says === "disputed") {
      show.log.write("error", "payment disputed", fields);
      return "recorded";
    }
    show.log.write("info", "payment event", fields);
    // A success for an attempt not known to have one (waiting for the buyer, or failed and
    // then paid after all), or a failure of one waiting: the provider is asked.
    const worthAsking =
      attempt &&
      ((event.says === "succeeded" && MAY_STILL_BE_PAID.includes(attempt.status)) ||
        (event.says === "failed" && attempt.status === "requires_action"));
    if (!worthAsking) return "recorded";
    const outcome = await this.actions.check(attempt.chargeKey, "event");
    return outcome === "settled" ? "applied" : "recorded";
  }
}
