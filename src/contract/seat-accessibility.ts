/**
 * What a seat offers for access, as a venue row declares it: a wheelchair space, a
 * companion seat (next to one, sold with it), an aisle seat, a seat with a limited view.
 * Seats without any are null.
 */
export const ACCESSIBILITY_KINDS = ["wheelchair", "companion", "aisle", "limited_view"] as const;
export type Accessibility = (typeof ACCESSIBILITY_KINDS)[number];

/**
 * Kinds kept back from plain sale while the show reserves them: wheelchair spaces and
 * their companion seats (28 CFR 36.302(f): sold to others only once the rest of their
 * zone is sold out, or the organizer releases them).
 */
export function isReservedKind(kind: Accessibility | null | undefined): boolean {
  return kind === "wheelchair" || kind === "companion";
}
