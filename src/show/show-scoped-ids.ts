import { newId } from "../lib/ids.ts";

/**
 * Lock and booking ids carry their show, so the show object that owns one is found without
 * a lookup: `<prefix>_<20 random chars>_<show id without "show_">`, e.g.
 * `lock_3k9x..._demo` for show `show_demo`.
 */
export type ShowScopedPrefix = "lock" | "booking";

export function newShowScopedId(prefix: ShowScopedPrefix, showId: string): string {
  return `${newId(prefix)}_${showId.slice("show_".length)}`;
}

export function showIdOf(prefix: ShowScopedPrefix, id: string): string | undefined {
  const match = new RegExp(`^${prefix}_[0-9a-z]{20}_([A-Za-z0-9_-]+)$`).exec(id);
  return match?.[1] ? `show_${match[1]}` : undefined;
}

/** The pattern a path or body field holding such an id must match. */
export function showScopedIdPattern(prefix: ShowScopedPrefix): RegExp {
  return new RegExp(`^${prefix}_[0-9a-z]{20}_[A-Za-z0-9_-]+$`);
}
