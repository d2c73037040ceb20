/** How the Worker and a show's relays address each other: names, and the upgrade's headers. */

/** How many viewers the relay may hold: the Worker's share of the show's cap for it. */
export const RELAY_CAPACITY_HEADER = "X-Relay-Capacity";
/** Set on a relay's 503 when it holds its capacity: the Worker tries the next relay. */
export const RELAY_FULL_HEADER = "X-Relay-Full";

/**
 * Relays of a show are named `<show id>:<index>`: the Worker fills them in index order, and
 * a relay finds its show from its own name.
 */
export function relayName(showId: string, index: number): string {
  return `${showId}:${index}`;
}

/** The show a relay named by relayName() serves. */
export function showOfRelay(name: string): string {
  return name.slice(0, name.lastIndexOf(":"));
}
