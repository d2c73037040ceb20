import { DurableObject } from "cloudflare:workers";

/**
 * One per show (`idFromName(show_id)`): the single writer of that show's seat state.
 * Seat locks, expiry and the live seat map arrive with issue 3.
 */
export class ShowObject extends DurableObject<Env> {}
