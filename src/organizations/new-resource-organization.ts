import type { Context } from "hono";
import { DEFAULT_ORG_ID } from "../db/schema.ts";
import { notFound } from "../http/api-error.ts";
import type { AppEnv } from "../http/app-env.ts";
import { organizationExists } from "./owning-organization.ts";

/**
 * The organization a new event, venue or webhook belongs to: an organizer's own (naming
 * another is 404, as an unknown organization is); for the platform admin, the one named
 * (`org_id`, which must exist), else the default organization.
 */
export async function organizationOfNew(
  c: Context<AppEnv>,
  named: string | undefined,
): Promise<string> {
  const own = c.get("principal").orgId;
  if (own) {
    if (named !== undefined && named !== own) throw notFound("organization", named);
    // A token may name an organization this deployment does not have: nothing is made in it.
    if (!(await organizationExists(c.env, own))) throw notFound("organization", own);
    return own;
  }
  if (named === undefined) return DEFAULT_ORG_ID;
  if (!(await organizationExists(c.env, named))) throw notFound("organization", named);
  return named;
}
