/**
 * Every Durable Object stub is built here, one function per binding, so an object's name
 * (what `idFromName` is given) is decided in one place and both sides, the Worker and the
 * objects that call each other, agree on it. Only the objects' class types are imported.
 */
import type { OpsRegistry } from "../ops/ops-registry.ts";
import type { PaymentSimulator } from "../payments/payment-simulator.ts";
import type { SeatRelay } from "../relay/seat-relay.ts";
import type { ShowObject } from "../show/show-object.ts";
import type { WebhookEndpoint } from "../webhooks/webhook-endpoint.ts";
import { relayName } from "./relay-names.ts";

/** The show's object: named by the show id. */
export function showStub(env: Env, showId: string): DurableObjectStub<ShowObject> {
  return env.SHOW.get(env.SHOW.idFromName(showId));
}

/** Relay `index` of the show's live feed (`<show id>:<index>`). */
export function relayStub(env: Env, showId: string, index: number): DurableObjectStub<SeatRelay> {
  return relayStubNamed(env, relayName(showId, index));
}

/** A relay by its name, as the show object keeps its relays. */
export function relayStubNamed(env: Env, name: string): DurableObjectStub<SeatRelay> {
  return env.SEAT_RELAY.get(env.SEAT_RELAY.idFromName(name));
}

/** A webhook's delivery object: named by the webhook id. */
export function webhookEndpointStub(
  env: Env,
  webhookId: string,
): DurableObjectStub<WebhookEndpoint> {
  return env.WEBHOOK_ENDPOINT.get(env.WEBHOOK_ENDPOINT.idFromName(webhookId));
}

/** The one operator's registry of the deployment. */
export function opsRegistryStub(env: Env): DurableObjectStub<OpsRegistry> {
  return env.OPS_REGISTRY.get(env.OPS_REGISTRY.idFromName("ops"));
}

/** The payment simulator's one ledger. */
export function simulatorStub(env: Env): DurableObjectStub<PaymentSimulator> {
  return env.PAYMENT_SIMULATOR.get(env.PAYMENT_SIMULATOR.idFromName("ledger"));
}
