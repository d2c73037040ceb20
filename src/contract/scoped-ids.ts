import { newId } from "../lib/ids.ts";

/**
 * Lock, booking and ticket ids carry their show, so the show object that owns one is found
 * without a lookup: `<prefix>_<random chars>_<show id without "show_">`, e.g.
 * `lock_3k9x..._demo` for show `show_demo`.
 */
export type ShowScopedPrefix = "lock" | "booking" | "ticket";

/**
 * Random base32 characters (5 bits each) per prefix. A ticket id is its ticket page's only
 * key (the URL is sent by email), so it carries 130 bits, past the 128 a guess must beat.
 */
const RANDOM_CHARS: Record<ShowScopedPrefix, number> = { lock: 20, booking: 20, ticket: 26 };

export function newShowScopedId(prefix: ShowScopedPrefix, showId: string): string {
  return `${newId(prefix, RANDOM_CHARS[prefix])}_${showId.slice("show_".length)}`;
}

export function showIdOf(prefix: ShowScopedPrefix, id: string): string | undefined {
  const match = new RegExp(`^${prefix}_[0-9a-z]{${RANDOM_CHARS[prefix]}}_([A-Za-z0-9_-]+)$`).exec(
    id,
  );
  return match?.[1] ? `show_${match[1]}` : undefined;
}

/** The pattern a path or body field holding such an id must match. */
export function showScopedIdPattern(prefix: ShowScopedPrefix): RegExp {
  return new RegExp(`^${prefix}_[0-9a-z]{${RANDOM_CHARS[prefix]}}_[A-Za-z0-9_-]+$`);
}
