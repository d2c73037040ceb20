/**
 * The ETag of a versioned read (the seat map and its status): the seat map's version,
 * `"v12"`. Shared by the route (routes/seat-map.ts) and the cached answers
 * (crowd-reads.ts), so both answer If-None-Match alike.
 */
export const etagOf = (version: number) => `"v${version}"`;

/** The version named by If-None-Match (`"v12"` or `W/"v12"`), if any. */
export function knownVersion(header: string | undefined): number | undefined {
  const match = header ? /"v(\d{1,15})"/.exec(header) : null;
  return match?.[1] ? Number(match[1]) : undefined;
}
