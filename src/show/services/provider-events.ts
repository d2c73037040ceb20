import type { ProviderEvent, ProviderEventOutcome } from "../../contract/provider-events.ts";
import type { ShowState } from "../show-state.ts";

/**
 * A payment provider's webhook events at the show object. Each is applied once by its id,
 * whatever the order or the number of deliveries, and whether it comes before or after the
 * API call's own answer: that answer (or the alarm's settling by refund of an unknown
 * outcome) is what moves money and seats in the payment flows taken today, so an event
 * only confirms what they did, and is recorded. A dispute is money taken back from the
 * organizer: an operator must look.
 */
export class ProviderEvents {
  constructor(private readonly show: ShowState) {}

  apply(event: ProviderEvent, now: number): ProviderEventOutcome {
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
    if (event.type === "charge.dispute.created") {
      show.log.write("error", "payment disputed", fields);
      return "recorded";
    }
    show.log.write("info", "payment event", fields);
    return "recorded";
  }
}
