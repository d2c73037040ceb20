/**
 * The show layouts this isolate serves (GET .../layout): the layout is fixed for a show but
 * for its prices, so it is kept briefly and forgotten by ShowClient when a price change goes
 * through this isolate.
 */

/**
 * How long this isolate serves a show's layout without asking its object again: short,
 * since an organizer's price change alters it (the isolate that took the change forgets it
 * at once).
 */
const LAYOUT_CACHE_MS = 10_000;
const MAX_LAYOUTS = 64;

export interface CachedLayout {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
  until: number;
}

const layouts = new Map<string, CachedLayout>();

/** The show's layout changed (prices) through this isolate. */
export function forgetLayout(showId: string): void {
  layouts.delete(showId);
}

/** The show's layout, from this isolate's copy while it is fresh, else from `load()`. */
export async function cachedLayout(
  showId: string,
  now: number,
  load: () => Promise<string>,
): Promise<CachedLayout> {
  let layout = layouts.get(showId);
  if (layout && layout.until > now) return layout;
  const body = new TextEncoder().encode(await load()) as Uint8Array<ArrayBuffer>;
  layout = { body, etag: await etagOf(body), until: now + LAYOUT_CACHE_MS };
  layouts.delete(showId);
  if (layouts.size >= MAX_LAYOUTS) {
    const oldest = layouts.keys().next().value;
    if (oldest !== undefined) layouts.delete(oldest);
  }
  layouts.set(showId, layout);
  return layout;
}

async function etagOf(body: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  const hex = [...digest.slice(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `"layout-${hex}"`;
}
