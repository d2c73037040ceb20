import { z } from "zod";
import { ORG_ID_PATTERN } from "../auth/principal.ts";

/**
 * `org_id` in a request that makes something (an event, a venue, a webhook): the
 * organization it is for. An organizer's own by default (naming another is 404); the
 * platform admin may name any (it must exist); `description` says what naming none means.
 */
export function namedOrganization(description: string) {
  return z
    .string()
    .regex(ORG_ID_PATTERN, "must be an organization id (org_...)")
    .optional()
    .meta({ description });
}
