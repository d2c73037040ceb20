import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { owningOrganization, type ScopedParam } from "../organizations/owning-organization.ts";
import { notFound } from "./api-error.ts";
import type { AppEnv } from "./app-env.ts";

/** The path parameters naming a resource an organization owns, and the resource's name in a 404. */
const SCOPED: readonly [ScopedParam, string][] = [
  ["show_id", "show"],
  ["booking_id", "booking"],
  ["ticket_id", "ticket"],
  ["event_id", "event"],
  ["venue_id", "venue"],
  ["webhook_id", "webhook"],
  ["org_id", "organization"],
];

/**
 * A route whose resource must be the caller's organization's: for an organizer or scanner
 * (a principal with an organization), the resource the path names belongs to it, or the
 * answer is 404, as for an id that does not exist: another organization's ids are not
 * confirmed to exist. Buyers and the platform admin pass (they have no organization; a
 * buyer's own checks are the route's). A resource that does not exist passes too: the
 * route answers its own 404.
 */
export function ownOrganization() {
  return createMiddleware<AppEnv>(async function ownOrganization(c, next) {
    const orgId = c.get("principal")?.orgId;
    if (orgId) {
      for (const [param, resource] of SCOPED) {
        const id = c.req.param(param);
        if (!id) continue;
        const owner = await owningOrganization(c.env, param, id);
        if (owner !== undefined && owner !== orgId) throw notFound(resource, id);
        break;
      }
    }
    await next();
  });
}

/** The caller's organization, for routes that scope what they list or make (null: every one). */
export function callerOrganization(c: Context<AppEnv>): string | null {
  return c.get("principal")?.orgId ?? null;
}

/**
 * Whether the show is the caller's organization's (always, for a caller with none): for
 * resources a body names rather than the path (a batch of scans, a scanned ticket).
 */
export async function isOwnShow(c: Context<AppEnv>, showId: string): Promise<boolean> {
  const orgId = callerOrganization(c);
  if (!orgId) return true;
  const owner = await owningOrganization(c.env, "show_id", showId);
  return owner === undefined || owner === orgId;
}
