/**
 * The roles a token may carry:
 * - `user`: a buyer (any organization's shows);
 * - `organizer`: an organization's staff: its events, venues, shows, webhooks and reports;
 * - `scanner`: door staff, who check tickets in (and may read a ticket), nothing else of note;
 * - `admin`: the platform's operator, every organization.
 */
export const roles = ["user", "organizer", "scanner", "admin"] as const;
export type Role = (typeof roles)[number];

/** Who is calling, as the verified token says. */
export interface Principal {
  userId: string;
  role: Role;
  /**
   * The organization an organizer or scanner works for (the token's `org` claim); null for
   * buyers, the platform admin, and a scanner of the platform's own (no `org`: every show).
   */
  orgId: string | null;
}

/** An organization id as tokens and paths carry it. */
export const ORG_ID_PATTERN = /^org_[A-Za-z0-9_-]{1,60}$/;

/**
 * The principal a token's claims make, or why not: an organizer must name its
 * organization; buyers and the platform admin name none (a token that does is refused,
 * rather than read as something it does not say).
 */
export function principalOf(
  sub: string,
  role: Role,
  org: string | undefined,
): Principal | { refused: string } {
  if (org !== undefined && !ORG_ID_PATTERN.test(org))
    return { refused: "org is not an organization id" };
  if (role === "organizer" && org === undefined) return { refused: "an organizer token needs org" };
  if ((role === "user" || role === "admin") && org !== undefined) {
    return { refused: `a ${role} token names no org` };
  }
  return { userId: sub, role, orgId: org ?? null };
}
