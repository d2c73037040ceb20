/** Headers between the Worker's upgrade route and a relay (src/show-client/live-relays.ts). */

/** How many viewers the relay may hold: the Worker's share of the show's cap for it. */
export const RELAY_CAPACITY_HEADER = "X-Relay-Capacity";
/** Set on a relay's 503 when it holds its capacity: the Worker tries the next relay. */
export const RELAY_FULL_HEADER = "X-Relay-Full";
