import { eq } from "drizzle-orm";
import { showIdOf } from "../contract/scoped-ids.ts";
import { database } from "../db/database.ts";
import { events, organizations, shows, venues, webhooks } from "../db/schema.ts";

/**
 * Which organization a resource belongs to, read from D1. An owner never changes (nothing
 * moves a show, event, venue or webhook to another organization), so each answer is kept
 * for the isolate's life: an organizer's calls cost one D1 read per resource per isolate,
 * and a buyer's none (buyers are never scoped).
 */

/** The resources a path may name, by the parameter that names them. */
export type ScopedParam =
  | "show_id"
  | "booking_id"
  | "ticket_id"
  | "event_id"
  | "venue_id"
  | "webhook_id"
  | "org_id";

const known = new Map<string, string>();
/** Bounds the cache (ids are random: a flood of unknown ones must not grow it). */
const MAX_KNOWN = 50_000;

/** The organization owning the resource, or undefined when there is no such resource. */
export async function owningOrganization(
  env: Env,
  param: ScopedParam,
  id: string,
): Promise<string | undefined> {
  if (param === "org_id") return (await organizationExists(env, id)) ? id : undefined;
  if (param === "booking_id" || param === "ticket_id") {
    const showId = showIdOf(param === "booking_id" ? "booking" : "ticket", id);
    return showId ? owningOrganization(env, "show_id", showId) : undefined;
  }
  const key = `${param}:${id}`;
  const cached = known.get(key);
  if (cached) return cached;
  const org = await readOwner(env, param, id);
  if (org) {
    if (known.size >= MAX_KNOWN) known.clear();
    known.set(key, org);
  }
  return org;
}

async function readOwner(
  env: Env,
  param: "show_id" | "event_id" | "venue_id" | "webhook_id",
  id: string,
): Promise<string | undefined> {
  const db = database(env.DB);
  switch (param) {
    case "show_id":
      return (await db.select({ org: shows.orgId }).from(shows).where(eq(shows.showId, id)).get())
        ?.org;
    case "event_id":
      return (
        await db.select({ org: events.orgId }).from(events).where(eq(events.eventId, id)).get()
      )?.org;
    case "venue_id":
      return (
        await db.select({ org: venues.orgId }).from(venues).where(eq(venues.venueId, id)).get()
      )?.org;
    case "webhook_id": {
      const row = await db
        .select({ org: webhooks.orgId })
        .from(webhooks)
        .where(eq(webhooks.webhookId, id))
        .get();
      // A platform webhook (no organization) is the admin's alone.
      return row ? (row.org ?? PLATFORM) : undefined;
    }
  }
}

/** What a resource of the platform's own (no organization) is owned by: no organizer. */
export const PLATFORM = "platform";

export async function organizationExists(env: Env, orgId: string): Promise<boolean> {
  const row = await database(env.DB)
    .select({ id: organizations.orgId })
    .from(organizations)
    .where(eq(organizations.orgId, orgId))
    .get();
  return row !== undefined;
}
